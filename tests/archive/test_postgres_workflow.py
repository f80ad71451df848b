"""The workflow's database work on a real PostgreSQL server: row-locked actions, the deadline
tick's conditional UPDATE … RETURNING, JSON lookups (the day's visits), claims and grants."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.support.complaint_deadlines import complaint_due
from tests.support.instance import VALID_CP, login

pytestmark = pytest.mark.postgres


def token(app, username: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    value = app.test_cli_runner().invoke(args=["tokens", "create", username]).output.strip()
    return {"Authorization": f"Bearer {value}", "Accept-Language": "en"}


def test_actions_tick_claims_day_register_and_grants_on_postgresql(pg_app, clock):  # type: ignore[no-untyped-def]
    client = pg_app.test_client()
    clerk, boss, sales, sales_boss, archivist = (token(pg_app, u) for u in (
        "clerk", "supervisor", "sales", "sales_boss", "archivist"))
    code = client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": VALID_CP}).json["code"]
    classified = client.post(f"/api/v1/records/{code}/actions/classify", headers=boss, json={
        "fields": {"cause_class": "quality", "level": "1", "responsible_department": "CS"}, "revision": 1})
    assert classified.status_code == 200, classified.json
    stale = client.post(f"/api/v1/records/{code}/actions/countersign", headers=boss, json={"revision": 1})
    assert stale.status_code == 409
    clock.current = complaint_due(datetime.fromisoformat(VALID_CP["received_at"])) + timedelta(microseconds=1)
    tick = pg_app.test_cli_runner().invoke(args=["workflow", "tick"]).output
    assert f"Marked 1 record(s) overdue: {code}." in tick
    assert "Marked" not in pg_app.test_cli_runner().invoke(args=["workflow", "tick"]).output

    visit = {"visit_date": "2026-03-02", "customer_name": "周女士", "phone": "13700001111", "needs": "三居室",
             "receiving_staff": "sales"}
    first = client.post("/api/v1/records", headers=sales, json={"form": "VR", "data": visit}).json
    second = client.post("/api/v1/records", headers=sales_boss, json={"form": "VR", "data": {
        **visit, "receiving_staff": "sales_boss"}, "confirm_conflict": True}).json
    assert second["flags"]["conflict_with"] == first["code"]
    web = pg_app.test_client()
    login(web, "sales_boss")
    day = web.get("/registrations/day?day=2026-03-02").text
    assert first["code"] in day and second["code"] in day

    ar = client.post("/api/v1/records", headers=sales, json={"form": "AR", "data": {
        "applicant_department": "SALES", "records_wanted": code, "purpose": "complaint", "reason": "跟进",
        "period_from": "2026-03-02", "period_to": "2026-03-02"}}).json["code"]
    assert client.get(f"/api/v1/records/{code}", headers=sales).status_code == 403
    assert client.post(f"/api/v1/records/{ar}/actions/approve", headers=archivist, json={}).status_code == 200
    assert client.get(f"/api/v1/records/{code}", headers=sales).status_code == 200


def test_a_registration_waits_for_a_concurrent_one_of_the_same_customer(pg_app, clock):  # type: ignore[no-untyped-def]
    """Two registrations of one customer at the same instant: the second waits until the first
    commits, then sees its claim and is flagged (without the lock it saw nothing and was not)."""
    from datetime import date

    from core.web import services
    from forms.submission import submit
    from tests.support.claims import while_a_claim_is_open
    from tests.support.instance import actor_of

    def second() -> object:
        s = services()
        return submit(s.db, s.clock, s.zone, actor_of(pg_app, "sales_boss"), "VR", {
            "visit_date": "2026-03-02", "customer_name": "吴先生", "phone": "13700002222",
            "needs": "两居室", "receiving_staff": "sales_boss"}, confirmed=True)

    view = while_a_claim_is_open(pg_app, clock, phone="13700002222", record_code="VR-2026-999001",
                                 until=date(2026, 4, 30), work=second, what="the second registration")
    flags = view.flags  # type: ignore[attr-defined]
    assert flags["conflict_with"] == "VR-2026-999001" and flags["claimed_by"] == "sales"
