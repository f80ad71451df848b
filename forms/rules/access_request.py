"""AR — archive access requests: the records asked for must exist, the period must make sense,
and approval opens exactly those records to the applicant for that period (archive.grants).

``records_wanted`` holds record codes, one or more per line, possibly with other words around
them ("CP-2026-000123 客户投诉"); the codes are what is granted. A request naming no code at all
(only search criteria) cannot be approved as it is: the archivist returns it for codes.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from archive.grants import grant
from archive.models import Record
from forms.rules import ActionContext, check, effect

CODE = re.compile(r"\b[A-Z]{2,4}-\d{4}-\d{6}\b")


def wanted_codes(data: dict[str, Any]) -> list[str]:
    """The record codes a request names, in order, each once."""
    return list(dict.fromkeys(CODE.findall(str(data.get("records_wanted", "")).upper())))


@check("AR", "approve")
def before_approval(context: ActionContext, data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    codes = wanted_codes(data)
    if not codes:
        errors["records_wanted"] = _("Names no record code (such as CP-2026-000123); return it for codes.")
    else:
        found = set(context.session.scalars(select(Record.code).where(Record.code.in_(codes))))
        missing = [code for code in codes if code not in found]
        if missing:
            errors["records_wanted"] = _("No such record: %(codes)s.", codes=", ".join(missing))
    if data["period_to"] < data["period_from"]:
        errors["period_to"] = _("Ends before the period starts.")
    return errors


@effect("AR", "approve")
def open_the_records(context: ActionContext) -> None:
    data, zone = context.record.data, ZoneInfo(context.zone_name)
    first, last = date.fromisoformat(data["period_from"]), date.fromisoformat(data["period_to"])
    grant(context.session, grantee_id=context.record.submitted_by_id, codes=wanted_codes(data),
          request_code=context.record.code, valid_from=_start_of(first, zone),
          valid_until=_start_of(last + timedelta(days=1), zone), granted_by=context.actor, now=context.now)


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)
