"""Code minting under concurrency, on SQLite and on a real PostgreSQL server.

16 submitters × 50 submissions each, all through the service the web page and the API use
(``forms.submission.submit``), every submitter in its own thread and its own app context. The
codes must come out distinct and gap-free (1..800), in the ``CP-2026-000001`` format, and agree
with what the database stored. Alongside: numbering restarts per category and per year (the year
of the submission date in Asia/Shanghai), and a rolled-back transaction gives its number back.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from archive.models import CodeCounter, Record, RecordRevision
from archive.records import create_record
from core.audit import trail
from core.audit.models import AuditEvent
from core.auth.roles import DepartmentRef
from core.web import services
from forms.submission import submit
from forms.validation import InvalidData
from tests.support.instance import actor_of

SUBMITTERS, EACH = 16, 50
TOTAL = SUBMITTERS * EACH
CODE = re.compile(r"CP-2026-(\d{6})")
#: A valid complaint (CP), as the brief for these tests gives it.
COMPLAINT = {"channel": "phone", "received_at": "2026-03-02T09:00:00+08:00",
             "customer_name": "测试", "phone": "13800138000", "complaint": "划痕"}
VISIT = {"visit_date": "2026-03-02", "customer_name": "周女士", "phone": "13700001111",
         "needs": "三室两厅", "receiving_staff": "sales"}


class Abort(Exception):
    """Raised on purpose after a number was minted, to roll its transaction back."""


# --- apps on both backends -----------------------------------------------------------------------

@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_app(request: pytest.FixtureRequest) -> Flask:
    """The same test on SQLite (the ``app`` fixture) and on PostgreSQL (``pg_app``, conftest)."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


def submit_as(app: Flask, username: str = "clerk", form: str = "CP", data: dict | None = None) -> str:
    with app.app_context():
        s = services()
        return submit(s.db, s.clock, s.zone, actor_of(app, username), form,
                      COMPLAINT if data is None else data).code


# --- under load ----------------------------------------------------------------------------------

