"""Personal data requests (form PR) for tests: a customer with records of several ages, a
request registered for them, and the steps of its workflow through the real services."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import select, update

from archive.models import HeldRecord, LegalHold, Record, RecordRevision
from core.audit.models import AuditEvent
from core.web import services
from forms.customer_requests.carrying import carry_out_request
from forms.customer_requests.deciding import Decision, decide
from forms.customer_requests.models import RequestItem
from forms.submission import submit
from forms.workflow import act
from tests.support.instance import actor_of
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox

PHONE = "13800138000"
#: The same phone as the services store it, with and without +86 (the pages also drop the
#: spaces and dashes people type): every spelling links to the same customer.
SPELLINGS = ("+8613800138000", "13800138000", "+8613800138000")
CUSTOMER = "钱文华"


def request_data(**changes: Any) -> dict[str, Any]:
    """A valid personal data request (PR) for the customer, received at the clock's moment."""
    return {"request_kinds": ["delete"], "received_at": "2026-03-02T09:00:00+08:00", "channel": "phone",
            "customer_name": CUSTOMER, "phone": PHONE, "identity_check": "callback",
            "identity_note": "回拨登记电话，身份证后四位 1234", **changes}


def register(app: Flask, username: str = "clerk", **changes: Any) -> str:
    with app.app_context():
        s = services()
        return submit(s.db, s.clock, s.zone, actor_of(app, username), "PR", request_data(**changes)).code


def customer_complaint(app: Flask, phone: str, *, filed: bool, contact: str = "") -> str:
    """A complaint of the customer (their phone as ``phone`` spells it); closed, countersigned
    and filed by the outbox worker at the clock's moment when ``filed``, else left registered."""
    extra = {"contact_person": contact} if contact else {}
    code = new_complaint(app, customer_name=CUSTOMER, phone=phone, **extra)
    if filed:
        close_complaint(app, code)
        work_outbox(app)
        with app.app_context(), services().db.reading() as session:
            assert session.scalar(select(Record.filed_at).where(Record.code == code)) is not None, code
    return code


def hold(app: Flask, code: str, at: datetime) -> None:
    with app.app_context(), services().db.transaction() as session:
        archivist = actor_of(app, "archivist")
        legal = LegalHold(name="诉讼 2029-02", reason="客户诉讼", owner_id=archivist.user_id,
                          created_by_id=archivist.user_id, created_at=at)
        session.add(legal)
        session.flush()
        session.add(HeldRecord(hold_id=legal.id, record_code=code, added_by_id=archivist.user_id,
                               added_at=at))


def step(app: Flask, code: str, action: str, who: str) -> None:
    """A workflow step of the request; carrying out through its service (which does the work)."""
    with app.app_context():
        s = services()
        if action == "carry_out":
            carry_out_request(s.db, s.clock, s.zone, actor_of(app, who), code)
        else:
            act(s.db, s.clock, s.zone, actor_of(app, who), code, action)


def decide_on(app: Flask, code: str, record_code: str, who: str = "supervisor", **decision: Any) -> None:
    with app.app_context():
        s = services()
        decide(s.db, s.clock, s.zone, actor_of(app, who), code, record_code, Decision(**decision))


def items(app: Flask, code: str) -> dict[str, RequestItem]:
    with app.app_context(), services().db.reading() as session:
        rows = session.scalars(select(RequestItem).where(RequestItem.request_code == code)).all()
        session.expunge_all()
        return {row.record_code: row for row in rows}


def all_text(app: Flask, code: str) -> str:
    """Every stored text of record ``code``: its data, title and every revision's data."""
    with app.app_context(), services().db.reading() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        datas = session.scalars(select(RecordRevision.data)
                                .where(RecordRevision.record_id == record.id)).all()
        return repr([record.data, record.title, *datas])


def events(app: Flask, action: str, object_id: str | None = None) -> list[AuditEvent]:
    with app.app_context(), services().db.reading() as session:
        query = select(AuditEvent).where(AuditEvent.action == action)
        if object_id is not None:
            query = query.where(AuditEvent.object_id == object_id)
        rows = session.scalars(query.order_by(AuditEvent.id)).all()
        session.expunge_all()
        return list(rows)


def set_filed_at(app: Flask, code: str, at: datetime) -> None:
    with app.app_context(), services().db.transaction() as session:
        session.execute(update(Record).where(Record.code == code).values(filed_at=at.astimezone(UTC)))
