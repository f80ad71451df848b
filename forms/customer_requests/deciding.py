"""The decider's side of a personal data request: the request with its gathered records (each
with the duty that keeps it, shown before deciding), and one decision per record.

Who decides: a supervisor of the request's department, or an administrator; never the person
who registered the request (four eyes, as for carrying it out). The request is read through
:func:`archive.records.get_record` (audited, and subject to every rule on reading records);
the gathered records are listed by code, form, state and dates only: their contents are read
on their own record pages, through the same service.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import Record
from archive.records import RecordView, get_record
from core.audit import trail
from core.auth.roles import Actor, NotFound, PermissionDenied, Role
from core.clock import Clock
from core.db import Database
from forms import workflow
from forms.customer_requests.duty import Duty, duty_of
from forms.customer_requests.models import RequestItem
from forms.fields.scalar import normalise_phone
from forms.masking import shown_record
from forms.spec.model import FormSpec
from forms.submission import known_references
from forms.validation import InvalidData, validate
from forms.versions import spec_version

FORM = "PR"
DECIDERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
MAX_KEEP_REASON = 500


@dataclass(frozen=True)
class Item:
    record_code: str
    form_code: str
    state: str
    submitted_at: datetime
    filed_at: datetime | None
    anonymised: bool
    duty: Duty | None
    include: bool | None
    deletion: str | None
    keep_reason: str | None
    keep_until: date | None
    correction: dict[str, Any] | None
    outcome: str | None
    decided: bool
    form_title: dict[str, str]
    state_label: dict[str, str]
    #: The record's personal fields (name, label) a correction is offered for on the page.
    correctable: tuple[tuple[str, dict[str, str]], ...] = ()


@dataclass(frozen=True)
class RequestPage:
    request: RecordView
    kinds: tuple[str, ...]
    items: list[Item]
    may_decide: bool
    state_label: dict[str, str]


def may_decide(actor: Actor, request: RecordView) -> bool:
    """A supervisor of the request's department or an admin, not its registering person."""
    return (actor.role in DECIDERS and actor.covers(request.department_code)
            and actor.username != request.submitted_by)


def request_page(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, code: str) -> RequestPage:
    """The request (an audited read) with its gathered records and their duties today."""
    request = get_record(db, clock, actor, code)
    if request.form_code != FORM:
        raise NotFound(code)
    today = clock.now().astimezone(zone).date()
    with db.reading() as session:
        rows = session.execute(select(RequestItem, Record)
                               .join(Record, Record.code == RequestItem.record_code)
                               .where(RequestItem.request_code == code)
                               .order_by(Record.submitted_at, Record.code)).all()
        items = [_item(item, record, spec_version(db, record.form_code, record.form_version), today, zone,
                       session) for item, record in rows]
    spec = spec_version(db, request.form_code, request.form_version)
    request = shown_record(spec, actor, request)  # whose request it is, masked as on its record page
    return RequestPage(request, tuple(request.data.get("request_kinds") or ()), items,
                       may_decide(actor, request) and request.state == "gathered",
                       dict(spec.workflow.states.get(request.state, {})))


def _item(item: RequestItem, record: Record, spec: FormSpec, today: date, zone: ZoneInfo,
          session: Session) -> Item:
    return Item(item.record_code, item.form_code, record.state, record.submitted_at, record.filed_at,
                record.anonymised_at is not None, duty_of(session, spec, record, today, zone), item.include,
                item.deletion, item.keep_reason, item.keep_until, item.correction, item.outcome,
                item.decided_at is not None, dict(spec.title),
                dict(spec.workflow.states.get(record.state, {})),
                tuple((name, dict(spec.field(name).label)) for name in spec.personal_fields
                      if spec.field(name) is not None))


@dataclass(frozen=True)
class Decision:
    include: bool | None = None
    deletion: str | None = None  # "delete" | "keep"
    keep_reason: str = ""
    correction: dict[str, Any] | None = None