def run_submitters(app: Flask, each: Callable[[int], None] | None = None) -> list[str]:
    """SUBMITTERS threads submit EACH complaints as fast as they can, released together.

    ``each(i)`` runs in the submitter's app context before its i-th submission (to interleave
    rolled-back attempts). Returns every code the service handed out.
    """
    actor = actor_of(app, "clerk")
    codes: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(SUBMITTERS, timeout=30)

    def submitter() -> None:
        try:
            with app.app_context():
                s = services()
                start.wait()
                for i in range(EACH):
                    if each is not None:
                        each(i)
                    code = submit(s.db, s.clock, s.zone, actor, "CP", COMPLAINT).code
                    with lock:
                        codes.append(code)
        except BaseException as exc:  # re-raised in the test below, with every thread's error
            with lock:
                failures.append(exc)

    threads = [threading.Thread(target=submitter, name=f"submitter-{n}") for n in range(SUBMITTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a submitter hangs"
    assert not failures, f"{len(failures)} submitters failed, first: {failures[0]!r}"
    return codes


def assert_distinct_and_gap_free(app: Flask, codes: list[str]) -> None:
    assert len(codes) == TOTAL
    assert len(set(codes)) == TOTAL, f"{TOTAL - len(set(codes))} duplicate codes"
    bad = [code for code in codes if not CODE.fullmatch(code)]
    assert not bad, f"codes not in the CP-2026-000001 format: {bad[:5]}"
    assert sorted(int(CODE.fullmatch(code)[1]) for code in codes) == list(range(1, TOTAL + 1))
    with app.app_context(), services().db.reading() as session:
        stored = session.execute(select(Record.code, Record.year, Record.seq)).all()
        counter = session.scalar(select(CodeCounter.value).filter_by(category="CP", year=2026))
        revisions = session.scalar(select(func.count()).select_from(RecordRevision))
        submit_events = session.scalar(select(func.count()).select_from(AuditEvent)
                                       .where(AuditEvent.action == "record.submit"))
        checked, broken = trail.verify(session)
    assert sorted(code for code, _, _ in stored) == sorted(codes)
    assert all(code == f"CP-{year}-{seq:06d}" for code, year, seq in stored)
    assert counter == TOTAL
    assert revisions == TOTAL and submit_events == TOTAL
    assert broken is None and checked >= TOTAL


def test_800_concurrent_submissions_on_sqlite_get_distinct_gap_free_codes(app):
    assert_distinct_and_gap_free(app, run_submitters(app))


@pytest.mark.postgres
def test_800_concurrent_submissions_on_postgresql_get_distinct_gap_free_codes(pg_app):
    with pg_app.app_context():
        assert services().db.dialect == "postgresql"
    assert_distinct_and_gap_free(pg_app, run_submitters(pg_app))


def test_numbers_minted_by_rolled_back_transactions_are_reused_under_load(any_app):
    """Every 10th turn each submitter mints a number and rolls back: still exactly 1..800."""
    clerk = actor_of(any_app, "clerk")

    def sometimes_abort(i: int) -> None:
        if i % 10 == 0:
            with pytest.raises(Abort):
                mint_then_fail(clerk)

    assert_distinct_and_gap_free(any_app, run_submitters(any_app, sometimes_abort))


def mint_then_fail(actor) -> str:
    """Mint a code and write the record inside a transaction, then fail before the commit."""
    s = services()
    with s.db.transaction() as session:
        view = create_record(session, clock=s.clock, zone=s.zone, actor=actor, form_code="CP",
                             form_version=1, state="submitted", title="rolled back",
                             data=COMPLAINT, department=actor.department)
        raise Abort(view.code)


# --- per category, per year, and rollbacks ---------------------------------------------------------

def test_numbering_restarts_per_category_and_per_year_in_shanghai(any_app, clock):
    assert submit_as(any_app) == "CP-2026-000001"
    assert submit_as(any_app) == "CP-2026-000002"
    assert submit_as(any_app, "sales", "VR", VISIT) == "VR-2026-000001"
    clock.current = datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)  # 23:59:59 on 31 Dec in Shanghai
    assert submit_as(any_app) == "CP-2026-000003"
    clock.current = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # still 2026 in UTC, 00:30 2027 there
    assert submit_as(any_app) == "CP-2027-000001"
    assert submit_as(any_app, "sales", "VR", VISIT) == "VR-2027-000001"
    assert submit_as(any_app) == "CP-2027-000002"
    with any_app.app_context(), services().db.reading() as session:
        record = session.execute(select(Record.year, Record.seq, Record.submitted_at)
                                 .where(Record.code == "CP-2027-000001")).one()
        counters = {(c.category, c.year): c.value for c in session.scalars(select(CodeCounter))}
    assert tuple(record) == (2027, 1, datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    assert counters == {("CP", 2026): 3, ("VR", 2026): 1, ("CP", 2027): 2, ("VR", 2027): 1}


def test_an_exception_after_minting_gives_the_number_back(any_app):
    assert submit_as(any_app) == "CP-2026-000001"
    clerk = actor_of(any_app, "clerk")
    with any_app.app_context(), pytest.raises(Abort, match="CP-2026-000002"):
        mint_then_fail(clerk)
    assert submit_as(any_app) == "CP-2026-000002"
    assert_only_codes(any_app, ["CP-2026-000001", "CP-2026-000002"])


def test_a_database_error_after_minting_gives_the_number_back(any_app):
    """The record insert fails on a foreign key after the counter moved: all of it rolls back."""
    clerk = actor_of(any_app, "clerk")
    with any_app.app_context(), pytest.raises(IntegrityError):
        s = services()
        with s.db.transaction() as session:
            create_record(session, clock=s.clock, zone=s.zone, actor=clerk, form_code="CP",
                          form_version=1, state="submitted", title="no such department",
                          data=COMPLAINT,
                          department=DepartmentRef(987654, "GONE", "无", "gone"))
    assert submit_as(any_app) == "CP-2026-000001"
    assert_only_codes(any_app, ["CP-2026-000001"])


def test_an_invalid_submission_uses_no_number(any_app):
    with pytest.raises(InvalidData) as refused:
        submit_as(any_app, data={**COMPLAINT, "phone": "123"})
    assert set(refused.value.errors) == {"phone"}
    assert submit_as(any_app) == "CP-2026-000001"


def assert_only_codes(app: Flask, expected: list[str]) -> None:
    with app.app_context(), services().db.reading() as session:
        assert sorted(session.scalars(select(Record.code))) == expected
        assert session.scalar(select(CodeCounter.value).filter_by(category="CP", year=2026)) == len(expected)
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "record.submit", AuditEvent.object_id.in_(expected))) == len(expected)
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "record.submit")) == len(expected)
