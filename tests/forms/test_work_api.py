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
from tests.support.instance import PASSWORD, VALID_CP

MOMENT = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fractional(clock: FrozenClock) -> None:
    clock.current = MOMENT


def _audit(app, action: str) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def,type-arg]
    with app.app_context(), services().db.reading() as session:
        return [(actor, detail) for actor, detail in session.execute(
            select(AuditEvent.actor, AuditEvent.detail).where(AuditEvent.action == action)
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
