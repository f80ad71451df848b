"""VR — the visit register: who may claim a customer (以先登记者为准).

A registration protects the receiving staff member's claim on the customer for one month from
the last visit or follow-up: to the same day of the next month, inclusive (the last day of a
shorter month when there is no such day). The customer is known by phone: their own, and any
phone written under the related person (spouses, partners, parents and children count as the
same customer). A registration by another staff member while an earlier claim on one of those
phones still runs is flagged as a conflict on the new record (``flags.conflict_with``), and the
earlier claim stands; a conflicting registration claims nothing. Each follow-up moves the claim
on. A phone enquiry is not a visit and is refused with a message saying so.

Two registrations of the same customer committed at the same instant on PostgreSQL could both
see no earlier claim (SQLite's single writer serialises them); the office registers visitors
one at a time at the desk, and this is left as it is.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from core.audit import trail
from forms.fields.scalar import normalise_phone
from forms.models import CustomerClaim
from forms.rules import ActionContext, Submitted, check, check_submission, effect, on_submit

#: Phone numbers as people write them beside a relative's name ("妻子 李娜 138 0013 8000").
WRITTEN_PHONE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}-?\d{7,8})(?!\d)")


#: Each customer is followed up at least this many times (shown on the record until done).
EXPECTED_FOLLOW_UPS = 3


def customer_phones(data: dict[str, Any]) -> list[str]:
    """The phones that identify the customer: theirs, then any in the related-person field."""
    found = [normalise_phone(str(data["phone"])).removeprefix("+86")]
    for written in WRITTEN_PHONE.findall(str(data.get("related_customer", ""))):
        found.append(normalise_phone(written))
    return list(dict.fromkeys(found))


def last_contact(data: dict[str, Any]) -> date:
    days = [date.fromisoformat(data["visit_date"])]
    days += [date.fromisoformat(row["date"]) for row in data.get("follow_ups", [])]
    return max(days)


def claim_end(day: date) -> date:
    """One month after ``day``: the same day of the next month, or that month's last day."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@check_submission("VR")
def not_a_phone_enquiry(data: dict[str, Any], today: date) -> dict[str, str]:
    if data.get("visit_kind") == "phone":
        return {"visit_kind": _("A phone enquiry is not a visit: keep it as a phone record, not in the visit "
                                "register.")}
    return {}


def lock_customer(session: Session, phones: list[str]) -> None:
    """Queue registrations of one customer behind each other until the first commits.

    Without it, two registrations of one customer by different staff committed at the same
    instant on PostgreSQL (READ COMMITTED) would each look for the other's claim before it was
    committed, and neither would be flagged. A transaction-scoped advisory lock per phone (taken
    in sorted order, so two registrations naming the same phones cannot deadlock) makes the
    second wait, and its query then sees the first's claim. SQLite needs nothing: its write
    transactions are serialised from the start (``BEGIN IMMEDIATE``, core.db)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for phone in sorted(set(phones)):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"vr-claim:{phone}"})


@on_submit("VR")
def claim_the_customer(submitted: Submitted) -> dict[str, Any] | None:
    data, session = submitted.record.data, submitted.session
    phones, staff = customer_phones(data), str(data["receiving_staff"])
    lock_customer(session, phones)
    earlier = session.execute(
        select(CustomerClaim.record_code, CustomerClaim.staff)
        .where(CustomerClaim.phone.in_(phones), CustomerClaim.staff != staff,
               CustomerClaim.valid_until >= date.fromisoformat(data["visit_date"]))
        .order_by(CustomerClaim.registered_at, CustomerClaim.id).limit(1)).first()
    if earlier is not None:
        trail.append(session, at=submitted.now, actor=submitted.actor, action="record.conflict",
                     object_type="record", object_id=submitted.record.code,
                     detail={"earlier": earlier.record_code, "claimed_by": earlier.staff})
        return {"conflict_with": earlier.record_code, "claimed_by": earlier.staff}
    until = claim_end(last_contact(data))
    session.add_all(CustomerClaim(record_code=submitted.record.code, phone=phone, staff=staff,
                                  registered_at=submitted.now, valid_until=until) for phone in phones)
    return _follow_ups_owed(data, {})


def _follow_ups_owed(data: dict[str, Any], flags: dict[str, Any]) -> dict[str, Any]:
    """``flags`` with how many of the expected follow-ups are still to come (none: removed)."""
    owed = max(EXPECTED_FOLLOW_UPS - len(data.get("follow_ups", [])), 0)
    flags = {k: v for k, v in flags.items() if k != "follow_ups_owed"}
    return {**flags, "follow_ups_owed": owed} if owed else flags


@check("VR", "follow_up")
def follow_ups_are_new_and_dated_sensibly(context: ActionContext, data: dict[str, Any]) -> dict[str, str]:
    before, rows = context.record.data.get("follow_ups", []), data.get("follow_ups", [])
    if len(rows) <= len(before):
        return {"follow_ups": _("Add a row for the new follow-up.")}
    visit = date.fromisoformat(data["visit_date"])
    for number, row in enumerate(rows, start=1):
        day = date.fromisoformat(row["date"])
        if day < visit:
            return {"follow_ups": _("Row %(n)d: before the visit (%(day)s).", n=number,
                                    day=visit.isoformat())}
        if day > context.now.astimezone(ZoneInfo(context.zone_name)).date():
            return {"follow_ups": _("Row %(n)d: in the future.", n=number)}
    return {}


@effect("VR", "follow_up")
def extend_the_claim(context: ActionContext) -> None:
    context.session.execute(update(CustomerClaim).where(CustomerClaim.record_code == context.record.code)
                            .values(valid_until=claim_end(last_contact(context.record.data))))
    context.record.flags = _follow_ups_owed(context.record.data, dict(context.record.flags or {}))
