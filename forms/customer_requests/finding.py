"""The records of a request's customer, found by the phone, policy and order numbers the
request gives, as they are stored (a phone is stored normalised: ``13800138000``, with or
without ``+86``; a landline with or without its area code's dash).

Interim: the customer links of issue 21 part A (``forms.customers``: keyed digests, transitive
through shared keys, kept up to date by corrections and anonymisation) were not in the tree when
this was written. This finder matches the stored values directly, in SQL, on every record's
``phone``, ``policy_no`` and ``order_no``; it does not follow a second phone of the same record
to that phone's records. Replacing it by ``linked_codes(session, record_keys("PR", data))`` is
the one call in :mod:`.gathering`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from archive.models import Record

#: At most this many records are gathered for one request (a phone shared by a switchboard).
LIMIT = 2000
PHONE_FIELD, NUMBER_FIELDS = "phone", ("policy_no", "order_no")


def phone_spellings(phone: str) -> set[str]:
    """Every stored form of ``phone``: with and without +86; a landline with and without the dash."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("86") and len(digits) > 11 and phone.lstrip().startswith("+"):
        digits = digits[2:]
    if not digits:
        return set()
    forms = {digits}
    if digits.startswith("0"):
        for cut in (3, 4):
            forms.add(f"{digits[:cut]}-{digits[cut:]}")
    return forms | {f"+86{form}" for form in forms}


def customer_codes(session: Session, data: Mapping[str, Any]) -> list[str]:
    """The codes of the records that carry the request's phone, policy or order number."""
    conditions = []
    phones = phone_spellings(str(data.get(PHONE_FIELD) or ""))
    if phones:
        conditions.append(Record.data[PHONE_FIELD].as_string().in_(sorted(phones)))
    for name in NUMBER_FIELDS:
        value = str(data.get(name) or "").strip()
        if value:
            conditions.append(Record.data[name].as_string() == value)
    if not conditions:
        return []
    return list(session.scalars(select(Record.code).where(or_(*conditions), Record.anonymised_at.is_(None))
                                .order_by(Record.id).limit(LIMIT)))
