"""Item 11–13 on the real clock (no frozen whole seconds): a complaint 11 days past its deadline
is listed as overdue by the records API, a hold placed now shows on the record API, and an
access request's period is checked against the longest grant, all with the clock's microseconds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import SystemClock, local
from core.web import services
from tests.support.instance import VALID_CP


@pytest.fixture
def clock() -> SystemClock:
    return SystemClock()


def test_the_daily_work_api_on_the_system_clock(app, client, token_for) -> None:  # type: ignore[no-untyped-def]
    clerk, archivist = token_for("clerk"), token_for("archivist")
    with app.app_context():
        now = local(SystemClock().now(), services().zone)
    late = (now - timedelta(days=11)).isoformat(timespec="microseconds")
    code = client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": {
        **VALID_CP, "received_at": late}}).json["code"]
    fresh = client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": {
        **VALID_CP, "received_at": now.isoformat(timespec="microseconds")}}).json["code"]
    overdue = client.get("/api/v1/records?overdue=true", headers=clerk).json["records"]
    assert [r["code"] for r in overdue] == [code] and overdue[0]["overdue"] is True
    on_time = client.get("/api/v1/records?overdue=false", headers=clerk).json["records"]
    assert [r["code"] for r in on_time] == [fresh]

    hold = client.post("/api/v1/archive/holds", headers=archivist,
                       json={"name": "诉讼", "reason": "起诉"}).json
    client.post(f"/api/v1/archive/holds/{hold['id']}/records", headers=archivist, json={"codes": [code]})
    held = client.get(f"/api/v1/records/{code}/holds", headers=archivist).json
    assert held["held"] and held["holds"][0]["since"] >= late

    first = now.date().isoformat()
    app.config["ACCESS_GRANT_MAX_DAYS"] = 3
    data = {"applicant_department": "CS", "records_wanted": code, "purpose": "audit", "reason": "审计",
            "period_from": first, "period_to": (now.date() + timedelta(days=3)).isoformat()}
    refused = client.post("/api/v1/records", headers=clerk, json={"form": "AR", "data": data})
    assert refused.status_code == 422 and "at most 3 days" in refused.json["fields"]["period_to"]
    data["period_to"] = (now.date() + timedelta(days=2)).isoformat()
    assert client.post("/api/v1/records", headers=clerk, json={"form": "AR", "data": data}).status_code == 201
