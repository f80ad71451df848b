"""The customer view as a service: every record of one customer the actor may see, read through
archive.records.get_record (so permissions, grants, need-to-know and the read audit apply) and
masked by forms.masking.shown_record as on the record page. Computed from the records.

Finding a customer answers only with what the actor could find anyway: a number finds its
customer when the actor may see a record carrying that number; a record leads to its customer
when the actor may see the record; the customer's page lists the records the actor may see and
is "not found" when there are none, the same as an id that leads nowhere. So the lookup cannot
tell a clerk that another department serves this customer."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from archive.models import Record
from archive.need_to_know import ReasonRequired
from archive.records import RecordView, get_record, visible_to
from core.audit import trail
from core.auth.roles import Actor, NotFound
from core.clock import Clock
from core.db import Database
from forms.customers.keys import LINKING_KINDS, customer_fields, key_of, phone_key
from forms.customers.linking import ID_LENGTH, MAX_LINKED, component, customer_id_from, customer_id_of
from forms.customers.models import CustomerKeyRow
from forms.fields import REGISTRY
from forms.masking import shown_record
from forms.spec.model import FormSpec
from forms.versions import spec_version

_ID = re.compile(rf"[0-9a-f]{{{ID_LENGTH}}}")
MAX_NUMBER = 64  # longer than any phone, policy or order number


class NotANumber(ValueError):
    """What was typed is no phone, policy or order number (the message says so, translated)."""


@dataclass(frozen=True)
class Tier:
    """The customer's tier as one record recorded it (A/B/C/D), with where and when."""

    value: str
    label: str
    code: str
    at: datetime


@dataclass(frozen=True)
class CustomerSummary:
    """Who the customer is, as their records (masked for the reader) say: names and phones as
    written on them, newest first, and the tier of the newest record that gives one."""

    names: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    tier: Tier | None = None


@dataclass(frozen=True)
class CustomerView:
    customer_id: str
    records: list[RecordView]
    specs: dict[tuple[str, int], FormSpec]
    summary: CustomerSummary
    #: Records the reader must state a reason for first (need-to-know, asked per record).
    withheld: list[str]
    cut: bool  # the customer has more records than one page gathers (MAX_LINKED)

    def as_json(self) -> dict[str, Any]:
        tier = self.summary.tier
        return {"customer": self.customer_id, "records": [r.as_json() for r in self.records],
                "names": self.summary.names, "phones": self.summary.phones,
                "tier": None if tier is None else {"value": tier.value, "code": tier.code,
                                                   "at": tier.at.isoformat()},
                "withheld": self.withheld, "cut": self.cut}


def is_open_complaint(view: RecordView) -> bool:
    return view.form_code == "CP" and view.state not in ("closed", "completed")


def valid_id(customer_id: str) -> bool:
    return bool(_ID.fullmatch(customer_id))


def _visible_codes(session: Any, actor: Actor, customer_id: str) -> tuple[list[str], bool]:
    """The codes of the customer's records ``actor`` may see, and whether the walk was cut."""
    if not valid_id(customer_id):
        return [], False
    start = set(session.scalars(select(CustomerKeyRow.digest)
                                .where(CustomerKeyRow.digest.startswith(customer_id, autoescape=True))))
    ids, _, cut = component(session, start, MAX_LINKED)
    codes = list(session.scalars(select(Record.code).where(Record.id.in_(ids), visible_to(actor))))
    return codes, cut


