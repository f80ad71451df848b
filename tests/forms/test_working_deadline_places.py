"""A complaint under the shipped working-clock CP (v6) shows one deadline in the API, on its page,
on its receipt PDF and in the statistics; a record of v5 (registered and approved beside it in the
real test database, as on an upgraded instance) keeps the wall clock."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from core.web import services
from forms.statistics import complaint_stats
from forms.working_time import OFFICE_ZONE
from tests.support.complaint_deadlines import submit_under_v5
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
