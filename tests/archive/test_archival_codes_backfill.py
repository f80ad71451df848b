"""档号 for records filed without one: those filed before 档号 were minted get theirs from
``flask init`` or ``archive file``, in filing order, once; ``records import`` gives the legacy
records it files theirs, in their own year, named in their import events; a filing after either
continues the numbering."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete, update

from archive.models import ArchivalCounter, Record
from core.clock import FrozenClock
from core.web import services
from tests.support.archival import ENGINES, MICRO_START, archival_code_of, archival_codes, counters, events
from tests.support.legacy_sheets import AR_HEADERS, VR_HEADERS, ar_row, run_import, vr_row, write_xlsx
from tests.support.lifecycle import close_complaint, filed_complaints, new_complaint, work_outbox

GROUP_CS = ("Q012", "WS", 2026, "D3", "KF")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(MICRO_START)


@pytest.fixture(params=ENGINES)
def any_app(request: pytest.FixtureRequest) -> Flask:
    return request.getfixturevalue(request.param)


def filed_before_archival_codes(app: Flask) -> None:
    """Make the instance look as it did before 档号: filed records without one, no counters."""
    with app.app_context(), services().db.transaction() as session:
        session.execute(update(Record).values(archival_code=None))
        session.execute(delete(ArchivalCounter))


def cli(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_init_gives_records_filed_before_their_codes_in_filing_order_once(any_app: Flask,
                                                                         clock: FrozenClock) -> None:
    first, second = new_complaint(any_app), new_complaint(any_app)
    close_complaint(any_app, second)
    work_outbox(any_app)  # the second complaint is filed first
    clock.advance(minutes=5, microseconds=1)
    close_complaint(any_app, first)
    work_outbox(any_app)
    filed_before_archival_codes(any_app)
    unfiled = new_complaint(any_app)
    output = cli(any_app, "init")
    assert "档号 given to 2 record(s)" in output
    assert archival_code_of(any_app, second) == "Q012-WS·2026-D3-KF-0001"
    assert archival_code_of(any_app, first) == "Q012-WS·2026-D3-KF-0002"
    assert archival_code_of(any_app, unfiled) is None  # not filed: none yet
    assert counters(any_app) == {GROUP_CS: 2}
    given = [(e.object_id, e.detail["archival_code"]) for e in events(any_app, "record.archival_code")]
    assert given == [(second, "Q012-WS·2026-D3-KF-0001"), (first, "Q012-WS·2026-D3-KF-0002")]
    before = archival_codes(any_app)
    assert "档号 given" not in cli(any_app, "init")  # once: a second run gives nothing
    assert "档号 given" not in cli(any_app, "archive", "file")
    assert archival_codes(any_app) == before and len(events(any_app, "record.archival_code")) == 2
    close_complaint(any_app, unfiled)
    work_outbox(any_app)  # filed now: numbering continues after the given ones
    assert archival_code_of(any_app, unfiled) == "Q012-WS·2026-D3-KF-0003"


def test_archive_file_gives_them_too(app: Flask) -> None:
    codes = filed_complaints(app, 3)
    filed_before_archival_codes(app)
    assert "档号 given to 3 record(s)" in cli(app, "archive", "file")
    assert [archival_code_of(app, code) for code in codes] == [
        "Q012-WS·2026-D3-KF-0001", "Q012-WS·2026-D3-KF-0002", "Q012-WS·2026-D3-KF-0003"]


def test_imported_legacy_records_get_codes_in_their_own_year(app: Flask, tmp_path: Path,
                                                             clock: FrozenClock) -> None:
    clock.current = datetime(2026, 12, 5, 2, 0, 0, 123456, tzinfo=UTC)
    book = write_xlsx(tmp_path / "registers.xlsx", {
        "VR": [VR_HEADERS, vr_row("VR-2015-000009", datetime(2015, 4, 2)),
               vr_row("VR-2015-000007", datetime(2015, 3, 1, 10, 15))],
        "AR": [AR_HEADERS, ar_row("AR-2020-000011", datetime(2020, 8, 3).date())],
    })
    status, output = run_import(app, book, "--commit")
    assert status == 0, output
    # numbered in filing order (the register's dates), not in the sheet's order
    assert archival_code_of(app, "VR-2015-000007") == "Q012-WS·2015-D3-XS-0001"
    assert archival_code_of(app, "VR-2015-000009") == "Q012-WS·2015-D3-XS-0002"
    assert archival_code_of(app, "AR-2020-000011") == "Q012-WS·2020-D3-DA-0001"
    named = {event.object_id: event.detail.get("archival_code") for event in events(app, "record.import")}
    assert named == {code: archival_code_of(app, code) for code in named}
    assert events(app, "record.archival_code") == []  # named in the import's own events
    [filed] = filed_complaints(app, 1)  # a filing now: the year's own group, from 1
    assert archival_code_of(app, filed) == "Q012-WS·2026-D3-KF-0001"


def verify(app: Flask) -> str:
    return app.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"]).output


def test_archive_verify_names_an_archival_number_held_by_nothing_or_beyond_its_counter(app: Flask) -> None:
    second = filed_complaints(app, 3)[1]
    assert "\nclean: " in verify(app), verify(app)
    with app.app_context(), services().db.transaction() as session:  # a record deleted by hand
        session.execute(update(Record).where(Record.code == second).values(archival_code=None))
    gap = "[archival-gap] Q012-WS·2026-D3-KF-0002: given, but neither a record nor a tombstone holds it"
    assert gap in verify(app)
    with app.app_context(), services().db.transaction() as session:  # a counter set back
        session.execute(update(Record).where(Record.code == second).values(
            archival_code="Q012-WS·2026-D3-KF-0002"))
        session.execute(update(ArchivalCounter).values(value=1))
    found = verify(app)
    assert "[archival-gap] Q012-WS·2026-D3-KF-0002: beyond the counter (1): it could be given again" in found
    assert "[archival-gap] Q012-WS·2026-D3-KF-0003: beyond the counter (1)" in found
