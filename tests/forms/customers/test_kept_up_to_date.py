"""Links kept by the real services, in the same transaction as the change: submission under any
spelling of the phone, a 勘误 correction changing it, anonymisation leaving the customer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import update

from archive.models import Record
from core.web import services
from forms.customers.keys import key_of
from forms.customers.linking import customer_id_of, linked_codes
from forms.submission import submit
from tests.support.instance import actor_of
from tests.support.lifecycle import close_complaint, new_complaint, step, work_outbox
from tests.support.samples import RS_DATA

#: The services keep a phone as typed once spaces and dashes are gone (the fill page drops them),
#: so submitted records differ by the +86; test_linking.py links the typed spellings themselves.
SPELLINGS = ("+8613800138000", "13800138000", "+8613800138000")


def _codes(app: Flask, phone: str) -> list[str]:
    with app.app_context(), services().db.reading() as session:
        return list(linked_codes(session, [key_of("phone", phone)]))


def _renewal(app: Flask, **changes: Any) -> str:
    with app.app_context():
        s = services()
        return submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "RS", {**RS_DATA, **changes}).code


def test_five_records_under_three_spellings_are_one_customer(app: Flask) -> None:
    complaints = [new_complaint(app, phone=spelling) for spelling in SPELLINGS]
    renewals = [_renewal(app, phone=SPELLINGS[0], policy_no="P-1"), _renewal(app, phone="13900139000",
                                                                                policy_no="p1")]
    stranger = new_complaint(app, phone="13700137000")
    assert _codes(app, "13800138000") == sorted(complaints + renewals)  # the last through its policy
    with app.app_context(), services().db.reading() as session:
        ids = {customer_id_of(session, code) for code in complaints + renewals}
        assert len(ids) == 1 and customer_id_of(session, stranger) not in ids


def test_a_correction_changing_the_phone_moves_the_record(app: Flask) -> None:
    kept, moved = new_complaint(app), new_complaint(app)
    step(app, moved, "correct", "supervisor", {"phone": "13900139000"}, reason="客户来电更正电话")
    assert _codes(app, "13800138000") == [kept]
    assert _codes(app, "13900139000") == [moved]


def test_an_anonymised_record_leaves_the_customer(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    """Filed long ago and past its period (as tests/forms/test_anonymise.py ages it)."""
    old, recent = new_complaint(app), new_complaint(app)
    close_complaint(app, old)
    work_outbox(app)
    with app.app_context(), services().db.transaction() as session:
        session.execute(update(Record).where(Record.code == old)
                        .values(filed_at=datetime(2026, 3, 2, 2, 0, 0, 123456, tzinfo=UTC)))
    clock.advance(days=1097)
    assert app.test_cli_runner().invoke(args=["personal", "anonymise", "--by", "admin"]).exit_code == 0
    assert _codes(app, "13800138000") == [recent]
    with app.app_context(), services().db.reading() as session:
        assert customer_id_of(session, old) is None
