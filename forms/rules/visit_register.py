"""VR — the visit register: who may claim a customer (以先登记者为准).

A registration protects the receiving staff member's claim on the customer for one month from
the last visit or follow-up: to the same day of the next month, inclusive (the last day of a
shorter month when there is no such day). The customer is known by phone: their own, and any
phone written under the related person (spouses, partners, parents and children count as the
same customer). A phone enquiry is not a visit and is refused with a message saying so.

A registration by another staff member while an earlier claim on one of those phones still runs
is a conflict. It is not filed unasked: the submission stops with :class:`NeedsConfirmation`
saying whose claim it is and until when, and only a submission that confirms that very claim
(or, over the API, any conflict) is filed, flagged with the holder (``flags.conflict_with``,
``claimed_by``, ``claimed_by_name``, ``claimed_until``); the earlier claim stands and a
conflicting registration claims nothing. The check runs in the submitting transaction under
the claim lock, so what was confirmed is what is filed. Each follow-up moves the claim on; a
correction (or a resubmission) that changes the phones moves it to the new phones, checked as a
new registration's are, and releases the old ones.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from archive.models import RecordRevision
from core.audit import trail
from core.auth.models import User
from core.auth.roles import Actor
from forms.fields.scalar import normalise_phone
from forms.models import CustomerClaim
from forms.rules.hooks import ActionContext, Filing, NeedsConfirmation, Submitted
from forms.rules.registry import RuleRegistry

#: Phone numbers as people write them beside a relative's name ("妻子 李娜 138 0013 8000").
WRITTEN_PHONE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}-?\d{7,8})(?!\d)")


#: The flags that mark a registration as a conflict (:meth:`Claim.as_flags`).
CONFLICT_FLAGS = ("conflict_with", "claimed_by", "claimed_by_name", "claimed_until")

#: Each customer is followed up at least this many times (shown on the record until done).
EXPECTED_FOLLOW_UPS = 3


def register_rules(rules: RuleRegistry) -> None:
    rules.check_submission("VR", not_a_phone_enquiry)
    rules.flag_submission("VR", look_for_a_claim)
    rules.on_submit("VR", claim_the_customer)
    rules.check("VR", "follow_up", follow_ups_are_new_and_dated_sensibly)
    rules.effect("VR", "follow_up", extend_the_claim)
    rules.effect("VR", "correct", follow_the_phones)
    rules.effect("VR", "complete", follow_the_phones)


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


@dataclass(frozen=True)
class Claim:
    """A live claim of another staff member on the customer: the registration that made it,
    whose it is and until when (the latest end of that person's claims on these phones)."""

    record_code: str
    staff: str
    staff_name: str
    until: date

    def as_flags(self) -> dict[str, str]:
        """What a conflicting record keeps of it (the holder is named, not opened, on its page)."""
        return {"conflict_with": self.record_code, "claimed_by": self.staff,
                "claimed_by_name": self.staff_name, "claimed_until": self.until.isoformat()}


def live_claim(session: Session, phones: list[str], staff: str, day: date) -> Claim | None:
    """The earliest registered claim by someone other than ``staff`` on any of ``phones`` still
    running on ``day``, or None."""
    earlier = session.execute(
        select(CustomerClaim.record_code, CustomerClaim.staff)
        .where(CustomerClaim.phone.in_(phones), CustomerClaim.staff != staff,
               CustomerClaim.valid_until >= day)
        .order_by(CustomerClaim.registered_at, CustomerClaim.id).limit(1)).first()
    if earlier is None:
        return None
    until = session.scalar(select(func.max(CustomerClaim.valid_until)).where(
        CustomerClaim.phone.in_(phones), CustomerClaim.staff == earlier.staff))
    name = session.scalar(select(User.display_name).where(User.username == earlier.staff))
    return Claim(earlier.record_code, earlier.staff, name or earlier.staff, until)


def conflict_warning(claim: Claim) -> NeedsConfirmation:
    """What the filler is asked before a conflicting registration is filed."""
    message = _("This customer is claimed by %(name)s until %(until)s. If you submit anyway, this "
                "registration is filed as a conflict and the earlier claim stands.",
                name=claim.staff_name, until=claim.until.isoformat())
    return NeedsConfirmation(message, claim.as_flags(), answer=claim.record_code)


def look_for_a_claim(filing: Filing) -> dict[str, Any] | None:
    """Before the registration is inserted, under the claim lock: another staff member's live
    claim on the customer makes it a conflict, asked about first and flagged with the holder;
    otherwise it is flagged with the follow-ups owed. :func:`claim_the_customer` acts on it once
    the record's code is minted."""
    data, session = filing.data, filing.session
    phones, staff = customer_phones(data), str(data["receiving_staff"])
    lock_customer(session, phones)
    claim = live_claim(session, phones, staff, date.fromisoformat(data["visit_date"]))
    filing.found["claim"] = claim
    if claim is not None:
        if filing.confirmed is not True and filing.confirmed != claim.record_code:
            raise conflict_warning(claim)  # rolls the submission back: nothing is filed
        return claim.as_flags()
    return _follow_ups_owed(data, {})


def claim_the_customer(submitted: Submitted) -> None:
    """The registration just inserted claims the customer, or (a confirmed conflict, found by
    :func:`look_for_a_claim`) its conflict is audited and it claims nothing."""
    data, session, code = submitted.record.data, submitted.session, submitted.record.code
    claim: Claim | None = submitted.found["claim"]
    if claim is not None:
        _audit_conflict(session, submitted.now, submitted.actor, code, claim)
        return
    _claim(session, code, customer_phones(data), str(data["receiving_staff"]), submitted.now, data)


def _claim(session: Session, code: str, phones: list[str], staff: str, now: datetime,
           data: dict[str, Any]) -> None:
    until = claim_end(last_contact(data))
    session.add_all(CustomerClaim(record_code=code, phone=phone, staff=staff, registered_at=now,
                                  valid_until=until) for phone in phones)


def _audit_conflict(session: Session, now: datetime, actor: Actor, code: str, claim: Claim) -> None:
    trail.append(session, at=now, actor=actor, action="record.conflict", object_type="record",
                 object_id=code, detail={"earlier": claim.record_code, "claimed_by": claim.staff,
                                         "claimed_until": claim.until.isoformat()})


def _follow_ups_owed(data: dict[str, Any], flags: dict[str, Any]) -> dict[str, Any]:
    """``flags`` with how many of the expected follow-ups are still to come (none: removed)."""
    owed = max(EXPECTED_FOLLOW_UPS - len(data.get("follow_ups", [])), 0)
    flags = {k: v for k, v in flags.items() if k != "follow_ups_owed"}
    return {**flags, "follow_ups_owed": owed} if owed else flags


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


def extend_the_claim(context: ActionContext) -> None:
    context.session.execute(update(CustomerClaim).where(CustomerClaim.record_code == context.record.code)
                            .values(valid_until=claim_end(last_contact(context.record.data))))
    context.record.flags = _follow_ups_owed(context.record.data, dict(context.record.flags or {}))


def follow_the_phones(context: ActionContext) -> None:
    """A correction or resubmission that changes who the customer is (their phones, a relative's)
    or who received them moves the claim: the old phones are released and the new ones checked
    as a new registration's are, so a corrected number another staff member holds makes this a
    conflict (claiming nothing) and a number corrected away from one ends it. Claim ends follow
    the corrected dates either way."""
    session, record, data = context.session, context.record, context.record.data
    phones, staff = customer_phones(data), str(data["receiving_staff"])
    before = session.scalar(select(RecordRevision.data).where(
        RecordRevision.record_id == record.id, RecordRevision.number == record.revision - 1))
    flags = dict(record.flags or {})
    if before and set(customer_phones(before)) == set(phones) and before["receiving_staff"] == staff:
        if not flags.get("conflict_with"):
            extend_the_claim(context)  # the same customer and staff: only the dates may have moved
        return
    held = list(session.scalars(select(CustomerClaim.phone).where(CustomerClaim.record_code == record.code)))
    lock_customer(session, held + phones)
    session.execute(delete(CustomerClaim).where(CustomerClaim.record_code == record.code))
    claim = live_claim(session, phones, staff, date.fromisoformat(data["visit_date"]))
    kept = {k: v for k, v in flags.items() if k not in CONFLICT_FLAGS and k != "follow_ups_owed"}
    if claim is not None:
        _audit_conflict(session, context.now, context.actor, record.code, claim)
        record.flags = kept | claim.as_flags()
        return
    _claim(session, record.code, phones, staff, context.now, data)
    record.flags = _follow_ups_owed(data, kept) or None
