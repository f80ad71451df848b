"""The API does the daily work the pages do (issue 15, item 13): record lists with the page's
filters, drafts, revisions, and form schemas that publish the valid users and departments —
each with the page's permission checks and audit, errors as {"error", "fields"}."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.auth import accounts
from core.clock import FrozenClock
from core.web import services
from tests.support.instance import PASSWORD, VALID_CP, csrf_token

MOMENT = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fractional(clock: FrozenClock) -> None:
    clock.current = MOMENT


def _audit(app, action: str) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def,type-arg]
    with app.app_context(), services().db.reading() as session:
        return [(actor, detail) for actor, detail in session.execute(
            select(AuditEvent.actor_name, AuditEvent.detail).where(AuditEvent.action == action)
            .order_by(AuditEvent.seq)).all()]


def test_the_form_schema_lists_the_valid_users_and_departments_now(app, client, token_for):  # type: ignore[no-untyped-def]
    headers = token_for("clerk")
    cp = client.get("/api/v1/forms/CP", headers=headers).json["schema"]
    departments = cp["properties"]["responsible_department"]["enum"]
    assert {"CS", "SALES", "QA", "RENEWAL", "ARCHIVE"} <= set(departments)
    vr = client.get("/api/v1/forms/VR", headers=headers).json["schema"]
    assert {"clerk", "sales", "supervisor"} <= set(vr["properties"]["receiving_staff"]["enum"])
    Draft202012Validator.check_schema(vr)

    with app.app_context():  # a new colleague is a valid value at once; a deactivated one is not
        accounts.create_user(services().db, services().clock, username="newbie", password=PASSWORD,
                             role="clerk", department_code="CS", display_name="Newbie")
    vr = client.get("/api/v1/forms/VR", headers=headers).json["schema"]
    assert "newbie" in vr["properties"]["receiving_staff"]["enum"]
    bad = {**VALID_CP, "responsible_department": "NOPE"}
    refused = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": bad})
    assert refused.status_code == 422 and "responsible_department" in refused.json["fields"]
    assert not Draft202012Validator(cp).is_valid(bad)  # the published schema says so up front


def _file(client, headers, **changes):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/records", headers=headers,
                           json={"form": "CP", "data": {**VALID_CP, **changes}})
    assert response.status_code == 201, response.json
    return response.json["code"]


def test_records_are_listed_with_the_pages_filters_and_audited(app, client, clock, token_for):  # type: ignore[no-untyped-def]
    clerk, sales, boss = token_for("clerk"), token_for("sales"), token_for("supervisor")
    first, second = _file(client, clerk), _file(client, clerk)
    theirs = _file(client, sales)
    client.post(f"/api/v1/records/{second}/actions/classify", headers=boss, json={
        "fields": {"cause_class": "quality", "level": "1", "responsible_department": "CS"}})

    listed = client.get("/api/v1/records", headers=clerk)
    assert listed.status_code == 200
    assert [r["code"] for r in listed.json["records"]] == [second, first]  # newest first, CS only
    assert listed.json["total"] == 2 and "data" not in listed.json["records"][0]
    assert listed.json["records"][0]["title"] == "上海恒丰 · 划痕"  # CS clerks need the customer's name
    everything = client.get("/api/v1/records?per_page=1&page=2", headers=token_for("auditor")).json
    assert everything["total"] == 3 and everything["pages"] == 3 and len(everything["records"]) == 1
    by_state = client.get("/api/v1/records?form=cp&state=registered", headers=boss).json
    assert [r["code"] for r in by_state["records"]] == [first]
    assert client.get("/api/v1/records?department=sales", headers=token_for("auditor")).json["total"] == 1
    assert client.get("/api/v1/records?department=SALES", headers=clerk).json["total"] == 0  # not theirs
    assert client.get("/api/v1/records?submitter=sales&year=2026",
                      headers=token_for("admin")).json["records"][0]["code"] == theirs
    assert client.get("/api/v1/records?year=2025", headers=clerk).json["total"] == 0
    assert client.get("/api/v1/records?mine=true", headers=boss).json["total"] == 0

    assert client.get("/api/v1/records?overdue=false", headers=clerk).json["total"] == 2  # none late yet
    assert client.get("/api/v1/records?overdue=true", headers=clerk).json["total"] == 0
    clock.current = datetime(2026, 3, 4, 1, 30, 0, 654321, tzinfo=UTC)  # two days on: past every deadline
    overdue = client.get("/api/v1/records?overdue=true", headers=clerk).json
    assert {r["code"] for r in overdue["records"]} == {first, second}
    assert all(r["overdue"] for r in overdue["records"])
    assert client.get("/api/v1/records?overdue=false", headers=clerk).json["total"] == 0

    bad = client.get("/api/v1/records?year=20x6&overdue=maybe&colour=red", headers=clerk)
    assert bad.status_code == 400 and set(bad.json["fields"]) == {"year", "overdue", "colour"}
    assert client.get("/api/v1/records").status_code == 401
    lists = [d for _actor, d in _audit(app, "record.list") if d.get("via") == "api"]
    assert lists[0]["codes"] == [second, first]
    assert lists[2]["filters"] == {"form": "CP", "state": "registered"}


def test_listed_titles_are_masked_for_the_records_office(client, token_for):  # type: ignore[no-untyped-def]
    _file(client, token_for("clerk"))
    listed = client.get("/api/v1/records", headers=token_for("archivist")).json["records"]
    assert listed and VALID_CP["customer_name"] not in listed[0]["title"]


def test_drafts_are_kept_listed_changed_submitted_and_discarded(app, client, token_for):  # type: ignore[no-untyped-def]
    clerk, sales = token_for("clerk"), token_for("sales")
    made = client.post("/api/v1/drafts", headers=clerk, json={"form": "cp", "data": {
        "customer_name": "上海恒丰", "phone": "1380013"}})  # half filled, a wrong phone kept as sent
    assert made.status_code == 201, made.json
    assert made.json["form"] == "CP" and made.json["data"]["phone"] == "1380013"
    draft = made.json["id"]
    assert made.headers["Location"].endswith(f"/api/v1/drafts/{draft}")
    assert [d["id"] for d in client.get("/api/v1/drafts", headers=clerk).json["drafts"]] == [draft]
    assert client.get("/api/v1/drafts", headers=sales).json["drafts"] == []  # only its author sees it
    assert client.get(f"/api/v1/drafts/{draft}", headers=sales).status_code == 404
    assert client.put(f"/api/v1/drafts/{draft}", headers=sales, json={"data": {}}).status_code == 404
    assert client.delete(f"/api/v1/drafts/{draft}", headers=sales).status_code == 404
    assert client.post(f"/api/v1/drafts/{draft}/submit", headers=sales).status_code == 404
    assert client.get("/api/v1/drafts/x", headers=clerk).status_code == 404

    refused = client.post(f"/api/v1/drafts/{draft}/submit", headers=clerk)
    assert refused.status_code == 422 and {"phone", "channel", "complaint"} <= set(refused.json["fields"])
    assert client.get(f"/api/v1/drafts/{draft}", headers=clerk).status_code == 200  # kept
    changed = client.put(f"/api/v1/drafts/{draft}", headers=clerk, json={"data": VALID_CP})
    assert changed.status_code == 200 and changed.json["data"] == VALID_CP
    filed = client.post(f"/api/v1/drafts/{draft}/submit", headers=clerk)
    assert filed.status_code == 201, filed.json
    assert filed.json["code"] == "CP-2026-000001"
    assert client.get(f"/api/v1/drafts/{draft}", headers=clerk).status_code == 404  # gone with the filing
    assert _audit(app, "record.submit") or _audit(app, "record.create")

    other = client.post("/api/v1/drafts", headers=clerk, json={"form": "CP", "data": {}}).json["id"]
    assert client.delete(f"/api/v1/drafts/{other}", headers=clerk).status_code == 204
    assert client.post("/api/v1/drafts", headers=token_for("auditor"),
                       json={"form": "CP", "data": {}}).status_code == 403  # auditors do not fill forms
    unknown = client.post("/api/v1/drafts", headers=clerk, json={"form": "ZZ", "data": {}})
    assert unknown.status_code == 422 and unknown.json["fields"] == {"form": "unknown"}
    assert client.post("/api/v1/drafts", headers=clerk, json={"form": "CP", "data": []}).status_code == 422


def test_revisions_show_each_step_with_what_it_changed(app, client, token_for):  # type: ignore[no-untyped-def]
    clerk, boss = token_for("clerk"), token_for("supervisor")
    code = _file(client, clerk)
    client.post(f"/api/v1/records/{code}/actions/classify", headers=boss, json={
        "fields": {"cause_class": "quality", "level": "1", "responsible_department": "CS"}})
    client.post(f"/api/v1/records/{code}/actions/correct", headers=clerk, json={
        "fields": {"phone": "13900139000"}, "reason": "号码记错"})
    answer = client.get(f"/api/v1/records/{code}/revisions", headers=clerk)
    assert answer.status_code == 200, answer.json
    revisions = answer.json["revisions"]
    assert [r["action"] for r in revisions] == ["submit", "classify", "correct"]
    assert revisions[1]["changed"] == ["cause_class", "level", "responsible_department"]
    assert revisions[2]["changed"] == ["phone"] and revisions[2]["reason"] == "号码记错"
    assert revisions[2]["by"] == "clerk" and revisions[0]["data"]["phone"] == "13800138000"

    masked = client.get(f"/api/v1/records/{code}/revisions", headers=token_for("archivist")).json
    assert "13800138000" not in str(masked) and "13900139000" not in str(masked)
    assert client.get(f"/api/v1/records/{code}/revisions", headers=token_for("sales")).status_code == 403
    assert client.get("/api/v1/records/CP-2026-999999/revisions", headers=clerk).status_code == 404
    reads = [d for _a, d in _audit(app, "record.read") if d.get("via") == "api" or d.get("channel") == "api"]
    assert reads
    denied = _audit(app, "record.read.denied")
    assert denied


def test_a_draft_saved_on_the_page_is_submitted_over_the_api_as_typed(client, logged_in, token_for):  # type: ignore[no-untyped-def]
    page_client = logged_in("clerk")
    page = page_client.get("/forms/CP/new")
    saved = page_client.post("/forms/CP/new", data={
        "csrf_token": csrf_token(page.text), "action": "save_draft", "channel": "phone",
        "received_at": "2026-03-02 09:00", "customer_name": "上海恒丰", "phone": "138 0013 8000",
        "complaint": "划痕", "quantity": "3"})
    assert saved.status_code == 302
    clerk = token_for("clerk")
    draft = client.get("/api/v1/drafts", headers=clerk).json["drafts"][0]
    assert draft["data"]["received_at"] == "2026-03-02 09:00"  # kept as typed
    filed = client.post(f"/api/v1/drafts/{draft['id']}/submit", headers=clerk)
    assert filed.status_code == 201, filed.json
    assert filed.json["data"]["phone"] == "13800138000" and filed.json["data"]["quantity"] == 3
    assert filed.json["data"]["received_at"].startswith("2026-03-02T09:00:00+08:00")

    half = client.post("/api/v1/drafts", headers=clerk, json={"form": "CP", "data": {"quantity": "many"}})
    refused = client.post(f"/api/v1/drafts/{half.json['id']}/submit", headers=clerk)
    assert refused.status_code == 422 and "quantity" in refused.json["fields"]
