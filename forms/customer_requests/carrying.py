"""Carrying out a personal data request's decisions in one transaction: the request's own
``carry_out`` action (its checks: every record decided; its revision and audit event), then for
each gathered record, under its lock: a 勘误 correction with the corrected values and the
request's code as the reason (the workflow's own correction: a new revision, the record's
history kept), or anonymisation (:mod:`forms.anonymise`'s scrubbing) if deletion was decided and
no retention duty keeps it now (:mod:`.duty`, tested again here: a hold placed since the
decision keeps it), or kept with the reason and the date until when. One audit event per record
done, and one summing up the request. If anything fails, nothing is done.

The corrections and anonymisations are the system's, on the decider's authority: the decider
need not be one who could correct the record themselves (a customer's records span
departments); who may carry out is the ``carry_out`` transition's roles, not the submitter.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from archive.models import Record
from archive.records import RecordView, record_view
from core.audit import trail
from core.auth.roles import Actor, NotFound
from core.clock import Clock, FrozenClock
from core.db import Database
from forms import workflow
from forms.anonymise import _scrub
from forms.customer_requests.duty import duty_of
from forms.customer_requests.gathering import CARRYING, FORM
from forms.customer_requests.models import RequestItem
from forms.printing import CORRECTION
from forms.rules.hooks import ActionContext
from forms.spec.model import FormSpec
from forms.submission import known_references
from forms.validation import InvalidData
from forms.versions import spec_version

CHANNEL = "customer-request"
ACTION = "carry_out"


def carry_out_request(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, code: str, *,
                      revision: int | None = None) -> RecordView:
    """Carry out request ``code``'s decisions (see the module); refusals audited and raised."""
    spec, _data, _seen = workflow._spec_of(db, code)
    if spec.code != FORM:
        raise NotFound(code)
    transition = spec.workflow.transition(ACTION)
    assert transition is not None  # the PR spec declares it (tests/forms/test_specs.py)
    found = {CARRYING: True, **_prepared(db, code)}
    with db.transaction() as session:
        request = session.scalar(select(Record).where(Record.code == code).with_for_update())
        if request is None:
            raise NotFound(code)
        problem = workflow._refusal(actor, spec, request, record_view(session, request), transition,
                                    revision, frozenset())
        if problem is None:
            context = ActionContext(session, actor, request, clock.now(), zone.key, found)
            view = workflow._apply(session, context, spec, transition, request.data, "", "web")
            _carry_out_items(context)
            return view
        trail.append(session, at=clock.now(), actor=actor, action=f"record.{ACTION}.denied",
                     object_type="record", object_id=code, detail={"via": "web", "why": str(problem)})
    raise problem


def _prepared(db: Database, code: str) -> dict[str, Any]:
    """Each gathered record's form version, and the references its correction names (read
    before the writing transaction, as the workflow reads them)."""
    with db.reading() as session:
        rows = session.execute(select(RequestItem.record_code, RequestItem.correction, Record.form_code,
                                      Record.form_version, Record.data)
                               .join(Record, Record.code == RequestItem.record_code)
                               .where(RequestItem.request_code == code)).all()
    specs: dict[str, FormSpec] = {}
    references: dict[str, tuple[set[str], set[str]]] = {}
    for row in rows:
        spec = specs[row.record_code] = spec_version(db, row.form_code, row.form_version)
        if row.correction:
            users, departments = known_references(db, spec, {**row.data, **row.correction})
            kept_users, kept_departments = workflow.kept_references(spec, row.data, row.correction)
            references[row.record_code] = (users | kept_users, departments | kept_departments)
    return {"specs": specs, "references": references}


def _carry_out_items(context: ActionContext) -> None:
    """Correct, anonymise or keep each gathered record as decided; audited per record."""
    session, zone = context.session, ZoneInfo(context.zone_name)
    items = session.scalars(select(RequestItem).where(RequestItem.request_code == context.record.code)
                            .order_by(RequestItem.record_code)).all()
    outcomes: dict[str, str] = {}
    for item in items:
        record = session.scalar(select(Record).where(Record.code == item.record_code).with_for_update())
        spec = context.found["specs"].get(item.record_code)
        if record is None or spec is None:
            item.outcome = outcomes[item.record_code] = "gone"
            continue
        if item.correction and item.deletion != RequestItem.DELETE and record.anonymised_at is None:
            _correct(context, spec, record, item, zone)
        if item.deletion is not None:
            _delete_or_keep(context, spec, record, item, zone)
        item.done_at = context.now
        outcomes[item.record_code] = item.outcome or "copied"
    trail.append(session, at=context.now, actor=context.actor, action="customer_request.carry_out",
                 object_type="record", object_id=context.record.code, detail={"outcomes": outcomes})


def _correct(context: ActionContext, spec: FormSpec, record: Record, item: RequestItem,
             zone: ZoneInfo) -> None:
    """A 勘误 amendment of ``record`` with the corrected values, the request as its reason."""
    transition = spec.workflow.transition(CORRECTION)
    if transition is None or record.state not in transition.from_states:
        raise InvalidData({"decisions": _("%(code)s cannot be corrected in its present state.",
                                          code=record.code)})
    users, departments = context.found["references"].get(record.code, (set(), set()))
    reason = _("Personal data request %(code)s", code=context.record.code)
    clean = workflow._new_data(spec, transition, record.data, dict(item.correction or {}), reason,
                               users, departments, tuple(item.correction or ()), zone)
    corrected = ActionContext(context.session, context.actor, record, context.now, context.zone_name, {})
    workflow._apply(context.session, corrected, spec, transition, clean, reason, CHANNEL)
    item.outcome = "corrected"


def _delete_or_keep(context: ActionContext, spec: FormSpec, record: Record, item: RequestItem,
                    zone: ZoneInfo) -> None:
    """Anonymise ``record`` if deletion was decided and no duty keeps it now; else keep it."""
    session = context.session
    if record.anonymised_at is not None:
        item.outcome = "already anonymised"
        return
    duty = duty_of(session, spec, record, context.now.astimezone(zone).date(), zone)
    if item.deletion == RequestItem.DELETE and duty is None and spec.personal_fields:
        _scrub(session, FrozenClock(context.now), context.actor, spec, record)
        item.outcome = "anonymised"
        return
    if duty is not None:  # a duty found now wins over the decider's own reason
        item.keep_reason, item.keep_until = f"{duty.reason_zh} / {duty.reason_en}", duty.until
    item.deletion, item.outcome = RequestItem.KEEP, "kept"
    until = item.keep_until.isoformat() if item.keep_until else None
    trail.append(session, at=context.now, actor=context.actor, action="record.keep", object_type="record",
                 object_id=record.code, detail={"request": context.record.code, "why": item.keep_reason,
                                                "until": until, "duty": duty.kind if duty else None})
