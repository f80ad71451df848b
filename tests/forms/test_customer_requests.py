"""Personal data requests (PR): gathered by the customer's phone however written, decided per
record, carried out in one audited step: what is past its duty anonymised, the rest kept with
the reason and the date until when; the response deadline and its overdue mark read at read time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from archive.models import Record
from core.auth.roles import PermissionDenied
from core.web import services
from forms.customer_requests.deciding import request_page
from forms.inbox import inbox
from forms.validation import InvalidData
from forms.workflow import ActionRefused
from tests.support.customer_requests import (
    CUSTOMER,
    PHONE,
    SPELLINGS,
    all_text,
    customer_complaint,
    decide_on,
    events,
    hold,
    items,
    register,
    step,
)
from tests.support.instance import actor_of
from tests.support.lifecycle import new_complaint

#: From the clock's start (2026-03-02) to 2029-06-01 09:30 Shanghai: a complaint filed on the
#: first day is past its three years (kept to 2029-03-02), one filed then is kept to 2032-06-01.
TO_2029_06_01 = (date(2029, 6, 1) - date(2026, 3, 2)).days


def now_text(app: Flask) -> str:
    with app.app_context():
        return services().clock.now().astimezone(services().zone).isoformat()


def a_customer_of_several_ages(app: Flask, clock) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The customer's complaints: filed three years ago (past), filed then and held (held),
    filed today (recent), still open (open); and a stranger's."""
    clock.current = clock.current.replace(microsecond=123456)
    past = customer_complaint(app, SPELLINGS[0], filed=True)
    held = customer_complaint(app, SPELLINGS[1], filed=True)
    clock.advance(days=TO_2029_06_01)
    hold(app, held, clock.now())
    recent = customer_complaint(app, SPELLINGS[2], filed=True)
    open_one = customer_complaint(app, PHONE, filed=False)
    stranger = new_complaint(app, customer_name="周先生", phone="13911112222")
    return {"past": past, "held": held, "recent": recent, "open": open_one, "stranger": stranger}


