"""VR conflicts on a real PostgreSQL server: a registration that waited for a concurrent one of the
same customer is asked before it is filed (nothing saved); a corrected phone moves the claim under
the same lock; the day register opens on the latest day to confirm (a JSON max on JSONB)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from archive.models import Record
from core.web import services
from forms.models import CustomerClaim
from forms.rules import NeedsConfirmation
from forms.submission import submit
from tests.support.claims import while_a_claim_is_open
from tests.support.instance import actor_of, login

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
VISIT = {"visit_date": "2026-03-02", "customer_name": "吴先生", "needs": "两居室"}


def token(app, username: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    value = app.test_cli_runner().invoke(args=["tokens", "create", username]).output.strip()
    return {"Authorization": f"Bearer {value}", "Accept-Language": "en"}


def test_a_registration_that_waited_for_a_concurrent_claim_is_asked_not_filed(pg_app, clock):  # type: ignore[no-untyped-def]
    clock.current = NOW
    phone = "13700002222"

    def second() -> object:  # another clerk's registration of the same customer
        s = services()
        return submit(s.db, s.clock, s.zone, actor_of(pg_app, "sales_boss"), "VR",
                      {**VISIT, "phone": phone, "receiving_staff": "sales_boss"})

    asked = while_a_claim_is_open(pg_app, clock, phone=phone, record_code="VR-2026-999001",
                                  until=date(2026, 4, 2), work=second, what="the second registration")
    assert isinstance(asked, NeedsConfirmation)
    assert asked.detail == {"conflict_with": "VR-2026-999001", "claimed_by": "sales",
                            "claimed_by_name": "Sales", "claimed_until": "2026-04-02"}
    with pg_app.app_context(), services().db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == 0  # nothing filed, no code used


def test_a_corrected_phone_moves_the_claim_and_the_register_opens_on_the_day_to_confirm(pg_app, clock):  # type: ignore[no-untyped-def]
    clock.current = NOW
    client = pg_app.test_client()
    sales, boss = token(pg_app, "sales"), token(pg_app, "sales_boss")

    def register(headers, staff: str, phone: str, day: str = "2026-03-02"):  # type: ignore[no-untyped-def]
        return client.post("/api/v1/records", headers=headers, json={"form": "VR", "data": {
            **VISIT, "visit_date": day, "phone": phone, "receiving_staff": staff}})

    code = register(sales, "sales", "13700001111", day="2026-02-27").json["code"]
    corrected = client.post(f"/api/v1/records/{code}/actions/correct", headers=sales,
                            json={"fields": {"phone": "13700003333"}, "reason": "电话记错"})
    assert corrected.status_code == 200, corrected.json
    assert register(boss, "sales_boss", "13700001111").status_code == 201
    moved = register(boss, "sales_boss", "13700003333")
    assert moved.status_code == 409 and moved.json["conflict"]["conflict_with"] == code
    web = pg_app.test_client()
    login(web, "sales_boss")
    assert 'value="2026-03-02"' in web.get("/registrations/day").text
    client.post("/api/v1/records/VR-2026-000002/actions/confirm", headers=boss, json={})
    assert 'value="2026-02-27"' in web.get("/registrations/day").text


def test_a_correction_to_a_phone_being_claimed_waits_and_becomes_a_conflict(pg_app, clock):  # type: ignore[no-untyped-def]
    """A correction moving a registration onto a phone that a concurrent, uncommitted registration
    is claiming waits for it (the same per-phone lock), then sees the claim and is flagged."""
    from forms.workflow import act

    clock.current = NOW
    client = pg_app.test_client()
    boss = token(pg_app, "sales_boss")
    code = client.post("/api/v1/records", headers=boss, json={"form": "VR", "data": {
        **VISIT, "phone": "13700004444", "receiving_staff": "sales_boss"}}).json["code"]
    phone = "13700005555"

    def correction() -> object:
        s = services()
        return act(s.db, s.clock, s.zone, actor_of(pg_app, "sales_boss"), code, "correct",
                   fields={"phone": phone}, reason="电话记错")

    view = while_a_claim_is_open(pg_app, clock, phone=phone, record_code="VR-2026-999002",
                                 until=date(2026, 4, 2), work=correction, what="the correction")
    assert view.flags["conflict_with"] == "VR-2026-999002"  # type: ignore[attr-defined]
    with pg_app.app_context(), services().db.reading() as session:
        assert not session.scalars(select(CustomerClaim).where(CustomerClaim.record_code == code)).all()
