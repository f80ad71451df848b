"""The key table: a record's rows are replaced, customers are components of shared keys."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from archive.models import Record
from core.web import services
from forms.customers.keys import key_of
from forms.customers.linking import customer_id_of, linked_codes, refresh_links
from forms.customers.models import CustomerKeyRow
from tests.support.lifecycle import new_complaint


def _records(session, count: int) -> list[Record]:
    records = list(session.scalars(select(Record).order_by(Record.id).limit(count)))
    assert len(records) == count
    return records


@pytest.fixture(autouse=True)
def six_records(app: Flask) -> None:
    """Six complaints submitted through the real service (their own phones do not matter here:
    each test sets the keys it links by)."""
    for i in range(6):
        new_complaint(app, phone=f"1370000000{i}")


def test_three_spellings_and_a_policy_are_one_customer(app: Flask) -> None:
    with app.app_context(), services().db.transaction() as session:
        r1, r2, r3, r4, r5, other = _records(session, 6)
        refresh_links(session, r1, None, {"phone": "138 0013 8000"})
        refresh_links(session, r2, None, {"phone": "+86 138-0013-8000"})
        refresh_links(session, r3, None, {"phone": "13800138000", "policy_no": "P-1"})
        refresh_links(session, r4, None, {"policy_no": "p1", "phone": "13900139000"})
        refresh_links(session, r5, None, {"customer_phone": "139 0013 9000"})
        refresh_links(session, other, None, {"phone": "13700137000"})
        codes = linked_codes(session, [key_of("phone", "13800138000")])
        assert codes == sorted(r.code for r in (r1, r2, r3, r4, r5)) and not codes.cut
        ids = {customer_id_of(session, r.code) for r in (r1, r2, r3, r4, r5)}
        assert len(ids) == 1 and None not in ids
        assert customer_id_of(session, other.code) not in ids
        stored = " ".join(session.scalars(select(CustomerKeyRow.digest)))
        assert "13800138000" not in stored


def test_a_changed_phone_moves_the_record_and_no_data_leaves(app: Flask) -> None:
    with app.app_context(), services().db.transaction() as session:
        first, second = _records(session, 2)
        refresh_links(session, first, None, {"phone": "13800138000"})
        refresh_links(session, second, None, {"phone": "13800138000"})
        refresh_links(session, second, None, {"phone": "13900139000"})
        assert linked_codes(session, [key_of("phone", "13800138000")]) == [first.code]
        assert linked_codes(session, [key_of("phone", "13900139000")]) == [second.code]
        refresh_links(session, second, None, None)  # anonymised: leaves the customer
        assert linked_codes(session, [key_of("phone", "13900139000")]) == []
        assert customer_id_of(session, second.code) is None


def test_the_walk_is_bounded_and_says_so(app: Flask) -> None:
    with app.app_context(), services().db.transaction() as session:
        records = _records(session, 4)
        for record in records:
            refresh_links(session, record, None, {"phone": "13800138000"})
        codes = linked_codes(session, [key_of("phone", "13800138000")], limit=2)
        assert codes.cut and len(codes) >= 2