def decide(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, code: str, record_code: str,
           decision: Decision) -> None:
    """Record ``actor``'s decision on one gathered record (audited); InvalidData names what is wrong."""
    request = get_record(db, clock, actor, code)
    if request.form_code != FORM:
        raise NotFound(code)
    _authorise(db, clock, actor, request)
    kinds = set(request.data.get("request_kinds") or ())
    correction = _checked_correction(db, zone, record_code, decision, kinds)
    today = clock.now().astimezone(zone).date()
    with db.transaction() as session:
        item = session.scalar(select(RequestItem).where(
            RequestItem.request_code == code, RequestItem.record_code == record_code).with_for_update())
        record = session.scalar(select(Record).where(Record.code == record_code))
        if item is None or record is None:
            raise NotFound(record_code)
        duty = duty_of(session, spec_version(db, record.form_code, record.form_version), record, today, zone)
        _check(decision, kinds, duty, record_code)
        item.include = decision.include if "see" in kinds else None
        item.deletion = decision.deletion if "delete" in kinds else None
        item.keep_reason = _keep_reason(decision, duty) if item.deletion == RequestItem.KEEP else None
        item.keep_until = duty.until if duty is not None and item.deletion == RequestItem.KEEP else None
        item.correction = correction
        item.decided_by_id, item.decided_at = actor.user_id, clock.now()
        trail.append(session, at=clock.now(), actor=actor, action="customer_request.decide",
                     object_type="record", object_id=code, detail={
                         "record": record_code, "include": item.include, "deletion": item.deletion,
                         "corrected_fields": sorted(correction or {}), "duty": duty.kind if duty else None})


def _authorise(db: Database, clock: Clock, actor: Actor, request: RecordView) -> None:
    problem = None
    if not may_decide(actor, request):
        problem = PermissionDenied(_("Only a supervisor of the department or an administrator, other than "
                                     "the person who registered it, may decide on request %(code)s.",
                                     code=request.code))
    elif request.state != "gathered":
        problem = workflow.ActionRefused(_("Request %(code)s is not waiting for decisions.",
                                           code=request.code))
    if problem is not None:
        with db.transaction() as session:
            trail.append(session, at=clock.now(), actor=actor, action="customer_request.decide.denied",
                         object_type="record", object_id=request.code, detail={"why": str(problem)})
        raise problem


def _check(decision: Decision, kinds: set[str], duty: Duty | None, code: str) -> None:
    errors: dict[str, str] = {}
    if "see" in kinds and decision.include is None:
        errors["include"] = _("Say whether %(code)s goes into the customer's copy.", code=code)
    if "delete" in kinds and decision.deletion not in (RequestItem.DELETE, RequestItem.KEEP):
        errors["deletion"] = _("Choose delete or keep for %(code)s.", code=code)
    elif decision.deletion == RequestItem.DELETE and duty is not None:
        errors["deletion"] = _("%(code)s is under a duty (%(why)s): it can only be kept.",
                               code=code, why=duty.label)
    elif decision.deletion == RequestItem.KEEP and duty is None and not decision.keep_reason.strip():
        errors["keep_reason"] = _("%(code)s is under no duty: give the reason for keeping it.", code=code)
    if len(decision.keep_reason) > MAX_KEEP_REASON:
        errors["keep_reason"] = _("At most %(n)d characters.", n=MAX_KEEP_REASON)
    if errors:
        raise InvalidData(errors)


def _keep_reason(decision: Decision, duty: Duty | None) -> str:
    own = decision.keep_reason.strip()
    if duty is None:
        return own
    return f"{duty.reason_zh} / {duty.reason_en}" + (f"（{own}）" if own else "")


def _checked_correction(db: Database, zone: ZoneInfo, record_code: str, decision: Decision,
                        kinds: set[str]) -> dict[str, Any] | None:
    """The corrected values, validated against the record's form as a whole (InvalidData)."""
    wanted = {k: v for k, v in (decision.correction or {}).items() if v not in (None, "")}
    if not wanted:
        return None
    if "correct" not in kinds:
        raise InvalidData({"correction": _("The customer did not ask for a correction.")})
    with db.reading() as session:
        row = session.execute(select(Record.form_code, Record.form_version, Record.data)
                              .where(Record.code == record_code)).one_or_none()
    if row is None:
        raise NotFound(record_code)
    spec = spec_version(db, row.form_code, row.form_version)
    unknown = [name for name in wanted if spec.field(name) is None]
    if unknown:
        raise InvalidData({"correction": _("%(form)s has no field %(names)s.", form=spec.code,
                                           names=", ".join(unknown))})
    wanted = {name: _as_typed(spec, name, value) for name, value in wanted.items()}
    users, departments = known_references(db, spec, {**row.data, **wanted})
    kept_users, kept_departments = workflow.kept_references(spec, row.data, wanted)
    clean = validate(spec, {**row.data, **wanted}, users=users | kept_users,
                     departments=departments | kept_departments, zone=zone)
    return {name: clean.get(name) for name in wanted}


def _as_typed(spec: FormSpec, name: str, value: Any) -> Any:
    """A phone typed as people type it (``139 1111 2222``, ``+86 139-1111-2222``, full-width
    digits) cleaned as the fill page cleans it, so the decider is not refused the formats the
    error message itself gives as examples."""
    field = spec.field(name)
    if field is not None and field.type == "phone" and isinstance(value, str):
        return normalise_phone(unicodedata.normalize("NFKC", value))
    return value
