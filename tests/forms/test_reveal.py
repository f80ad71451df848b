"""Revealing one record's personal fields with a reason: the archivist and the auditor, who read
them masked, can have one record's shown whole once; the reveal is audited with the reason
(never the values) and listed for the auditor; nothing stays revealed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.clock import FrozenClock, SystemClock
from core.ports import install, port
from core.web import AppServices, services
from tests.support.instance import csrf_token
from tests.support.lifecycle import new_complaint, step

NAME, MASKED_NAME = "欧阳明华", "欧***"
PHONE, MASKED_PHONE = "13912345679", "139****5679"
EN = {"Accept-Language": "en"}
AT = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


@pytest.fixture
def code(app: Flask, clock: FrozenClock) -> str:
    clock.current = AT
    return new_complaint(app, customer_name=NAME, phone=PHONE)


def test_a_reveal_shows_the_earlier_values_of_corrected_fields(app: Flask, logged_in, code: str) -> None:  # type: ignore[no-untyped-def]
    step(app, code, "correct", "supervisor", {"phone": "13912340000"}, reason="号码记错")
    archivist = logged_in("archivist")
    form = archivist.get(f"/records/{code}/reveal").text
    shown = archivist.post(f"/records/{code}/reveal", headers=EN,
                           data={"csrf_token": csrf_token(form), "reason": "核实"}).text
    assert "Earlier values" in shown and f"<del>{PHONE}</del> → <ins>13912340000</ins>" in shown
    assert "划痕" not in shown  # the other fields are not part of a reveal


def events(app: Flask, action: str) -> list[Any]:
    """(actor, record, time, detail) of each audit event ``action``, oldest first."""
    with app.app_context(), services().db.reading() as session:
        return list(session.execute(select(AuditEvent.actor_name, AuditEvent.object_id, AuditEvent.at,
                                           AuditEvent.detail).where(AuditEvent.action == action)
                                    .order_by(AuditEvent.seq)).all())


def test_an_archivist_reveals_one_record_once_with_a_reason(app: Flask, logged_in, code: str) -> None:  # type: ignore[no-untyped-def]
    archivist = logged_in("archivist")
    page = archivist.get(f"/records/{code}", headers=EN).text
    assert "Show personal data" in page and NAME not in page and MASKED_NAME in page
    form = archivist.get(f"/records/{code}/reveal", headers=EN)
    assert form.status_code == 200 and NAME not in form.text and "Reason" in form.text

    empty = archivist.post(f"/records/{code}/reveal", headers=EN,
                           data={"csrf_token": csrf_token(form.text), "reason": "  "})
    assert empty.status_code == 400 and "Say why" in empty.text and NAME not in empty.text
    assert events(app, "record.reveal") == []

    shown = archivist.post(f"/records/{code}/reveal", headers=EN,
                           data={"csrf_token": csrf_token(form.text), "reason": "诉讼冻结，需核实客户身份"})
    assert shown.status_code == 200 and NAME in shown.text and PHONE in shown.text
    assert "诉讼冻结，需核实客户身份" in shown.text and shown.headers["Cache-Control"] == "no-store"
    again = archivist.get(f"/records/{code}", headers=EN).text  # not sticky
    assert NAME not in again and PHONE not in again and MASKED_PHONE in again

    [event] = events(app, "record.reveal")
    assert (event.actor_name, event.object_id, event.at) == ("archivist", code, AT)  # microseconds kept
    assert event.detail == {"via": "web", "reason": "诉讼冻结，需核实客户身份",
                            "fields": ["customer_name", "contact_person", "phone"]}
    assert NAME not in json.dumps(event.detail, ensure_ascii=False)  # the reason, never the values


def test_the_auditor_lists_every_reveal(app: Flask, logged_in, code: str) -> None:  # type: ignore[no-untyped-def]
    auditor = logged_in("auditor")
    assert "No personal data has been revealed" in auditor.get("/audit/reveals", headers=EN).text
    form = auditor.get(f"/records/{code}/reveal").text
    assert auditor.post(f"/records/{code}/reveal", data={"csrf_token": csrf_token(form),
                                                         "reason": "核对客户来信"}).status_code == 200
    archivist = logged_in("archivist")
    form = archivist.get(f"/records/{code}/reveal").text
    assert archivist.post(f"/records/{code}/reveal", data={"csrf_token": csrf_token(form),
                                                           "reason": "冻结前核实"}).status_code == 200
    listed = auditor.get("/audit/reveals", headers=EN).text
    assert listed.index("冻结前核实") < listed.index("核对客户来信")  # newest first
    assert code in listed and "Archivist (archivist)" in listed and "Auditor (auditor)" in listed
    assert "2026-03-02 09:30" in listed and NAME not in listed
    assert "Reveals of personal data" in auditor.get("/archive/", headers=EN).text  # the office's menu
    for who in ("archivist", "admin", "clerk"):
        assert logged_in(who).get("/audit/reveals").status_code == 403, who


@pytest.mark.parametrize("who", ["clerk", "supervisor", "admin", "sales"])
def test_other_roles_have_no_reveal(app: Flask, logged_in, code: str, who: str) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(who)
    assert "Show personal data" not in client.get(f"/records/{code}", headers=EN).text
    assert client.get(f"/records/{code}/reveal").status_code == 403
    token = csrf_token(client.get("/forms").text)
    refused = client.post(f"/records/{code}/reveal", data={"csrf_token": token, "reason": "想看"})
    assert refused.status_code == 403 and NAME not in refused.text
    assert events(app, "record.reveal") == [] and len(events(app, "record.reveal.denied")) == 1


def test_a_record_without_masked_fields_has_nothing_to_reveal(app: Flask, logged_in, token_for) -> None:  # type: ignore[no-untyped-def]
    data = {"applicant_department": "CS", "records_wanted": "CP-2026", "purpose": "audit", "reason": "核对",
            "period_from": "2026-03-02", "period_to": "2026-03-09"}
    made = app.test_client().post("/api/v1/records", headers=token_for("clerk"),
                                  json={"form": "AR", "data": data})
    ar = made.json["code"]
    archivist = logged_in("archivist")
    assert "Show personal data" not in archivist.get(f"/records/{ar}", headers=EN).text
    form = archivist.get(f"/records/{ar}/reveal").text
    answer = archivist.post(f"/records/{ar}/reveal", data={"csrf_token": csrf_token(form), "reason": "看"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/records/{ar}")
    assert events(app, "record.reveal") == []


def test_a_reveal_needs_the_csrf_token(app: Flask, logged_in, code: str) -> None:  # type: ignore[no-untyped-def]
    refused = logged_in("archivist").post(f"/records/{code}/reveal", data={"reason": "诉讼"})
    assert refused.status_code == 400 and NAME not in refused.text
    assert events(app, "record.reveal") == []


def test_a_reveal_on_the_system_clock(app: Flask, logged_in, code: str) -> None:  # type: ignore[no-untyped-def]
    install(app, replace(port(AppServices, app), clock=SystemClock()), replacing=True)
    archivist = logged_in("archivist")
    form = archivist.get(f"/records/{code}/reveal").text
    assert archivist.post(f"/records/{code}/reveal", data={"csrf_token": csrf_token(form),
                                                           "reason": "实时钟"}).status_code == 200
    [event] = events(app, "record.reveal")
    assert abs((datetime.now(UTC) - event.at).total_seconds()) < 60
    assert "实时钟" in logged_in("auditor").get("/audit/reveals").text


def test_the_api_reveals_with_the_same_rule_and_audit(app: Flask, token_for, code: str) -> None:  # type: ignore[no-untyped-def]
    client, url = app.test_client(), f"/api/v1/records/{code}/reveal"
    auditor = token_for("auditor")
    assert client.get(f"/api/v1/records/{code}", headers=auditor).json["data"]["phone"] == MASKED_PHONE
    missing = client.post(url, headers=auditor, json={})
    assert missing.status_code == 422 and missing.json["fields"] == {"reason": "Say why you need this "
                                                                     "customer's personal data."}
    assert client.post(url, headers=auditor, json={"reason": "x", "extra": 1}).status_code == 422
    shown = client.post(url, headers=auditor, json={"reason": "核对客户来信"})
    assert shown.status_code == 200, shown.json
    data = shown.json["record"]["data"]
    assert data["phone"] == PHONE and data["customer_name"] == NAME
    assert shown.json["revealed"] == ["customer_name", "contact_person", "phone"]
    assert client.get(f"/api/v1/records/{code}", headers=auditor).json["data"]["phone"] == MASKED_PHONE
    [event] = events(app, "record.reveal")
    assert event.actor_name == "auditor" and event.detail["via"] == "api" and "token" in event.detail
    assert client.post(url, headers=token_for("clerk"), json={"reason": "看看"}).status_code == 403
    assert client.post("/api/v1/records/CP-2026-999999/reveal", headers=auditor,
                       json={"reason": "看看"}).status_code == 404
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "post" in paths["/records/{code}/reveal"]


def test_reveals_are_listed_over_the_api_and_the_cli(app: Flask, token_for, code: str) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.post(f"/api/v1/records/{code}/reveal", headers=token_for("archivist"),
                json={"reason": "冻结前核实"})
    listed = client.get("/api/v1/audit/reveals", headers=token_for("auditor"))
    assert listed.status_code == 200
    assert listed.json["reveals"] == [{"at": AT.isoformat(), "by": "archivist", "by_name": "Archivist",
                                       "code": code, "reason": "冻结前核实", "via": "api",
                                       "fields": ["customer_name", "contact_person", "phone"]}]
    assert client.get("/api/v1/audit/reveals", headers=token_for("archivist")).status_code == 403
    runner = app.test_cli_runner()
    out = runner.invoke(args=["personal", "reveals", "--by", "auditor"])
    assert out.exit_code == 0, out.output
    assert f"2026-03-02 09:30:00  archivist  {code}  api  冻结前核实" in out.output
    assert "1 reveal(s)." in out.output
    refused = runner.invoke(args=["personal", "reveals", "--by", "archivist"])
    assert refused.exit_code != 0 and "只有审计员" in refused.output
