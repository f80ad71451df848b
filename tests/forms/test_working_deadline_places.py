"""A complaint under the shipped working-clock CP (v6) shows one deadline in the API, on its page,
on its receipt PDF and in the statistics, at each edge of the calendar (the evening before
National Day, an adjusted working Sunday and Saturday (调休), midnight, the year's end into a
year with no published schedule); a record of v5 (registered and approved beside it in the real
test database, as on an upgraded instance) keeps the wall clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from flask import Flask

from core.web import services
from forms import office_calendar
from forms.statistics import complaint_stats
from forms.working_time import OFFICE_ZONE, install
from tests.support.complaint_deadlines import complaint_due, submit_under_v5
from tests.support.instance import VALID_CP, actor_of
from tests.support.pdf import text_of

EVENING_BEFORE_HOLIDAY = {**VALID_CP, "received_at": "2026-09-30T17:30:00+08:00"}


def test_one_deadline_in_api_page_and_receipt(app, client, token_for, logged_in):  # type: ignore[no-untyped-def]
    earlier = submit_under_v5(app, EVENING_BEFORE_HOLIDAY)
    posted = client.post("/api/v1/records", headers=token_for("clerk"),
                         json={"form": "CP", "data": EVENING_BEFORE_HOLIDAY}).json
    assert posted["version"] == 6
    api = client.get(f"/api/v1/records/{posted['code']}", headers=token_for("clerk")).json
    assert datetime.fromisoformat(api["due_at"]) == datetime(2026, 10, 8, 15, tzinfo=OFFICE_ZONE)
    old = client.get(f"/api/v1/records/{earlier}", headers=token_for("clerk")).json
    assert old["version"] == 5
    assert datetime.fromisoformat(old["due_at"]) == datetime(2026, 9, 30, 22, 30, tzinfo=OFFICE_ZONE)
    clerk = logged_in("clerk")
    for code, shown in ((posted["code"], "2026-10-08 15:00"), (earlier, "2026-09-30 22:30")):
        receipt = text_of(clerk.get(f"/records/{code}.pdf?variant=receipt").data)
        assert shown in receipt
        page = clerk.get(f"/records/{code}").get_data(as_text=True)
        assert shown in page
    level_3 = {"cause_class": "quality", "level": "3", "responsible_department": "CS"}
    classified = client.post(f"/api/v1/records/{earlier}/actions/classify", headers=token_for("supervisor"),
                             json={"fields": level_3})
    assert classified.status_code == 200, classified.json  # recomputed by v5's rule: 12 wall-clock hours
    due = datetime.fromisoformat(classified.json["due_at"])
    assert due == datetime(2026, 10, 1, 5, 30, tzinfo=OFFICE_ZONE)


def overdue_now(app: Flask) -> int:
    with app.app_context():
        s = services()
        return complaint_stats(s.db, s.clock, s.zone, actor_of(app, "admin"), weeks=2, locale="en").overdue


def test_statistics_and_api_agree_on_who_is_late(app, client, token_for, clock):  # type: ignore[no-untyped-def]
    clock.current = datetime(2026, 9, 30, 17, 40, 0, 123456, tzinfo=OFFICE_ZONE)  # registered then
    earlier = submit_under_v5(app, EVENING_BEFORE_HOLIDAY)
    working = client.post("/api/v1/records", headers=token_for("clerk"),
                          json={"form": "CP", "data": EVENING_BEFORE_HOLIDAY}).json["code"]

    def late(code: str) -> bool:
        return bool(client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json["overdue"])

    clock.current = datetime(2026, 10, 2, 12, 0, 0, 123456, tzinfo=OFFICE_ZONE)  # mid-holiday
    assert (late(earlier), late(working), overdue_now(app)) == (True, False, 1)
    clock.current = datetime(2026, 10, 8, 15, 0, 0, tzinfo=OFFICE_ZONE)  # the boundary: in time
    assert (late(working), overdue_now(app)) == (False, 1)
    clock.current = datetime(2026, 10, 8, 15, 0, 0, 1, tzinfo=OFFICE_ZONE)
    assert (late(working), overdue_now(app)) == (True, 2)


def shanghai(*moment: int) -> datetime:
    return datetime(*moment, tzinfo=OFFICE_ZONE)


#: (received, level or None: unclassified, the deadline): every one counted by hand.
EDGES = {
    # 1-7 October are the holiday; the hours start on Thursday 8 October at 09:00
    "holiday-eve": ("2026-09-30T17:30:00.123456+08:00", None, shanghai(2026, 10, 8, 15)),
    "holiday-eve-level-3": ("2026-09-30T17:30:00.123456+08:00", "3", shanghai(2026, 10, 9, 14, 30)),
    # Sunday 20 September is a working day (国庆节调休上班): 2 h before lunch, 3 after
    "adjusted-sunday": ("2026-09-20T10:00:00.500000+08:00", None, shanghai(2026, 9, 20, 16, 0, 0, 500000)),
    # Friday 9 October's last half hour, then Saturday 10 October (调休) works Monday's hours
    "adjusted-saturday": ("2026-10-09T17:00:00.250000+08:00", None,
                          shanghai(2026, 10, 10, 14, 30, 0, 250000)),
    "a-microsecond-before-midnight": ("2026-03-03T23:59:59.999999+08:00", None, shanghai(2026, 3, 4, 15)),
    "across-midnight": ("2026-03-03T16:00:00.000001+08:00", None, shanghai(2026, 3, 4, 13, 30, 0, 1)),
    # 2027's schedule is not published: New Year's Day (a Friday) counts as a working day until
    # it is imported (docs/calendar.md); the weekend does not: Monday 4 January
    "year-end-level-3": ("2026-12-31T17:00:00.750000+08:00", "3", shanghai(2027, 1, 4, 14, 0, 0, 750000)),
}


@pytest.mark.parametrize(("received", "level", "due"), EDGES.values(), ids=EDGES.keys())
def test_each_calendar_edge_shows_one_deadline_everywhere(  # type: ignore[no-untyped-def]
        app, client, clock, token_for, logged_in, received, level, due) -> None:
    clock.current = datetime.fromisoformat(received) + timedelta(minutes=1, microseconds=7)  # typed in then
    posted = client.post("/api/v1/records", headers=token_for("clerk"),
                         json={"form": "CP", "data": {**VALID_CP, "received_at": received}})
    assert posted.status_code == 201, posted.json
    code = posted.json["code"]
    if level:
        classified = client.post(f"/api/v1/records/{code}/actions/classify", headers=token_for("supervisor"),
                                 json={"fields": {"cause_class": "quality", "level": level,
                                                  "responsible_department": "CS"}})
        assert classified.status_code == 200, classified.json
    api = client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json
    expected = complaint_due(datetime.fromisoformat(received), level)
    assert datetime.fromisoformat(api["due_at"]) == due == expected
    shown = f"{due:%Y-%m-%d %H:%M}"
    clerk = logged_in("clerk")
    assert shown in clerk.get(f"/records/{code}").get_data(as_text=True)
    assert shown in text_of(clerk.get(f"/records/{code}.pdf?variant=receipt").data)
    inbox = logged_in("supervisor").get("/inbox", headers={"Accept-Language": "en"}).text
    assert f"Answer due {shown}" in inbox

    def late() -> bool:
        return bool(client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json["overdue"])

    clock.current = due  # the boundary is in time, everywhere
    assert (late(), overdue_now(app)) == (False, 0)
    clock.current = due + timedelta(microseconds=1)
    assert (late(), overdue_now(app)) == (True, 1)


@pytest.fixture
def shipped_calendar_after() -> Iterator[None]:
    """A calendar change is held for the process too (forms.working_time.install): put back."""
    yield
    install(None)


def test_after_a_calendar_change_the_receipt_shows_the_stored_deadline(  # type: ignore[no-untyped-def]
        app, client, token_for, logged_in, shipped_calendar_after) -> None:
    """An answered complaint keeps the deadline it was answered against (only open ones are
    recomputed by a calendar change); the receipt computed it again and promised another time
    than the page showed."""
    code = client.post("/api/v1/records", headers=token_for("clerk"),
                       json={"form": "CP", "data": VALID_CP}).json["code"]
    level_1 = {"cause_class": "quality", "level": "1", "responsible_department": "CS"}
    answered = {"root_cause": "运输", "corrective_action": "加固", "customer_reply": "已回复"}
    for action, who, fields in (("classify", "supervisor", level_1),
                                ("investigate", "clerk", {"investigation": "抽检"}),
                                ("respond", "clerk", answered)):
        answer = client.post(f"/api/v1/records/{code}/actions/{action}", headers=token_for(who),
                             json={"fields": fields})
        assert answer.status_code == 200, answer.json
    with app.app_context():
        s = services()
        office_calendar.set_day(s.db, s.clock, actor_of(app, "admin"), date(2026, 3, 2), False, "停电")
    api = client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json
    assert datetime.fromisoformat(api["due_at"]) == datetime(2026, 3, 2, 15, tzinfo=OFFICE_ZONE)
    clerk = logged_in("clerk")
    assert "2026-03-02 15:00" in clerk.get(f"/records/{code}").get_data(as_text=True)
    receipt = text_of(clerk.get(f"/records/{code}.pdf?variant=receipt").data)
    assert "2026-03-02 15:00" in receipt and "2026-03-03" not in receipt
