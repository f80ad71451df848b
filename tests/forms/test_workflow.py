"""Workflow actions declared in the specs, taken through the API: who, when, with what, and the
trace each leaves (a revision per action, nothing overwritten, audit events, refusals)."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from sqlalchemy import select

from archive.models import Record, RecordRevision
from core.audit.models import AuditEvent
from core.web import services
from forms.spec.library import SPEC_DIR
from forms.spec.parser import SpecError, parse_spec
from tests.support.instance import VALID_CP
from tests.support.pdf import text_of

CLASSIFIED = {"cause_class": "quality", "level": "2", "responsible_department": "CS"}


@pytest.fixture
def complaint(client, token_for) -> str:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/records", headers=token_for("clerk"),
                           json={"form": "CP", "data": VALID_CP})
    assert response.status_code == 201
    return str(response.json["code"])


def take(client, headers, code: str, action: str, **body: Any):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/records/{code}/actions/{action}", headers=headers, json=body)


def actions(client, headers, code: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/records/{code}/actions", headers=headers)
    assert response.status_code == 200
    return [a["name"] for a in response.json["actions"]]


def revisions(app, code: str) -> list[tuple[int, str, str, str | None]]:  # type: ignore[no-untyped-def]
    with app.app_context(), services().db.reading() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        rows = session.scalars(select(RecordRevision).where(RecordRevision.record_id == record.id)
                               .order_by(RecordRevision.number))
        return [(r.number, r.action, r.state, r.reason) for r in rows]


def test_a_complaint_goes_from_registration_to_closure(app, client, token_for, complaint):  # type: ignore[no-untyped-def]
    clerk, boss = token_for("clerk"), token_for("supervisor")
    assert actions(client, clerk, complaint) == ["correct"]
    assert actions(client, boss, complaint) == ["classify", "countersign", "return", "correct"]

    signed = take(client, boss, complaint, "countersign", revision=1)
    assert signed.status_code == 200, signed.json
    assert signed.json["countersigned_by"] == "supervisor"
    assert signed.json["countersigned_at"].startswith("2026-03-02T01:30")
    assert signed.json["state"] == "registered" and signed.json["revision"] == 2
    assert "countersign" not in actions(client, boss, complaint)

    missing = take(client, boss, complaint, "classify", fields={"level": "2"})
    assert missing.status_code == 422
    assert set(missing.json["fields"]) == {"cause_class", "responsible_department"}
    assert take(client, boss, complaint, "classify", fields=CLASSIFIED).json["state"] == "classified"
    steps = [("investigate", clerk, {"investigation": "到货检验抽查 50 件，12 件划伤"}),
             ("respond", clerk, {"root_cause": "包装衬垫不足", "corrective_action": "增加珍珠棉衬垫",
                                  "customer_reply": "已电话告知并补发"}),
             ("close", boss, {"customer_accepted": True})]
    refused = take(client, boss, complaint, "close", fields={"customer_accepted": False})
    assert refused.status_code == 409  # still classified: the order of the steps holds
    for action, who, fields in steps:
        if action == "close":
            not_accepted = take(client, who, complaint, action, fields={"customer_accepted": False})
            assert not_accepted.status_code == 422 and "customer_accepted" in not_accepted.json["fields"]
        response = take(client, who, complaint, action, fields=fields)
        assert response.status_code == 200, (action, response.json)
    closed = client.get(f"/api/v1/records/{complaint}", headers=clerk).json
    assert closed["state"] == "closed" and closed["data"]["customer_accepted"] is True
    assert closed["data"]["complaint"] == VALID_CP["complaint"]  # earlier values carried forward
    assert [(n, a, s) for n, a, s, _ in revisions(app, complaint)] == [
        (1, "submit", "registered"), (2, "countersign", "registered"), (3, "classify", "classified"),
        (4, "investigate", "investigating"), (5, "respond", "responded"), (6, "close", "closed")]
    with app.app_context(), services().db.reading() as session:
        audited = list(session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == complaint)))
    for action in ("record.countersign", "record.classify", "record.investigate", "record.respond",
                   "record.close"):
        assert action in audited


def test_refusals_say_why_and_change_nothing(app, client, token_for, complaint):  # type: ignore[no-untyped-def]
    clerk, boss, other_boss = token_for("clerk"), token_for("supervisor"), token_for("sales_boss")
    assert take(client, clerk, complaint, "countersign").status_code == 403  # not a supervisor
    outside = take(client, other_boss, complaint, "countersign")
    assert outside.status_code == 403 and "another department" in outside.json["error"]
    wrong_state = take(client, boss, complaint, "close", fields={"customer_accepted": True})
    assert wrong_state.status_code == 409 and "is “Registered”; “Close” is possible when it is “Responded”." \
        in wrong_state.json["error"]
    assert take(client, boss, complaint, "countersign", revision=1).status_code == 200
    again = take(client, boss, complaint, "countersign")
    assert again.status_code == 409 and "already countersigned" in again.json["error"]
    stale = take(client, boss, complaint, "classify", fields=CLASSIFIED, revision=1)
    assert stale.status_code == 409 and "has changed since you opened it" in stale.json["error"]
    assert take(client, boss, complaint, "approve").status_code == 404  # not a CP action
    sneaky = take(client, boss, complaint, "classify", fields={**CLASSIFIED, "complaint": "改写"})
    assert sneaky.status_code == 422
    assert sneaky.json["fields"] == {"complaint": "“Classify” cannot change this field."}
    bad = take(client, boss, complaint, "classify", fields={**CLASSIFIED, "level": "9"})
    assert bad.status_code == 422 and set(bad.json["fields"]) == {"level"}
    assert take(client, boss, complaint, "classify", fields=CLASSIFIED, extra=1).status_code == 422
    assert take(client, boss, complaint, "classify", fields=[1]).status_code == 422
    assert take(client, boss, complaint, "classify", fields=CLASSIFIED, revision="2").status_code == 422
    assert [a for _, a, _, _ in revisions(app, complaint)] == ["submit", "countersign"]
    with app.app_context(), services().db.reading() as session:
        denied = list(session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_id == complaint, AuditEvent.action.like("%.denied"))))
    assert "record.countersign.denied" in denied and "record.close.denied" in denied


def test_return_for_completion_then_the_filler_completes(app, client, token_for, complaint):  # type: ignore[no-untyped-def]
    clerk, boss = token_for("clerk"), token_for("supervisor")
    no_reason = take(client, boss, complaint, "return", reason="  ")
    assert no_reason.status_code == 422
    assert no_reason.json["fields"] == {"reason": "A reason is required for this action."}
    returned = take(client, boss, complaint, "return", reason="缺订单号")
    assert returned.json["state"] == "returned"
    assert actions(client, clerk, complaint) == ["complete"]
    assert take(client, boss, complaint, "complete", fields={"order_no": "SO-1"}).status_code == 403
    done = take(client, clerk, complaint, "complete", fields={"order_no": "SO-2026-0815"})
    assert done.json["state"] == "registered" and done.json["data"]["order_no"] == "SO-2026-0815"
    assert revisions(app, complaint)[1:] == [(2, "return", "returned", "缺订单号"),
                                             (3, "complete", "registered", None)]


def test_a_correction_needs_a_reason_and_a_change_and_keeps_the_original(app, client, token_for, complaint):  # type: ignore[no-untyped-def]
    clerk = token_for("clerk")
    assert take(client, clerk, complaint, "correct", fields={"phone": "13900139000"}).status_code == 422
    unchanged = take(client, clerk, complaint, "correct", fields={"phone": VALID_CP["phone"]}, reason="核对")
    assert unchanged.status_code == 422
    assert "must change at least one field" in unchanged.json["fields"]["fields"]
    fixed = take(client, clerk, complaint, "correct", fields={"phone": "13900139000"}, reason="电话记错")
    assert fixed.status_code == 200 and fixed.json["data"]["phone"] == "13900139000"
    with app.app_context(), services().db.reading() as session:
        record = session.scalar(select(Record).where(Record.code == complaint))
        first = session.scalar(select(RecordRevision).where(RecordRevision.record_id == record.id,
                                                            RecordRevision.number == 1))
        assert first.data["phone"] == VALID_CP["phone"]  # the original stays readable
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "record.correct"))
        assert event.detail["changed"] == ["phone"] and event.detail["revision"] == 2
    take(client, token_for("supervisor"), complaint, "countersign")
    printed = text_of(client.get(f"/api/v1/records/{complaint}/pdf", headers=clerk).data)
    assert "已勘误" in printed and "电话记错" in printed and "13900139000" in printed
    assert "Supervisor" in printed.split("直接上级主管阅签")[1].splitlines()[0]  # the countersignature


def test_an_access_request_is_approved_or_denied_by_an_archivist(client, token_for, complaint):  # type: ignore[no-untyped-def]
    clerk, archivist = token_for("clerk"), token_for("archivist")
    request = {"applicant_department": "CS", "records_wanted": complaint, "purpose": "audit",
               "reason": "审计", "period_from": "2026-03-02", "period_to": "2026-03-09"}
    codes = [client.post("/api/v1/records", headers=clerk, json={"form": "AR", "data": request}).json["code"]
             for _ in range(2)]
    assert take(client, clerk, codes[0], "approve").status_code == 403
    assert take(client, archivist, codes[0], "approve").json["state"] == "approved"
    assert take(client, archivist, codes[1], "deny").status_code == 422  # a reason is required
    assert take(client, archivist, codes[1], "deny", reason="超出审计范围").json["state"] == "denied"


@pytest.mark.parametrize(("transition", "problem"), [
    ('name = "x"\nfrom = ["registered"]\nroles = ["boss"]', "unknown role 'boss'"),
    ('name = "x"\nfrom = ["nowhere"]\nroles = ["clerk"]', "state 'nowhere' is not declared"),
    ('name = "x"\nfrom = ["registered"]\nroles = ["clerk"]\nstamp = "seal"', "unknown stamp 'seal'"),
    ('name = "x"\nfrom = ["registered"]\nroles = ["clerk"]\nrequires = ["nope"]',
     "requires unknown field 'nope'"),
    ('name = "x"\nfrom = ["registered"]\nroles = ["clerk"]\nwhen = 1', "unknown keys when"),
    ('name = "x"\nroles = ["clerk"]', "needs from ="),
    ('name = "x"\nfrom = ["registered"]', "needs roles ="),
])
def test_spec_transitions_are_checked(transition: str, problem: str) -> None:
    text = (SPEC_DIR / "CP.toml").read_text(encoding="utf-8")
    text += f'\n[[workflow.transitions]]\nlabel = {{ zh = "某", en = "X" }}\n{transition}\n'
    with pytest.raises(SpecError) as refused:
        parse_spec(tomllib.loads(text), "CP.toml")
    assert any(problem in line and "workflow transition 'x'" in line for line in refused.value.problems)


def test_refusals_and_problems_come_in_the_users_language(client, token_for, complaint):  # type: ignore[no-untyped-def]
    chinese = {**token_for("supervisor"), "Accept-Language": "zh-CN"}
    take(client, chinese, complaint, "countersign")
    again = take(client, chinese, complaint, "countersign")
    assert again.status_code == 409 and again.json["error"] == f"记录 {complaint} 已经阅签。"
    closed = take(client, chinese, complaint, "close", fields={"customer_accepted": True})
    assert "当前为“已登记”；“结案”只能在 “已回复客户” 时执行" in closed.json["error"]
    no_reason = take(client, chinese, complaint, "return")
    assert no_reason.json["fields"] == {"reason": "此操作须填写理由。"}
