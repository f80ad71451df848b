"""AR — archive access requests: the records asked for must exist, the period must make sense,
and approval opens exactly those records to the applicant for that period (archive.grants).

``records_wanted`` holds record codes, one or more per line, possibly with other words around
them ("CP-2026-000123 客户投诉"), and/or saved searches: the address of a search page
(``…/search?q=压缩机&form=CP&year=2026``) as the applicant copied it. On approval each search is
run over the whole archive and the records it finds then are frozen into the grants, with the
codes in the audit trail (``access.grant``): the grant is to exactly those records, not to
whatever the search would find later. The searches run before the approval's write
transaction opens (a prepare hook), so none holds the writer lock; the workflow approves only
the revision they were run for. A search finding more than :data:`MAX_GRANTED` records,
or a request naming neither a code nor a search, cannot be approved as it is: the archivist
returns it. The period runs at most ``ACCESS_GRANT_MAX_DAYS`` (instance config), and the
applicant never approves their own request (four eyes: another archivist or an admin does).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from archive.grants import grant
from archive.models import Record
from core.audit import trail
from forms.models import FormVersion
from forms.rules.hooks import ActionContext, Preparing
from forms.rules.registry import RuleRegistry
from search.backend import BackendUnavailable
from search.backends import current_backend
from search.params import parse_params
from search.query import BadSearch
from search.service import codes_found

#: A record code as written: its number whole (CP-2026-000123) or short (cp-2026-123), as search takes it.
CODE = re.compile(r"\b([A-Za-z]{2,4})-(\d{4})-(\d{1,6})\b")
SAVED_SEARCH = re.compile(r"\S*/search\?\S+")
MAX_GRANTED = 200


def register_rules(rules: RuleRegistry) -> None:
    rules.four_eyes("AR", "approve")  # nobody opens records to themselves,
    rules.four_eyes("AR", "deny")  # nor decides their own request: the decision is someone else's
    rules.check_submission("AR", before_filing)
    rules.prepare("AR", "approve", resolve_before_approval)
    rules.check("AR", "approve", before_approval)
    rules.effect("AR", "approve", open_the_records)


def wanted_codes(data: dict[str, Any], forms: Collection[str] = ()) -> list[str]:
    """The record codes a request names, in order, each once (not those of its searches). A code
    written short or in lower case (``vr-2026-1``, as search reads it) counts when its form is one
    of ``forms``: it was ignored, and the approved request did not open it. Other code-shaped
    words (an order number SO-2026-88417) stay text."""
    text = SAVED_SEARCH.sub(" ", str(data.get("records_wanted", "")))
    codes = [f"{form.upper()}-{year}-{int(number):06d}" for form, year, number in CODE.findall(text)
             if len(number) == 6 or form.upper() in forms]
    return list(dict.fromkeys(codes))


def saved_searches(data: dict[str, Any]) -> list[str]:
    return SAVED_SEARCH.findall(str(data.get("records_wanted", "")))


def resolved(data: dict[str, Any], zone: ZoneInfo,
             forms: Collection[str] = ()) -> tuple[list[str], str | None]:
    """Every code the request asks for now (its codes, then what its searches find), or a
    problem that stops the approval."""
    codes = wanted_codes(data, forms)
    for link in saved_searches(data):
        try:
            params = parse_params(dict(parse_qsl(urlsplit(link).query)))
            found = codes_found(current_backend(), zone, params,
                                limit=MAX_GRANTED)
        except BadSearch as exc:
            return [], _("The saved search %(link)s cannot be used: %(problem)s", link=link, problem=str(exc))
        except BackendUnavailable:
            return [], _("Search is not available now; approve later, or return the request for codes.")
        if len(found) > MAX_GRANTED:
            return [], _("The saved search %(link)s finds more than %(n)d records; return it to be narrowed.",
                         link=link, n=MAX_GRANTED)
        codes += [code for code in found if code not in codes]
    if len(codes) > MAX_GRANTED:
        return [], _("More than %(n)d records are asked for; return the request to be narrowed.",
                     n=MAX_GRANTED)
    return codes, None


def too_long(data: dict[str, Any]) -> dict[str, str]:
    """The period asked for is longer than the longest grant (``ACCESS_GRANT_MAX_DAYS``, first
    and last day included): refused on filing and again on approval, as the setting may have
    been lowered in between."""
    first, last = date.fromisoformat(str(data["period_from"])), date.fromisoformat(str(data["period_to"]))
    days, limit = (last - first).days + 1, int(current_app.config["ACCESS_GRANT_MAX_DAYS"])
    if days <= limit:
        return {}
    return {"period_to": _("Access is granted for at most %(limit)d days; this period is %(days)d days. "
                           "End it by %(end)s, or file another request later.",
                           limit=limit, days=days, end=(first + timedelta(days=limit - 1)).isoformat())}


def before_filing(data: dict[str, Any], today: date) -> dict[str, str]:
    return too_long(data)


def resolve_before_approval(preparing: Preparing) -> dict[str, Any]:
    """The codes the request asks for now, or the problem that stops the approval: its saved
    searches are run here, before the approval's transaction, so no search holds the writer
    lock (the workflow approves only the revision resolved here)."""
    with preparing.db.reading() as session:
        forms = set(session.scalars(select(FormVersion.form_code).distinct()))
    codes, problem = resolved(preparing.data, ZoneInfo(preparing.zone_name), forms)
    return {"codes": codes, "problem": problem}


def before_approval(context: ActionContext, data: dict[str, Any]) -> dict[str, str]:
    """The request as resolved before the transaction (:func:`resolve_before_approval`) names
    records that exist now, for a period that makes sense."""
    errors: dict[str, str] = {}
    codes, problem = context.found["codes"], context.found["problem"]
    if problem:
        errors["records_wanted"] = problem
    elif not codes and not saved_searches(data):
        errors["records_wanted"] = _("Names no record code (such as CP-2026-000123); return it for codes.")
    elif not codes:
        errors["records_wanted"] = _("The saved searches find no record now; return the request.")
    else:
        found = set(context.session.scalars(select(Record.code).where(Record.code.in_(codes))))
        missing = [code for code in codes if code not in found]
        if missing:
            errors["records_wanted"] = _("No such record: %(codes)s.", codes=", ".join(missing))
    if data["period_to"] < data["period_from"]:
        errors["period_to"] = _("Ends before the period starts.")
    else:
        errors.update(too_long(data))
    return errors


def open_the_records(context: ActionContext) -> None:
    data, zone = context.record.data, ZoneInfo(context.zone_name)
    codes = context.found["codes"]  # resolved before the transaction, checked just before in it
    first, last = date.fromisoformat(data["period_from"]), date.fromisoformat(data["period_to"])
    grant(context.session, grantee_id=context.record.submitted_by_id, codes=codes,
          request_code=context.record.code, valid_from=_start_of(first, zone),
          valid_until=_start_of(last + timedelta(days=1), zone), granted_by=context.actor, now=context.now)
    trail.append(context.session, at=context.now, actor=context.actor, action="access.grant",
                 object_type="record", object_id=context.record.code,
                 detail={"codes": codes, "from": first.isoformat(), "to": last.isoformat()})


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)
