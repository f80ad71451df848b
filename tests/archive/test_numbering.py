"""Code minting: unique, gap-free, per category and year (in the office's zone), under load.

16 submitters × 50 submissions run concurrently against a SQLite file and against a real
PostgreSQL server started by the test suite.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from archive.models import Record
from archive.numbering import next_sequence
from core.clock import FrozenClock
from core.web import services
from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of, make_app, populate

SUBMITTERS, EACH = 16, 50
VALID_VR = {"visit_date": "2026-03-02", "customer_name": "周女士", "phone": "13700001111",
            "needs": "三室两厅", "receiving_staff": "sales"}


def submit_as(app: Flask, username: str, form: str = "CP", data: dict | None = None) -> str:
    with app.app_context():
        s = services()
        return submit(s.db, s.clock, s.zone, actor_of(app, username), form,
                      data or VALID_CP).code


def hammer(app: Flask) -> list[str]:
    """SUBMITTERS threads, each submitting EACH complaints as fast as it can."""
    actor = actor_of(app, "clerk")
    codes: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(SUBMITTERS)

    def worker() -> None:
        try:
            with app.app_context():
                s = services()
                start.wait()
                for _ in range(EACH):
                    code = submit(s.db, s.clock, s.zone, actor, "CP", VALID_CP).code
                    with lock:
                        codes.append(code)
        except BaseException as exc:  # reported below, with the thread's error
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(SUBMITTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures[:3]
    return codes


def assert_gap_free(app: Flask, codes: list[str]) -> None:
    total = SUBMITTERS * EACH
    assert len(codes) == total and len(set(codes)) == total
    assert all(re.fullmatch(r"CP-2026-\d{6}", code) for code in codes)
    assert sorted(int(code[-6:]) for code in codes) == list(range(1, total + 1))
    with app.app_context(), services().db.reading() as session:
        stored = session.scalars(select(Record.code)).all()
    assert sorted(stored) == sorted(codes)


def test_concurrent_submitters_on_sqlite_get_distinct_gap_free_codes(app):
    assert_gap_free(app, hammer(app))


@pytest.mark.postgres
def test_concurrent_submitters_on_postgresql_get_distinct_gap_free_codes(pg_url, instance_dir):
    app = make_app(pg_url, FrozenClock(datetime(2026, 3, 2, 1, 30, tzinfo=UTC)))
    populate(app)
    try:
        assert_gap_free(app, hammer(app))
    finally:
        with app.app_context():
            services().db.dispose()


def test_each_category_counts_from_one(app):
    assert submit_as(app, "clerk") == "CP-2026-000001"
    assert submit_as(app, "clerk") == "CP-2026-000002"
    assert submit_as(app, "sales", "VR", VALID_VR) == "VR-2026-000001"


def test_the_year_is_the_submission_date_in_shanghai(app, clock):
    clock.current = datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Shanghai
    assert submit_as(app, "clerk") == "CP-2026-000001"
    clock.current = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # midnight, 1 January 2027
    assert submit_as(app, "clerk") == "CP-2027-000001"
    assert submit_as(app, "clerk") == "CP-2027-000002"


def test_a_rolled_back_submission_gives_its_number_back(app):
    class Abort(Exception):
        pass

    with app.app_context(), pytest.raises(Abort), services().db.transaction() as session:
        assert next_sequence(session, "CP", 2026) == 1
        raise Abort
    assert submit_as(app, "clerk") == "CP-2026-000001"


def test_an_invalid_submission_uses_no_number(app):
    from forms.validation import InvalidData

    with pytest.raises(InvalidData):
        submit_as(app, "clerk", data={**VALID_CP, "phone": "123"})
    assert submit_as(app, "clerk") == "CP-2026-000001"
