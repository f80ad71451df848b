"""The records office's writes over the API (issue 15, item 13): holds, disposal and review,
retention classes — the pages' services, so the same roles are refused (403), the same audit
events written, and refused values named field by field (422)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.clock import FrozenClock
from core.web import services
from tests.support.lifecycle import DAYS_TO_2030, filed_complaints, new_complaint

MOMENT = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fractional(clock: FrozenClock) -> None:
    clock.current = MOMENT


def _actions(app: Flask) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    with app.app_context(), services().db.reading() as session:
        return [tuple(row) for row in session.execute(  # type: ignore[misc]
            select(AuditEvent.action, AuditEvent.actor_name, AuditEvent.detail).order_by(AuditEvent.seq))]


def test_holds_are_placed_filled_and_released_by_keepers_only(app: Flask, client: FlaskClient,  # type: ignore[no-untyped-def]
                                                              token_for) -> None:
    code = new_complaint(app)
    archivist, clerk, auditor = token_for("archivist"), token_for("clerk"), token_for("auditor")
    for who in (clerk, auditor):
        refused = client.post("/api/v1/archive/holds", headers=who, json={"name": "x", "reason": "y"})
        assert refused.status_code == 403 and refused.json["error"]
    bad = client.post("/api/v1/archive/holds", headers=archivist,
                      json={"name": "", "reason": "y", "owner": "nobody"})
    assert bad.status_code == 422 and set(bad.json["fields"]) == {"name", "owner"}
    assert client.post("/api/v1/archive/holds", headers=archivist, json={"name": "x"}).json["fields"] == {
        "reason": "required"}
    made = client.post("/api/v1/archive/holds", headers=archivist,
                       json={"name": "诉讼", "reason": "客户起诉"})
    assert made.status_code == 201 and made.json["owner"] == "archivist"
    hold = made.json["id"]

    url = f"/api/v1/archive/holds/{hold}/records"
    assert client.post(url, headers=clerk, json={"codes": [code]}).status_code == 403
    added = client.post(url, headers=archivist, json={"codes": [code, "CP-2026-99999", "XX"]})
    assert added.status_code == 200, added.json
    assert added.json["added"] == [code] and set(added.json["refused"]) == {"CP-2026-099999", "XX"}
    assert "not a record code" in added.json["refused"]["XX"] and added.json["hold"]["records"] == [code]
    none = client.post(url, headers=archivist, json={"codes": ["CP-2026-999999"]})
    assert none.status_code == 422 and "CP-2026-999999" in none.json["fields"]["codes"]
    assert client.post(url, headers=archivist, json={"codes": "CP"}).status_code == 422
    assert client.post("/api/v1/archive/holds/999/records", headers=archivist,
                       json={"codes": [code]}).status_code == 404

    release = f"/api/v1/archive/holds/{hold}/release"
    assert client.post(release, headers=archivist, json={"reason": ""}).status_code == 422
    assert client.post(release, headers=clerk, json={"reason": "结案"}).status_code == 403
    released = client.post(release, headers=archivist, json={"reason": "结案"})
    assert released.status_code == 200 and released.json["active"] is False
    assert client.post(url, headers=archivist, json={"codes": [code]}).status_code == 422  # released

    events = [(a, who) for a, who, _d in _actions(app) if a.startswith("hold.")]
    assert events == [("hold.create", "archivist"), ("hold.add", "archivist"), ("hold.release", "archivist")]


def test_disposal_is_proposed_decided_by_another_admin_and_reviewed(app: Flask, client: FlaskClient,  # type: ignore[no-untyped-def]
                                                                    clock: FrozenClock, token_for) -> None:
    first, second = filed_complaints(app, 2)
    clock.advance(days=DAYS_TO_2030)
    archivist, admin, clerk = token_for("archivist"), token_for("admin"), token_for("clerk")
    due = client.get("/api/v1/archive/disposal/due", headers=archivist)
    assert due.status_code == 200 and [r["code"] for r in due.json["records"]] == [first, second]
    assert "上海恒丰" not in str(due.json)  # titles masked for the records office
    assert client.get("/api/v1/archive/disposal/due", headers=clerk).status_code == 403
    assert client.get("/api/v1/archive/disposal/due?action=burn", headers=archivist).status_code == 400

    lists = "/api/v1/archive/disposal-lists"
    assert client.post(lists, headers=clerk, json={"codes": [first]}).status_code == 403
    wrong = client.post(lists, headers=archivist, json={"codes": ["CP-2026-999999"]})
    assert wrong.status_code == 422 and "codes" in wrong.json["fields"]
    proposed = client.post("/api/v1/archive/disposal-lists", headers=archivist,
                           json={"codes": [first], "note": "到期"})
    assert proposed.status_code == 201 and proposed.json["state"] == "proposed"
    decision = f"/api/v1/archive/disposal-lists/{proposed.json['id']}/decision"
    assert client.post(decision, headers=archivist, json={"approve": True}).status_code == 403
    assert client.post(decision, headers=admin, json={"approve": False}).json["fields"] == {
        "reason": "Say why the list is rejected."}
    assert client.post(decision, headers=admin, json={"approve": "yes"}).status_code == 422
    approved = client.post(decision, headers=admin, json={"approve": True})
    assert approved.status_code == 200 and approved.json["state"] == "approved"
    listed = f"{lists}/{proposed.json['id']}"
    early = client.post(f"{listed}/execute", headers=archivist)
    assert early.status_code == 409 and "witnesses" in early.json["fields"]
    named = client.post(f"{listed}/witnesses", headers=archivist, json={"witnesses": ["auditor", "admin"]})
    assert named.status_code == 200, named.json
    for witness in ("auditor", "admin"):  # each with their own token
        assert client.post(f"{listed}/confirm", headers=token_for(witness)).status_code == 200
    executed = client.post(f"{listed}/execute", headers=archivist)
    assert executed.status_code == 200 and executed.json["state"] == "executed"

    not_yet = client.post(f"/api/v1/archive/review/{second}", headers=archivist,
                          json={"keep_years": 2, "reason": "仍在诉讼时效内"})
    assert not_yet.status_code == 422 and "not on the review list" in not_yet.json["fields"]["code"]
    assert client.patch("/api/v1/archive/retention-classes/complaint-3y", headers=admin,
                        json={"action": "review"}).status_code == 200  # the class now ends in review
    assert [r["code"] for r in client.get("/api/v1/archive/disposal/due?action=review",
                                          headers=archivist).json["records"]] == [second]
    review = client.post(f"/api/v1/archive/review/{second}", headers=archivist,
                         json={"keep_years": 2, "reason": "仍在诉讼时效内"})
    assert review.status_code == 200 and review.json["retention_until"] == "2031-12-31"
    assert client.post(f"/api/v1/archive/review/{second}", headers=clerk,
                       json={"keep_years": 2, "reason": "x"}).status_code == 403
    assert client.post(f"/api/v1/archive/review/{second}", headers=archivist,
                       json={"keep_years": "two", "reason": "x"}).status_code == 422
    actions = [(a, who) for a, who, _d in _actions(app)]
    assert ("record.review", "archivist") in actions and ("retention.update", "admin") in actions
    assert ("disposal.propose", "archivist") in actions and ("disposal.approve", "admin") in actions


def test_retention_classes_are_read_and_changed_by_admins(app: Flask, client: FlaskClient,  # type: ignore[no-untyped-def]
                                                                        token_for) -> None:
    admin, archivist, clerk = token_for("admin"), token_for("archivist"), token_for("clerk")
    classes = client.get("/api/v1/archive/retention-classes", headers=admin)
    assert classes.status_code == 200
    complaint = next(c for c in classes.json["classes"] if c["code"] == "complaint-3y")
    assert complaint["years"] == 3 and complaint["action"] == "destroy"
    for other in (clerk, archivist):  # as /admin/retention, an administrator's page
        assert client.get("/api/v1/archive/retention-classes", headers=other).status_code == 403

    url = "/api/v1/archive/retention-classes/complaint-3y"
    assert client.patch(url, headers=archivist, json={"years": 5}).status_code == 403
    assert client.patch("/api/v1/archive/retention-classes/nope", headers=clerk, json={}).status_code == 403
    assert client.patch("/api/v1/archive/retention-classes/nope", headers=admin, json={}).status_code == 404
    bad = client.patch(url, headers=admin, json={"years": 200, "action": "burn", "colour": "red"})
    assert bad.status_code == 422 and set(bad.json["fields"]) == {"colour"}
    bad = client.patch(url, headers=admin, json={"years": 200, "action": "burn"})
    assert bad.status_code == 422 and set(bad.json["fields"]) == {"years", "action"}
    changed = client.patch(url, headers=admin, json={"years": 5})
    assert changed.status_code == 200 and changed.json["years"] == 5 and changed.json["action"] == "destroy"
    update = [d for a, _who, d in _actions(app) if a == "retention.update"]
    assert update[-1]["before"]["years"] == 3 and update[-1]["after"]["years"] == 5
