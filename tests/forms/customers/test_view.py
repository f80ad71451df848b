"""customer_page as a service: only the records the viewer may see (another department's reader,
or an id that leads nowhere: not found), read through get_record; audited customer.view with the
id and count, never the phone."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.auth.roles import NotFound
from core.web import services
from forms.customers.linking import customer_id_of
from forms.customers.view import customer_page
from tests.support.instance import actor_of
from tests.support.lifecycle import new_complaint


def _page(app: Flask, username: str, customer_id: str) -> list[tuple[str, str]]:
    with app.app_context():
        s = services()
        view = customer_page(s.db, s.clock, actor_of(app, username), customer_id)
        return [(r.code, r.data.get("phone", "")) for r in view.records]


def test_the_clerk_sees_the_customer_s_records_and_another_department_none(app: Flask) -> None:
    codes = [new_complaint(app), new_complaint(app, phone="+8613800138000")]
    with app.app_context(), services().db.reading() as session:
        customer = customer_id_of(session, codes[0])
    assert customer is not None
    shown = _page(app, "clerk", customer)
    assert sorted(code for code, _ in shown) == sorted(codes)
    for username, customer_id in (("sales", customer), ("clerk", "0" * 20), ("clerk", "%"),
                                  ("clerk", customer.upper())):
        with pytest.raises(NotFound):
            _page(app, username, customer_id)
    with app.app_context(), services().db.reading() as session:
        details = [(e.object_id, e.detail) for e in
                   session.scalars(select(AuditEvent).where(AuditEvent.action == "customer.view")
                                   .order_by(AuditEvent.id))]
    assert details == [(customer, {"records": 2, "withheld": 0})]  # a refusal shows nothing, audits nothing
    assert all("13800138000" not in str(detail) for _, detail in details)
