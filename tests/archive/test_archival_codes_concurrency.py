"""档号 under concurrent filing, on SQLite and on a real PostgreSQL server, as the form codes are
tested (test_numbering_concurrency.py): FILERS threads, each in its own app context, released
together, file EACH records apiece through the real filing service (``archive.filing.
file_if_ready``, which the outbox worker and ``archive file`` call). The 件号 must come out
distinct and gap-free (1..N) in one group, agree with the counter, and every record.file event
must name its record's 档号; every third turn a filer also mints inside a transaction it rolls
back, and no number is lost to it. And four servers running ``flask init``'s step at once give
records filed before 档号 one reference each."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import delete, select, update

from archive.archival_codes import ArchivalReference
from archive.archival_numbering import current_scheme, mint
from archive.filing import FilingRule, file_if_ready
from archive.models import ArchivalCounter, Record
from archive.retention import class_view
from core.audit import trail
from core.web import services
from forms.filing_rules import give_missing_references
from forms.search_documents import enqueue_indexing
from tests.support.archival import ENGINES, archival_codes, counters, events
from tests.support.lifecycle import filed_complaints, submit_complaints, work_outbox

FILERS, EACH = 8, 6
TOTAL = FILERS * EACH
#: The complaints are filed as they were registered: the test's rule makes that state final
#: (their archival copies were made by the outbox, which did not file them under CP's own rule).
RULE = FilingRule(final=("registered",), countersign=False, retention_class="complaint-3y",
                  on_filed=enqueue_indexing)


class Abort(Exception):
    """Raised on purpose after a 件号 was minted, to roll its transaction back."""


@pytest.fixture(params=ENGINES)
def any_app(request: pytest.FixtureRequest) -> Flask:
    return request.getfixturevalue(request.param)


def ready_records(app: Flask, clock) -> list[str]:  # type: ignore[no-untyped-def]
    """TOTAL registered complaints with their archival copies stored, not filed."""
    codes = submit_complaints(app, clock, "clerk", TOTAL)
    work_outbox(app)
    assert set(archival_codes(app).values()) == {None}
    return codes


def run_filers(app: Flask, codes: list[str], spare: str) -> None:
    """FILERS threads file their share of ``codes`` at once; each also mints a
    number for ``spare`` in a transaction it rolls back (every third turn)."""
    failures: list[BaseException] = []
    start = threading.Barrier(FILERS, timeout=30)

    def filer(share: list[str]) -> None:
        try:
            with app.app_context():
                s = services()
                start.wait()
                for turn, code in enumerate(share):
                    if turn % 3 == 0:
                        with pytest.raises(Abort):
                            mint_then_abort(spare)
                    assert file_if_ready(s.db, s.clock, s.zone, code, RULE)
        except BaseException as exc:  # re-raised below with every thread's error
            failures.append(exc)

    threads = [threading.Thread(target=filer, args=(codes[n::FILERS],)) for n in range(FILERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a filer hangs"
    assert not failures, f"{len(failures)} filers failed, first: {failures[0]!r}"


def mint_then_abort(code: str) -> None:
    with services().db.transaction() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        raise Abort(mint(session, record, class_view(session, "complaint-3y"), current_scheme(), "CS"))


def test_parallel_filers_get_distinct_gap_free_item_numbers(any_app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    *codes, spare = ready_records(any_app, clock)
    run_filers(any_app, codes, spare)
    given = archival_codes(any_app)
    assert given.pop(spare) is None
    references = [ArchivalReference.parse(text) for text in given.values() if text]
    assert len(references) == len(codes) == TOTAL - 1
    assert {r.group for r in references} == {("Q012", "WS", 2026, "D3", "KF")}
    assert sorted(r.item for r in references) == list(range(1, TOTAL))
    assert counters(any_app) == {("Q012", "WS", 2026, "D3", "KF"): TOTAL - 1}
    named = {event.object_id: event.detail["archival_code"] for event in events(any_app, "record.file")}
    assert named == given
    with any_app.app_context(), services().db.reading() as session:
        checked, broken = trail.verify(session)
    assert broken is None and checked >= TOTAL


def test_servers_running_init_at_once_give_each_record_one_reference(any_app: Flask) -> None:
    """Several servers upgraded together each run ``flask init``'s step at the same moment: the
    records filed before 档号 are locked first, so one gives them their numbers and the others
    find nothing left to give; no number twice, none skipped, one audit event per record."""
    codes = filed_complaints(any_app, 6)
    with any_app.app_context(), services().db.transaction() as session:
        session.execute(update(Record).values(archival_code=None))
        session.execute(delete(ArchivalCounter))
    given: list[list[tuple[str, str]]] = []
    failures: list[BaseException] = []
    start = threading.Barrier(4, timeout=30)

    def server() -> None:
        try:
            with any_app.app_context():
                s = services()
                start.wait()
                given.append(give_missing_references(s.db, s.clock))
        except BaseException as exc:  # re-raised below
            failures.append(exc)

    threads = [threading.Thread(target=server) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert sorted(len(run) for run in given) == [0, 0, 0, 6]
    assert sorted(archival_codes(any_app).items()) == [
        (code, f"Q012-WS·2026-D3-KF-{n:04d}") for n, code in enumerate(codes, start=1)]
    assert counters(any_app) == {("Q012", "WS", 2026, "D3", "KF"): 6}
    assert len(events(any_app, "record.archival_code")) == 6
