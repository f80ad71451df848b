"""档号 minted at filing, on SQLite and PostgreSQL: the levels from the settings, the record's
code year, its class and its department; item numbers per group without gaps, given back by a
rolled-back filing, never changed by a correction or a reclassification, unique by constraint;
on a frozen clock with microseconds and on the system clock."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from archive import retention
from archive.archival_numbering import current_scheme, mint
from archive.models import Record
from archive.retention import class_view
from core.clock import FrozenClock, SystemClock
from core.web import services
from forms.submission import submit
from tests.support.archival import ENGINES, MICRO_START, archival_code_of, counters, events
from tests.support.instance import actor_of, make_app
from tests.support.lifecycle import close_complaint, filed_complaints, new_complaint, step, work_outbox

GROUP_CS = ("Q012", "WS", 2026, "D3", "KF")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(MICRO_START)


@pytest.fixture(params=ENGINES)
def any_app(request: pytest.FixtureRequest) -> Flask:
    return request.getfixturevalue(request.param)


def test_filed_complaints_are_numbered_in_their_group_without_gaps(any_app: Flask) -> None:
    codes = filed_complaints(any_app, 3)
    assert [archival_code_of(any_app, code) for code in codes] == [
        "Q012-WS·2026-D3-KF-0001", "Q012-WS·2026-D3-KF-0002", "Q012-WS·2026-D3-KF-0003"]
    assert counters(any_app) == {GROUP_CS: 3}
    filed = {event.object_id: event.detail["archival_code"] for event in events(any_app, "record.file")}
    assert filed == {code: archival_code_of(any_app, code) for code in codes}


def test_another_department_and_class_is_another_group(any_app: Flask) -> None:
    [complaint] = filed_complaints(any_app, 1)
    visit = filed_visit(any_app)
    assert archival_code_of(any_app, complaint) == "Q012-WS·2026-D3-KF-0001"
    assert archival_code_of(any_app, visit) == "Q012-WS·2026-D3-XS-0001"


VISIT = {"visit_date": "2026-03-02", "customer_name": "周女士", "phone": "13700001111",
         "needs": "三室两厅", "receiving_staff": "sales"}


def filed_visit(app: Flask) -> str:
    """A visit registered by the sales clerk, confirmed and countersigned by their supervisor,
    filed by the outbox."""
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "sales"), "VR", VISIT).code
    step(app, code, "confirm", "sales_boss")
    step(app, code, "countersign", "sales_boss")
    work_outbox(app)
    return code


def test_settings_choose_the_fonds_the_category_and_the_organisation(template_db, instance_dir,
                                                                      clock) -> None:
    database = instance_dir / "dossier.sqlite3"
    shutil.copy(template_db, database)
    app = make_app(f"sqlite:///{database}", clock, ARCHIVAL_FONDS="X001", ARCHIVAL_CATEGORIES={"CP": "KJ"},
                   ARCHIVAL_ORGANISATIONS={"CS": "KFB"})
    [code] = filed_complaints(app, 1)
    assert archival_code_of(app, code) == "X001-KJ·2026-D3-KFB-0001"
    with app.app_context():
        services().db.dispose()


def test_the_year_is_the_records_code_year_not_the_filing_year(any_app: Flask, clock: FrozenClock) -> None:
    clock.current = datetime(2026, 12, 31, 15, 59, 59, 999999, tzinfo=UTC)  # 23:59:59.999999 in Shanghai
    code = new_complaint(any_app, received_at="2026-12-31T23:00:00+08:00")
    clock.advance(days=2)  # closed and filed in January 2027
    close_complaint(any_app, code)
    work_outbox(any_app)
    assert code.startswith("CP-2026-")
    assert archival_code_of(any_app, code) == "Q012-WS·2026-D3-KF-0001"


def test_a_correction_after_filing_never_renumbers(any_app: Flask) -> None:
    [code] = filed_complaints(any_app, 1)
    step(any_app, code, "correct", "clerk", {"order_no": "SO-2026-0001"}, reason="订单号漏填")
    work_outbox(any_app)
    [later] = filed_complaints(any_app, 1)
    assert archival_code_of(any_app, code) == "Q012-WS·2026-D3-KF-0001"
    assert archival_code_of(any_app, later) == "Q012-WS·2026-D3-KF-0002"
    assert counters(any_app) == {GROUP_CS: 2}


def test_changing_the_class_is_audited_and_renumbers_nothing(any_app: Flask) -> None:
    [code] = filed_complaints(any_app, 1)
    with any_app.app_context():
        s = services()
        values = {**class_view_values(any_app, "complaint-3y"), "years": 10}
        retention.update_class(s.db, s.clock, actor_of(any_app, "admin"), "complaint-3y", values, zone=s.zone)
    [change] = events(any_app, "retention.update")
    assert (change.detail["before"]["years"], change.detail["after"]["years"]) == (3, 10)
    assert change.detail["retention_code"] == {"before": "D3", "after": "D10", "archival_codes_kept": True}
    assert archival_code_of(any_app, code) == "Q012-WS·2026-D3-KF-0001"
    [later] = filed_complaints(any_app, 1)  # filed under the class as it is now: a new group
    assert archival_code_of(any_app, later) == "Q012-WS·2026-D10-KF-0001"
    assert counters(any_app) == {GROUP_CS: 1, ("Q012", "WS", 2026, "D10", "KF"): 1}


def class_view_values(app: Flask, code: str) -> dict:
    with app.app_context(), services().db.reading() as session:
        return class_view(session, code).values()


def test_a_filing_rolled_back_gives_its_number_back(any_app: Flask) -> None:
    code = new_complaint(any_app)
    with any_app.app_context(), pytest.raises(RuntimeError, match="Q012-WS·2026-D3-KF-0001"), \
            services().db.transaction() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        raise RuntimeError(mint(session, record, class_view(session, "complaint-3y"), current_scheme(), "CS"))
    assert archival_code_of(any_app, code) is None and counters(any_app) == {}
    [filed] = filed_complaints(any_app, 1)
    assert archival_code_of(any_app, filed) == "Q012-WS·2026-D3-KF-0001"


def test_a_record_that_has_its_reference_keeps_it(any_app: Flask) -> None:
    [code] = filed_complaints(any_app, 1)
    with any_app.app_context(), services().db.transaction() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        assert mint(session, record, class_view(session, "permanent"), current_scheme(), "QA") == \
            "Q012-WS·2026-D3-KF-0001"
    assert counters(any_app) == {GROUP_CS: 1}


def test_two_records_cannot_hold_one_reference(any_app: Flask) -> None:
    first, second = filed_complaints(any_app, 2)
    taken = archival_code_of(any_app, first)
    with any_app.app_context(), pytest.raises(IntegrityError), services().db.transaction() as session:
        session.execute(update(Record).where(Record.code == second).values(archival_code=taken))


def test_filing_on_the_system_clock(template_db, instance_dir) -> None:
    database = instance_dir / "dossier.sqlite3"
    shutil.copy(template_db, database)
    app = make_app(f"sqlite:///{database}", SystemClock())
    try:
        [code] = filed_complaints(app, 1)
        year = int(code.split("-")[1])
        assert archival_code_of(app, code) == f"Q012-WS·{year}-D3-KF-0001"
    finally:
        with app.app_context():
            services().db.dispose()
