"""The personal data request's rule hooks (form PR): who registers one, gathering the customer's
records on ``gather`` (inside the workflow action's transaction: the request's revision, its
audit event and the gathered records commit together), and the checks on ``carry_out``: every
gathered record decided, and taken only through :func:`.carrying.carry_out_request` (which does
the work in the same transaction), never as a bare state change from the record page.

Gathering finds every record of the request's customer: the records linked to the request's
phone, policy or order number through the customer keys (:mod:`forms.customers.linking`, however
the number was written, and onward through a second number those records share). Anonymised
records have left their customer and are not gathered. Gathering again (the request corrected
with another number) keeps the decisions already made for records still gathered.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select

from archive.models import Record
from core.audit import trail
from core.auth.roles import PermissionDenied, Role
from forms.customer_requests.models import RequestItem
from forms.customers.keys import record_keys
from forms.customers.linking import linked_codes
from forms.rules.hooks import ActionContext, Filing
from forms.rules.registry import RuleRegistry

FORM, DEPARTMENT = "PR", "CS"
SEE, CORRECT, DELETE = "see", "correct", "delete"


#: Who registers a request: customer service's staff (the department of the form) and admins.
REGISTERING_ROLES = frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN})


def register_rules(rules: RuleRegistry) -> None:
    rules.flag_submission(FORM, registering_staff)
    rules.effect(FORM, "gather", gather)
    rules.check(FORM, "carry_out", through_the_request_page)
    rules.check(FORM, "carry_out", undecided)
    rules.four_eyes(FORM, "carry_out")


def registering_staff(filing: Filing) -> None:
    """Refuse a registration by anyone but customer service's clerks and supervisors, or an admin
    (raised inside the submitting transaction: nothing is saved)."""
    actor = filing.actor
    if actor.role not in REGISTERING_ROLES or not (actor.is_admin or actor.covers(DEPARTMENT)):
        raise PermissionDenied(_("Only customer service staff register personal data requests."))


def gather(context: ActionContext) -> None:
    """Replace the request's items by the records linked to its customer now (decisions kept)."""
    session, request = context.session, context.record
    codes = [c for c in linked_codes(session, record_keys(FORM, request.data)) if c != request.code]
    forms = dict(session.execute(select(Record.code, Record.form_code).where(Record.code.in_(codes))).all())
    kept = set(session.scalars(select(RequestItem.record_code).where(
        RequestItem.request_code == request.code)))
    session.execute(delete(RequestItem).where(RequestItem.request_code == request.code,
                                              RequestItem.record_code.not_in(codes)))
    for code in sorted(set(forms) - kept):
        session.add(RequestItem(request_code=request.code, record_code=code, form_code=forms[code],
                                gathered_at=context.now))
    trail.append(session, at=context.now, actor=context.actor, action="customer_request.gather",
                 object_type="record", object_id=request.code,
                 detail={"records": sorted(forms), "count": len(forms)})


#: What :func:`.carrying.carry_out_request` puts in the action's ``found``: the work is done there.
CARRYING = "customer_request.carrying"


def through_the_request_page(context: ActionContext, data: dict[str, Any]) -> dict[str, str]:
    if context.found.get(CARRYING):
        return {}
    return {"decisions": _("Carry out the decisions on the request's page, where the system does them.")}


def undecided(context: ActionContext, data: dict[str, Any]) -> dict[str, str]:
    """The records still waiting for a decision on something the customer asked (a see request
    needs in-or-out for each, a delete request delete-or-keep for each)."""
    kinds = set(data.get("request_kinds") or ())
    items = context.session.scalars(select(RequestItem).where(
        RequestItem.request_code == context.record.code)).all()
    waiting = sorted(i.record_code for i in items
                     if (SEE in kinds and i.include is None) or (DELETE in kinds and i.deletion is None))
    if waiting:
        return {"decisions": _("Decide on every gathered record first; still undecided: %(codes)s.",
                               codes=", ".join(waiting))}
    return {}

