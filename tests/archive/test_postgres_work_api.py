"""Issue 15's API for the daily work on a real PostgreSQL server: the record list's filters
(overdue read now, code year, department), a hold that adds the valid codes and names the
refused ones, four eyes on an access request's approval."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.clock import FrozenClock
from tests.support.instance import VALID_CP

pytestmark = pytest.mark.postgres


def _token(app, username: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    token = app.test_cli_runner().invoke(args=["tokens", "create", username]).output.strip()
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def test_lists_holds_and_four_eyes_on_postgresql(pg_app, clock: FrozenClock) -> None:  # type: ignore[no-untyped-def]
    clock.current = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
    client = pg_app.test_client()
    clerk, archivist, admin = (_token(pg_app, u) for u in ("clerk", "archivist", "admin"))
    code = client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": VALID_CP}).json["code"]
    on_time = client.get("/api/v1/records?overdue=false&year=2026&department=cs", headers=clerk).json
    assert on_time["total"] == 1
    clock.current = datetime(2026, 3, 13, 1, 30, 0, 654321, tzinfo=UTC)  # 11 days on
    late = client.get("/api/v1/records?overdue=true", headers=clerk).json
    assert [r["code"] for r in late["records"]] == [code] and late["records"][0]["overdue"]
    assert client.get("/api/v1/records?overdue=false", headers=clerk).json["total"] == 0

    hold = client.post("/api/v1/archive/holds", headers=archivist,
                       json={"name": "诉讼", "reason": "起诉"}).json
    added = client.post(f"/api/v1/archive/holds/{hold['id']}/records", headers=archivist,
                        json={"codes": [code, "CP-2026-99999", "XX"]}).json
    assert added["added"] == [code] and set(added["refused"]) == {"CP-2026-099999", "XX"}

    data = {"applicant_department": "ARCHIVE", "records_wanted": code, "purpose": "audit",
            "reason": "审计", "period_from": "2026-03-13", "period_to": "2026-03-14"}
    ar = client.post("/api/v1/records", headers=archivist, json={"form": "AR", "data": data}).json["code"]
    assert client.post(f"/api/v1/records/{ar}/actions/approve", headers=archivist, json={}).status_code == 403
    assert client.post(f"/api/v1/records/{ar}/actions/approve", headers=admin, json={}).status_code == 200
