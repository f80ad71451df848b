"""A complaint under a working-clock CP version (registered and approved in the real test
database) shows one deadline in the API, on its page, on its receipt PDF and in the statistics; an earlier
version's record keeps the wall clock."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path

from flask import Flask

from core.web import services
from forms import versions
from forms.spec.library import SPEC_DIR
from forms.spec.parser import parse_spec
from forms.statistics import complaint_stats
from forms.working_time import OFFICE_ZONE
from tests.support.instance import VALID_CP, actor_of
from tests.support.pdf import text_of

EVENING_BEFORE_HOLIDAY = {**VALID_CP, "received_at": "2026-09-30T17:30:00+08:00"}


def register_working_cp(app: Flask) -> int:
    raw = tomllib.loads((Path(SPEC_DIR) / "CP.toml").read_text(encoding="utf-8"))
    raw["version"] += 1
    raw["workflow"]["deadline"]["clock"] = "working"
    spec = parse_spec(raw, "CP (working clock, test)")
    with app.app_context():
        db, clock = services().db, services().clock
        versions.register_specs(db, clock, {"CP": spec})
        versions.approve(db, clock, actor_of(app, "admin"), "CP", spec.version)
    return spec.version


def test_one_deadline_in_api_page_and_receipt(app, client, token_for, logged_in):  # type: ignore[no-untyped-def]
    earlier = client.post("/api/v1/records", headers=token_for("clerk"),
                          json={"form": "CP", "data": EVENING_BEFORE_HOLIDAY}).json
    version = register_working_cp(app)
    posted = client.post("/api/v1/records", headers=token_for("clerk"),
                         json={"form": "CP", "data": EVENING_BEFORE_HOLIDAY}).json
    assert (posted["version"], earlier["version"]) == (version, version - 1)
    api = client.get(f"/api/v1/records/{posted['code']}", headers=token_for("clerk")).json
    assert datetime.fromisoformat(api["due_at"]) == datetime(2026, 10, 8, 15, tzinfo=OFFICE_ZONE)
    old = client.get(f"/api/v1/records/{earlier['code']}", headers=token_for("clerk")).json
    assert datetime.fromisoformat(old["due_at"]) == datetime(2026, 9, 30, 22, 30, tzinfo=OFFICE_ZONE)
    clerk = logged_in("clerk")
    receipt = text_of(clerk.get(f"/records/{posted['code']}.pdf?variant=receipt").data)
    assert "2026-10-08 15:00" in receipt
    page = clerk.get(f"/records/{posted['code']}").get_data(as_text=True)
    assert "2026-10-08 15:00" in page


def overdue_now(app: Flask) -> int:
    with app.app_context():
        s = services()
        return complaint_stats(s.db, s.clock, s.zone, actor_of(app, "admin"), weeks=2, locale="en").overdue


def test_statistics_and_api_agree_on_who_is_late(app, client, token_for, clock):  # type: ignore[no-untyped-def]
    clock.current = datetime(2026, 9, 30, 17, 40, 0, 123456, tzinfo=OFFICE_ZONE)  # registered then
    earlier = client.post("/api/v1/records", headers=token_for("clerk"),
                          json={"form": "CP", "data": EVENING_BEFORE_HOLIDAY}).json["code"]
    register_working_cp(app)
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
