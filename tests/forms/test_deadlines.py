"""Complaint response deadlines (5/8/12 working hours by level, from receipt: CP v6 counts them on
the office calendar) and `workflow tick`, with a frozen clock: the boundary second is in time, the
next one is overdue."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.audit.models import AuditEvent
from core.web import services
from forms.spec.library import SPEC_DIR
from forms.spec.parser import SpecError, parse_spec
from forms.working_time import OFFICE_ZONE, default_calendar
from tests.support.complaint_deadlines import complaint_due
from tests.support.instance import VALID_CP, login
from tests.support.pdf import text_of

RECEIVED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # VALID_CP's 09:00 in Shanghai, a plain Monday
CLASSIFIED = {"cause_class": "quality", "responsible_department": "CS"}


def classified(client, token_for, level: str) -> str:  # type: ignore[no-untyped-def]
    code = client.post("/api/v1/records", headers=token_for("clerk"),
                       json={"form": "CP", "data": VALID_CP}).json["code"]
    unclassified = client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json["due_at"]
    assert datetime.fromisoformat(unclassified) == complaint_due(RECEIVED)  # the strictest level's
    assert complaint_due(RECEIVED) == datetime(2026, 3, 2, 15, tzinfo=OFFICE_ZONE)  # 5 h, lunch off
    response = client.post(f"/api/v1/records/{code}/actions/classify", headers=token_for("supervisor"),
                           json={"fields": {**CLASSIFIED, "level": level}})
    assert response.status_code == 200, response.json
    return str(code)


def tick(app) -> str:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["workflow", "tick"])
    assert result.exit_code == 0, result.output
    return str(result.output)


@pytest.mark.parametrize(("level", "hours", "expected"), [
    ("1", 5, datetime(2026, 3, 2, 15, tzinfo=OFFICE_ZONE)),  # 09-12, 13-15
    ("2", 8, datetime(2026, 3, 3, 9, 30, tzinfo=OFFICE_ZONE)),  # Monday's 7.5 h, then half an hour
    ("3", 12, datetime(2026, 3, 3, 14, 30, tzinfo=OFFICE_ZONE)),
])
def test_the_deadline_is_working_hours_after_receipt_and_the_boundary_second_is_in_time(
        app, client, clock, token_for, level, hours, expected):  # type: ignore[no-untyped-def]
    code = classified(client, token_for, level)
    record = client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json
    due = datetime.fromisoformat(record["due_at"])
    assert due == expected == complaint_due(RECEIVED, level)
    assert default_calendar().working_between(RECEIVED, due) == timedelta(hours=hours)
    clock.current = due
    assert "Marked" not in tick(app)
    clock.advance(seconds=1)
    assert f"Marked 1 record(s) overdue: {code}." in tick(app)
    assert client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json["overdue"] is True


def test_tick_marks_once_and_leaves_answered_complaints_alone(app, client, clock, token_for):  # type: ignore[no-untyped-def]
    late, answered = classified(client, token_for, "1"), classified(client, token_for, "1")
    clerk = token_for("clerk")
    for action, fields in (("investigate", {"investigation": "抽检"}),
                           ("respond", {"root_cause": "运输", "corrective_action": "加固",
                                        "customer_reply": "已回复"})):
        assert client.post(f"/api/v1/records/{answered}/actions/{action}", headers=clerk,
                           json={"fields": fields}).status_code == 200
    clock.advance(hours=6)
    assert f"Marked 1 record(s) overdue: {late}." in tick(app)
    again = tick(app)
    assert "Marked" not in again and "1 record(s) overdue in all." in again
    with app.app_context(), services().db.reading() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "record.overdue"))
    assert events == 1
    page = app.test_client()
    login(page, "supervisor")
    inbox = page.get("/inbox", headers={"Accept-Language": "en"}).text
    assert inbox.index(late) < inbox.index("Overdue") < inbox.index("</tbody>")
    assert "Overdue" in page.get(f"/records/{late}", headers={"Accept-Language": "en"}).text


def test_a_corrected_level_moves_the_deadline_and_can_lift_the_overdue_mark(app, client, clock, token_for):  # type: ignore[no-untyped-def]
    code = classified(client, token_for, "1")
    clock.current = complaint_due(RECEIVED) + timedelta(minutes=30, microseconds=1)  # past level 1's
    tick(app)
    assert client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json["overdue"] is True
    corrected = client.post(f"/api/v1/records/{code}/actions/correct", headers=token_for("supervisor"),
                            json={"fields": {"level": "3"}, "reason": "实为重大投诉"})
    assert corrected.status_code == 200
    assert corrected.json["overdue"] is False  # level 3: Tuesday 14:30 in Shanghai
    assert corrected.json["due_at"].startswith("2026-03-03T06:30")


def test_the_receipt_promises_the_deadline_in_the_office_zone(app, client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = classified(client, token_for, "2")
    receipt = text_of(logged_in("clerk").get(f"/records/{code}.pdf?variant=receipt").data)
    assert "2026-03-03 09:30" in receipt  # 09:00 + 8 working hours (7.5 on Monday), Shanghai time


@pytest.mark.parametrize(("change", "problem"), [
    (('field = "level"', 'field = "complaint"'), "field 'complaint' must name a choice field"),
    (('start = "received_at"', 'start = "level"'), "start 'level' must name a datetime field"),
    (('"3" = 12 }', '"4" = 12 }'), "hours: '4' is not a value of level"),
    (('"1" = 5,', '"1" = 0,'), "hours: '1' must be a positive number of hours"),
    (('met = ["responded", "closed"]', 'met = ["answered"]'), "met: state 'answered' is not declared"),
])
def test_deadline_mistakes_in_a_spec_are_named(change: tuple[str, str], problem: str) -> None:
    text = (SPEC_DIR / "CP.toml").read_text(encoding="utf-8")
    assert change[0] in text
    with pytest.raises(SpecError) as refused:
        parse_spec(tomllib.loads(text.replace(*change)), "CP.toml")
    assert any(f"workflow.deadline: {problem}" in line for line in refused.value.problems)


def test_a_major_complaint_is_flagged_for_a_volume_of_its_own(client, token_for):  # type: ignore[no-untyped-def]
    code = classified(client, token_for, "3")
    assert client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json["flags"] == {
        "separate_volume": True}
    lowered = client.post(f"/api/v1/records/{code}/actions/correct", headers=token_for("supervisor"),
                          json={"fields": {"level": "2"}, "reason": "影响范围小"})
    assert lowered.json["flags"] == {}
    registered_major = client.post("/api/v1/records", headers=token_for("clerk"),
                                   json={"form": "CP", "data": {**VALID_CP, "level": "3"}})
    assert registered_major.status_code == 422  # the level is the supervisor's step (forms.steps)
    assert set(registered_major.json["fields"]) == {"level"}
