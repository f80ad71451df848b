"""A user's desk over the API (issue 15, item 13): the inbox, one action on several records at
once (the supervisor's day confirmation), and the day's visit registrations — the pages'
services, their refusals and audit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.clock import FrozenClock
from core.web import services
from tests.support.instance import VALID_CP
from tests.support.visits import sales_visit

MOMENT = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fractional(clock: FrozenClock) -> None:
    clock.current = MOMENT


def _events(app, action: str) -> list[tuple[str, str, dict]]:  # type: ignore[no-untyped-def,type-arg]
    with app.app_context(), services().db.reading() as session:
        rows = session.execute(select(AuditEvent.actor_name, AuditEvent.object_id, AuditEvent.detail)
                               .where(AuditEvent.action == action))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_the_inbox_lists_what_waits_by_deadline(app, client, token_for):  # type: ignore[no-untyped-def]
    clerk, boss = token_for("clerk"), token_for("supervisor")
    codes = [client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": VALID_CP}).json["code"]
             for _ in range(2)]
    waiting = client.get("/api/v1/inbox", headers=boss)
    assert waiting.status_code == 200 and waiting.json["total"] == 2
    assert {t["code"] for t in waiting.json["tasks"]} == set(codes)
    assert "classify" in waiting.json["tasks"][0]["actions"] and waiting.json["tasks"][0]["due_at"]
    assert client.get("/api/v1/inbox", headers=token_for("sales")).json["total"] == 0  # another department
    assert client.get("/api/v1/inbox").status_code == 401
    assert any(d.get("inbox") for _who, _obj, d in _events(app, "record.list"))


def test_a_supervisor_confirms_the_days_registrations_over_the_api(app, client, token_for):  # type: ignore[no-untyped-def]
    sales, boss = token_for("sales"), token_for("sales_boss")
    today = [sales_visit(client, sales, "2026-03-02", f"1370000111{n}") for n in range(3)]
    listed = client.get("/api/v1/registrations/day", headers=boss)  # the latest day still to confirm
    assert listed.status_code == 200 and listed.json["day"] == "2026-03-02"
    assert [r["code"] for r in listed.json["registrations"]] == today
    assert "周女士" not in str(client.get("/api/v1/registrations/day?day=2026-03-02",
                                          headers=token_for("auditor")).json)  # masked for the auditor
    assert client.get("/api/v1/registrations/day?day=March", headers=boss).status_code == 400

    body = {"records": [{"code": today[0], "revision": 1}, {"code": today[1], "revision": 1},
                        {"code": today[2], "revision": 7}]}
    refused = client.post("/api/v1/records/actions/confirm", headers=sales, json=body)
    assert refused.status_code == 200 and refused.json["done"] == []  # a clerk: each refused, with why
    assert set(refused.json["refused"]) == set(today)
    done = client.post("/api/v1/records/actions/confirm", headers=boss, json=body)
    assert done.json["done"] == today[:2] and "revision 1" in done.json["refused"][today[2]]
    for code in today[:2]:
        assert client.get(f"/api/v1/records/{code}", headers=sales).json["state"] == "confirmed"
    confirmed = {obj: (who, d["via"]) for who, obj, d in _events(app, "record.confirm")}
    assert confirmed == {today[0]: ("sales_boss", "api"), today[1]: ("sales_boss", "api")}
    assert len(_events(app, "record.confirm.denied")) == 4
    for bad in ({}, {"records": []}, {"records": [{"code": today[0]}]}, {"records": "x"},
                {"records": [], "x": 1}):
        assert client.post("/api/v1/records/actions/confirm", headers=boss, json=bad).status_code == 422