def customer_page(db: Database, clock: Clock, actor: Actor, customer_id: str,
                  locale: str = "zh") -> CustomerView:
    """The records of the customer whose id is ``customer_id`` that ``actor`` may see, open
    complaints first, then newest first; audited ``customer.view`` with the count shown.

    NotFound when the actor may see none of them (or there is no such customer). Under
    need-to-know asked per record, records still wanting a reason are listed as withheld (the
    page offers the reason form for each); asked per session, the first refusal stands (one
    reason opens them all)."""
    with db.reading() as session:
        codes, cut = _visible_codes(session, actor, customer_id)
    if not codes:
        raise NotFound(_("No records of this customer that you may see."))
    views, withheld, specs = [], [], {}
    per_record = actor.reading is not None and actor.reading.mode == "record"
    for code in codes:
        try:
            view = get_record(db, clock, actor, code, purpose="read")
        except ReasonRequired:
            if not per_record:
                raise
            withheld.append(code)
            continue
        key = (view.form_code, view.form_version)
        if key not in specs:
            specs[key] = spec_version(db, *key)
        views.append(shown_record(specs[key], actor, view))
    views.sort(key=lambda v: v.submitted_at, reverse=True)
    views.sort(key=lambda v: not is_open_complaint(v))
    trail.append_alone(db, at=clock.now(), actor=actor, action="customer.view", object_type="customer",
                       object_id=customer_id, detail={"records": len(views), "withheld": len(withheld)})
    return CustomerView(customer_id, views, specs, summarise(views, specs, locale), sorted(withheld), cut)


def summarise(views: list[RecordView], specs: dict[tuple[str, int], FormSpec],
              locale: str = "zh") -> CustomerSummary:
    """Names, phones and the latest tier, read from the (already masked) records, newest first."""
    fields = customer_fields()
    name_fields, tier_fields = list(fields.get("name") or ()), list(fields.get("tier") or ())
    names: list[str] = []
    phones: list[str] = []
    seen_phones: set[str] = set()
    tier: Tier | None = None
    for view in sorted(views, key=lambda v: v.submitted_at, reverse=True):
        spec = specs[(view.form_code, view.form_version)]
        for spec_field in spec.fields:
            value = view.data.get(spec_field.name)
            if value in (None, "", []):
                continue
            shown = REGISTRY[spec_field.type].display(spec_field, value, locale)
            if spec_field.name in name_fields and shown not in names:
                names.append(shown)
            elif spec_field.type == "phone" and (key := phone_key(str(shown)) or shown) not in seen_phones:
                seen_phones.add(key)  # +8613800138000 and 13800138000: one phone, shown once
                phones.append(shown)
            elif spec_field.name in tier_fields and tier is None and isinstance(value, str):
                tier = Tier(value, shown, view.code, view.submitted_at)
    return CustomerSummary(names, phones, tier)


def find_customer(db: Database, actor: Actor, number: str) -> str | None:
    """The id of the customer a phone, policy or order number belongs to, if ``actor`` may see a
    record that carries that very number; NotANumber when ``number`` can be none of them.

    A record of the customer reached only through another number does not count: a sales clerk
    typing a mobile must not learn that customer service's records tie it to the landline on
    their own visit register."""
    text = number.strip()
    if not text:
        raise NotANumber(_("Type a phone, policy or order number."))
    if len(text) > MAX_NUMBER:
        raise NotANumber(_("A number is at most %(n)d characters.", n=MAX_NUMBER))
    digests = [key.digest for kind in LINKING_KINDS if (key := key_of(kind, text)) is not None]
    with db.reading() as session:
        carried = session.scalars(
            select(CustomerKeyRow.digest).join(Record, Record.id == CustomerKeyRow.record_id)
            .where(CustomerKeyRow.digest.in_(digests), visible_to(actor)).limit(1)).first()
        return None if carried is None else customer_id_from(session, {carried})


def customer_of(db: Database, actor: Actor, code: str) -> str | None:
    """The id of the customer of the record ``code``, which ``actor`` must be able to see
    (NotFound otherwise, as for the record itself); None when it carries no number."""
    with db.reading() as session:
        visible = session.scalar(select(Record.id).where(Record.code == code, visible_to(actor)))
        if visible is None:
            raise NotFound(_("No such record."))
        return customer_id_of(session, code)


def codes_with_customers(db: Database, codes: Collection[str]) -> frozenset[str]:
    """Which of ``codes`` are linked to a customer (one query: for a page of search hits)."""
    if not codes:
        return frozenset()
    with db.reading() as session:
        return frozenset(session.scalars(
            select(Record.code).join(CustomerKeyRow, CustomerKeyRow.record_id == Record.id)
            .where(Record.code.in_(list(codes))).distinct()))