def test_a_deletion_request_anonymises_what_is_past_its_duty_and_keeps_the_rest(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    records = a_customer_of_several_ages(app, clock)
    code = register(app, received_at=now_text(app))
    step(app, code, "gather", "clerk")
    gathered = items(app, code)
    assert set(gathered) == {records[k] for k in ("past", "held", "recent", "open")}

    with app.app_context():
        s = services()
        page = request_page(s.db, s.clock, s.zone, actor_of(app, "supervisor"), code)
    duties = {i.record_code: i.duty for i in page.items}
    assert duties[records["past"]] is None
    assert duties[records["held"]].kind == "hold" and duties[records["open"]].kind == "open"
    recent = duties[records["recent"]]
    assert (recent.kind, recent.until) == ("personal-period", date(2032, 6, 1))

    with pytest.raises(InvalidData) as refused:  # a record under a duty can only be kept
        decide_on(app, code, records["recent"], deletion="delete")
    assert "deletion" in refused.value.errors
    for key in ("held", "recent", "open"):
        decide_on(app, code, records[key], deletion="keep")
    with pytest.raises(InvalidData):  # not everything decided yet
        step(app, code, "carry_out", "supervisor")
    decide_on(app, code, records["past"], deletion="delete")
    step(app, code, "carry_out", "supervisor")

    assert PHONE not in all_text(app, records["past"]) and CUSTOMER not in all_text(app, records["past"])
    for key in ("held", "recent", "open"):
        assert CUSTOMER in all_text(app, records[key]), key
    done = items(app, code)
    assert done[records["past"]].outcome == "anonymised"
    assert {done[records[k]].outcome for k in ("held", "recent", "open")} == {"kept"}
    assert done[records["recent"]].keep_until == date(2032, 6, 1)
    assert "保存期限尚未届满" in done[records["recent"]].keep_reason
    assert "legal hold" in done[records["held"]].keep_reason and done[records["held"]].keep_until is None
    with app.app_context(), services().db.reading() as session:
        assert session.scalar(select(Record.state).where(Record.code == code)) == "carried_out"
    assert [e.object_id for e in events(app, "record.anonymise")] == [records["past"]]
    assert sorted(e.object_id for e in events(app, "record.keep")) == sorted(
        records[k] for k in ("held", "recent", "open"))
    assert len(events(app, "customer_request.decide", code)) == 4
    assert len(events(app, "customer_request.gather", code)) == 1
    outcomes = events(app, "customer_request.carry_out", code)[0].detail["outcomes"]
    assert outcomes[records["past"]] == "anonymised" and PHONE not in repr(outcomes)


def test_a_hold_placed_after_the_decision_keeps_the_record(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    records = a_customer_of_several_ages(app, clock)
    code = register(app, received_at=now_text(app))
    step(app, code, "gather", "clerk")
    for key in ("held", "recent", "open"):
        decide_on(app, code, records[key], deletion="keep")
    decide_on(app, code, records["past"], deletion="delete")
    hold(app, records["past"], clock.now())
    step(app, code, "carry_out", "supervisor")
    assert CUSTOMER in all_text(app, records["past"])
    assert items(app, code)[records["past"]].outcome == "kept"
    assert events(app, "record.anonymise") == []


def test_the_answer_is_due_in_fifteen_days_and_overdue_without_a_tick(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    clock.current = clock.current.replace(microsecond=123456)
    received = clock.now()
    code = register(app, received_at=received.astimezone(UTC).isoformat())
    with app.app_context():
        s = services()
        view = request_page(s.db, s.clock, s.zone, actor_of(app, "supervisor"), code).request
        assert view.due_at == received.replace(microsecond=123456) + timedelta(days=15)
        assert view.overdue_at is None
        clock.current = view.due_at  # the boundary is in time
        supervisor = actor_of(app, "supervisor")
        assert request_page(s.db, s.clock, s.zone, supervisor, code).request.overdue_at is None
        clock.advance(microseconds=1)
        late = request_page(s.db, s.clock, s.zone, supervisor, code).request
        assert late.overdue_at == view.due_at
        tasks, _total = inbox(s.db, s.clock, actor_of(app, "clerk"))
        assert [t.overdue for t in tasks if t.code == code] == [True]


def test_the_setting_changes_the_deadline(template_db, instance_dir, clock) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from tests.support.instance import make_app
    database = instance_dir / "dossier.sqlite3"
    shutil.copy(template_db, database)
    app = make_app(f"sqlite:///{database}", clock, CUSTOMER_REQUEST_DAYS=10)
    code = register(app, received_at="2026-03-02T09:00:00+08:00")
    with app.app_context():
        s = services()
        view = request_page(s.db, s.clock, s.zone, actor_of(app, "supervisor"), code).request
        assert view.due_at == datetime(2026, 3, 12, 1, 0, tzinfo=UTC)
        s.db.dispose()


@pytest.mark.parametrize(("who", "may"), [("clerk", True), ("supervisor", True), ("admin", True),
                                          ("sales", False), ("sales_boss", False), ("archivist", False)])
def test_who_may_register(app: Flask, who: str, may: bool) -> None:
    if may:
        assert register(app, who).startswith("PR-")
    else:
        with pytest.raises(PermissionDenied):
            register(app, who)


@pytest.mark.parametrize(("who", "may"), [("supervisor", True), ("admin", True), ("clerk", False),
                                          ("sales_boss", False), ("auditor", False), ("archivist", False)])
def test_who_may_decide_and_carry_out(app: Flask, who: str, may: bool) -> None:
    past = customer_complaint(app, PHONE, filed=False)
    code = register(app, "clerk", received_at=now_text(app))
    step(app, code, "gather", "clerk")
    if not may:
        with pytest.raises(PermissionDenied):
            decide_on(app, code, past, who, deletion="keep")
        decide_on(app, code, past, "supervisor", deletion="keep")
        with pytest.raises((PermissionDenied, ActionRefused)):
            step(app, code, "carry_out", who)
        # refused by the decision's own rule, or already by reading the request (another department)
        assert events(app, "customer_request.decide.denied", code) or events(app, "record.read.denied", code)
        return
    decide_on(app, code, past, who, deletion="keep")
    step(app, code, "carry_out", who)
    assert items(app, code)[past].outcome == "kept"


def test_the_registering_supervisor_may_not_decide_or_carry_out(app: Flask) -> None:
    open_one = customer_complaint(app, PHONE, filed=False)
    code = register(app, "supervisor", received_at=now_text(app))
    step(app, code, "gather", "supervisor")
    with pytest.raises(PermissionDenied):
        decide_on(app, code, open_one, "supervisor", deletion="keep")
    decide_on(app, code, open_one, "admin", deletion="keep")
    with pytest.raises(PermissionDenied):
        step(app, code, "carry_out", "supervisor")
    step(app, code, "carry_out", "admin")


def test_a_correction_is_a_kanwu_amendment_with_the_request_as_reason(app: Flask) -> None:
    complaint = customer_complaint(app, PHONE, filed=False)
    code = register(app, request_kinds=["correct"], correction_wanted="姓名应为 钱文华（不是 钱文化）",
                    received_at=now_text(app))
    step(app, code, "gather", "clerk")
    with pytest.raises(InvalidData) as wrong:
        decide_on(app, code, complaint, correction={"no_such_field": "x"})
    assert "correction" in wrong.value.errors
    with pytest.raises(InvalidData) as bad_phone:
        decide_on(app, code, complaint, correction={"phone": "12"})
    assert "phone" in bad_phone.value.errors
    decide_on(app, code, complaint, correction={"customer_name": "钱文化"})
    step(app, code, "carry_out", "supervisor")
    with app.app_context(), services().db.reading() as session:
        record = session.scalar(select(Record).where(Record.code == complaint))
        assert record.data["customer_name"] == "钱文化"
    corrected = events(app, "record.correct", complaint)
    assert len(corrected) == 1 and corrected[0].detail["via"] == "customer-request"
    assert items(app, code)[complaint].outcome == "corrected"


@pytest.mark.postgres
def test_a_deletion_request_on_postgresql(pg_app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    """The same path on a real PostgreSQL server: locks, JSONB corrections, the items table."""
    records = a_customer_of_several_ages(pg_app, clock)
    code = register(pg_app, request_kinds=["delete", "correct"], received_at=now_text(pg_app))
    step(pg_app, code, "gather", "clerk")
    decide_on(pg_app, code, records["past"], deletion="delete")
    decide_on(pg_app, code, records["open"], deletion="keep", correction={"customer_name": "钱文化"})
    for key in ("held", "recent"):
        decide_on(pg_app, code, records[key], deletion="keep")
    step(pg_app, code, "carry_out", "admin")
    done = items(pg_app, code)
    assert {k: done[records[k]].outcome for k in records if k != "stranger"} == {
        "past": "anonymised", "held": "kept", "recent": "kept", "open": "kept"}
    assert CUSTOMER not in all_text(pg_app, records["past"]) and "钱文化" in all_text(pg_app, records["open"])
    assert len(events(pg_app, "record.correct", records["open"])) == 1
