"""VR claims: the earlier still-valid registration wins, by the customer's or a relative's phone;
a month from the last visit or follow-up, the boundary day included; phone enquiries refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.web import services
from forms.rules.visit_register import claim_end, customer_phones
from tests.support.visits import register_visit

#: A registration that claims its customer: no conflict, three follow-ups still to come.
NO_CONFLICT = {"follow_ups_owed": 3}


@pytest.mark.parametrize(("day", "end"), [
    (date(2026, 3, 2), date(2026, 4, 2)), (date(2026, 1, 31), date(2026, 2, 28)),
    (date(2024, 1, 31), date(2024, 2, 29)), (date(2026, 12, 15), date(2027, 1, 15)),
])
def test_a_claim_lasts_a_month(day: date, end: date) -> None:
    assert claim_end(day) == end


def test_the_customer_is_known_by_their_phone_and_their_relatives() -> None:
    data = {"phone": "+8613700001111", "related_customer": "丈夫 吴先生 158 1111 2222；母亲 021-62345678"}
    assert customer_phones(data) == ["13700001111", "15811112222", "021-62345678"]


def test_the_earlier_valid_registration_wins(app, client, token_for):  # type: ignore[no-untyped-def]
    sales, boss = token_for("sales"), token_for("sales_boss")
    first = register_visit(client, sales, "sales", "2026-03-02")
    assert first["flags"] == NO_CONFLICT
    second = register_visit(client, boss, "sales_boss", "2026-04-02")  # the claim's last day
    assert second["flags"] == {"conflict_with": first["code"], "claimed_by": "sales",
                               "claimed_by_name": "Sales", "claimed_until": "2026-04-02"}
    # a revisit to the claimant
    assert register_visit(client, sales, "sales", "2026-03-10")["flags"] == NO_CONFLICT
    with app.app_context(), services().db.reading() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "record.conflict"))
        assert (event.object_id, event.detail["earlier"]) == (second["code"], first["code"])
    page = client.get(f"/api/v1/records/{second['code']}", headers=boss).json
    assert page["flags"]["conflict_with"] == first["code"]


def test_an_expired_claim_no_longer_protects(client, token_for):  # type: ignore[no-untyped-def]
    sales, boss = token_for("sales"), token_for("sales_boss")
    register_visit(client, sales, "sales", "2026-01-15")  # claim until 2026-02-15, expired yesterday
    assert register_visit(client, boss, "sales_boss", "2026-02-16")["flags"] == NO_CONFLICT


def test_a_relatives_phone_is_the_same_customer(client, token_for):  # type: ignore[no-untyped-def]
    sales, boss = token_for("sales"), token_for("sales_boss")
    first = register_visit(client, sales, "sales", "2026-03-02", related_customer="妻子 李娜 13955556666")
    spouse = register_visit(client, boss, "sales_boss", "2026-03-05", phone="13955556666")
    assert spouse["flags"]["conflict_with"] == first["code"]


def test_follow_ups_extend_the_claim(client, token_for):  # type: ignore[no-untyped-def]
    sales, boss = token_for("sales"), token_for("sales_boss")  # the frozen clock reads 2026-03-02
    first = register_visit(client, sales, "sales", "2026-01-20")
    rows = [{"date": "2026-02-10", "method": "phone", "notes": "约看房"}]
    taken = client.post(f"/api/v1/records/{first['code']}/actions/follow_up", headers=sales,
                        json={"fields": {"follow_ups": rows}})
    assert taken.status_code == 200, taken.json
    assert taken.json["flags"] == {"follow_ups_owed": 2}
    assert register_visit(client, boss, "sales_boss", "2026-03-10")["flags"]["conflict_with"] == first["code"]
    # a month after 02-10
    assert register_visit(client, boss, "sales_boss", "2026-03-11")["flags"] == NO_CONFLICT


def test_a_follow_up_must_add_a_sensible_row(client, token_for):  # type: ignore[no-untyped-def]
    sales = token_for("sales")
    code = register_visit(client, sales, "sales", "2026-02-20")["code"]
    for rows, message in [([], "Required for “Log a follow-up”."),
                          ([{"date": "2026-02-19", "method": "phone"}], "before the visit"),
                          ([{"date": "2026-03-03", "method": "phone"}], "in the future")]:
        response = client.post(f"/api/v1/records/{code}/actions/follow_up", headers=sales,
                               json={"fields": {"follow_ups": rows}})
        assert response.status_code == 422 and message in response.json["fields"]["follow_ups"], rows


def test_a_phone_enquiry_is_not_a_visit(client, token_for):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/records", headers=token_for("sales"), json={"form": "VR", "data": {
        "visit_kind": "phone", "visit_date": "2026-03-02", "customer_name": "周女士", "phone": "13700001111",
        "needs": "咨询", "receiving_staff": "sales"}})
    assert response.status_code == 422
    assert "A phone enquiry is not a visit" in response.json["fields"]["visit_kind"]
