"""One customer's five records under three spellings of a phone, a landline and a policy
number written two ways, in two departments, and a stranger; as the real services file them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask

from core.clock import FrozenClock
from core.web import services
from forms.customers.linking import customer_id_of
from forms.submission import submit
from tests.support.instance import actor_of
from tests.support.lifecycle import close_complaint, submit_cp
from tests.support.samples import RS_DATA

MOBILE, LANDLINE = "13800138000", "02162345678"
#: The digits that must not show to a reader who reads the customer's data masked.
CLEAR_DIGITS = ("13800138000", "62345678")


@dataclass(frozen=True)
class Customer:
    customer_id: str
    closed_complaint: str
    open_complaint: str
    renewal_by_phone: str
    renewal_by_policy: str
    visit: str  # the sales office's (SALES): outside customer service's department
    stranger: str

    @property
    def customer_service(self) -> list[str]:
        return [self.closed_complaint, self.open_complaint, self.renewal_by_phone, self.renewal_by_policy]

    @property
    def codes(self) -> list[str]:
        return [*self.customer_service, self.visit]


def _submit(app: Flask, username: str, form: str, data: dict[str, Any]) -> str:
    with app.app_context():
        s = services()
        return submit(s.db, s.clock, s.zone, actor_of(app, username), form, data).code


def five_records(app: Flask, clock: FrozenClock) -> Customer:
    """CP closed (13800138000), CP open (+8613800138000), RS by the mobile and policy P2024-0001,
    RS by the landline 021-62345678 and the policy written p2024 0001, VR by +86 021 landline;
    submitted in that order, an hour and a microsecond apart (so "newest first" has an order)."""
    closed = submit_cp(app, phone=MOBILE, customer_name="上海恒丰", customer_tier="B")
    close_complaint(app, closed)
    clock.advance(hours=1, microseconds=1)
    open_ = submit_cp(app, phone="+86" + MOBILE, customer_name="上海恒丰")
    clock.advance(hours=1, microseconds=1)
    by_phone = _submit(app, "clerk", "RS", {**RS_DATA, "phone": MOBILE, "policy_no": "P2024-0001",
                                              "policyholder": "上海恒丰"})
    clock.advance(hours=1, microseconds=1)
    by_policy = _submit(app, "clerk", "RS", {**RS_DATA, "phone": "021-62345678",
                                               "policy_no": "p2024 0001", "policyholder": "上海恒丰"})
    clock.advance(hours=1, microseconds=1)
    visit = _submit(app, "sales", "VR", {"visit_date": "2026-03-01", "customer_name": "恒丰公司",
                                         "phone": "+8602162345678", "needs": "三居室",
                                         "receiving_staff": "sales", "customer_tier": "A"})
    stranger = submit_cp(app, phone="13900139000", customer_name="李四")
    with app.app_context(), services().db.reading() as session:
        customer_id = customer_id_of(session, closed)
    assert customer_id is not None
    return Customer(customer_id, closed, open_, by_phone, by_policy, visit, stranger)
