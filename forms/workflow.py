"""Workflow actions on records: which actions a user may take now, and taking one.

The spec declares each form's states and transitions (:class:`forms.spec.model.Transition`):
from which states, who (roles, or ``filler`` for the person who submitted it), which fields
must hold a value afterwards, which more it may change, whether a reason is required, and
whether it stamps the supervisor's countersignature. This module applies them, for the web
page and the API alike.

An action never overwrites: it appends a revision with the whole data as it now stands, its
name, the new state, who, when and why; the record row only points at the newest. A
correction (勘误) is the action ``correct``: a reason is required and something must change;
the earlier revisions stay readable and every later print carries the "corrected" mark.
Authorization is decided here, with the same department scope as reading; a refused action is
in the audit trail like a taken one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import need_to_know
from archive.models import Record, RecordRevision
from archive.records import RecordView, get_record, may_see, record_view
from core.audit import trail
from core.auth.roles import Actor, NotFound, PermissionDenied
from core.clock import Clock
from core.db import Database
from core.i18n import pick
from forms import rules, steps
from forms.action_notices import after_action
from forms.customers.linking import refresh_links
from forms.deadlines import refreshed
from forms.fields import REGISTRY, References
from forms.fields.signature import refused_signatures, stamp_signatures
from forms.file_intake import incoming_files, index_changes
from forms.pdf.archival import enqueue_rendition
from forms.printing import CORRECTION
from forms.search_documents import enqueue_indexing
from forms.spec.model import FILLER, FormSpec, Transition
from forms.submission import known_references, summary
from forms.validation import InvalidData, validate
from forms.versions import current_specs, spec_version

MAX_REASON = 2000


class ActionRefused(Exception):
    """The action cannot be taken on the record as it now stands (its state, a stamp already
    there, or a newer revision than the one the user saw); the message says which."""


class RecordChanged(ActionRefused):
    """The record has a newer revision than the one the user saw. Kept apart from the other
    refusals because nothing is wrong with what they typed: a page can show the record as it is
    now with their input kept, for them to check and send again."""

    def __init__(self, code: str, now: int, seen: int) -> None:
        super().__init__(_("Record %(code)s has changed since you opened it (revision %(now)d, you saw "
                           "%(seen)d); reload it and try again.", code=code, now=now, seen=seen))
        self.code, self.now, self.seen = code, now, seen


@dataclass(frozen=True)
class ActionView:
    """An action the user may take now, as the record page and the API describe it."""

    name: str
    label: dict[str, str]
    to: str
    fields: tuple[str, ...]  # the fields it may change, in the form's order
    requires: tuple[str, ...]
    reason: bool

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "to": self.to or None, "fields": list(self.fields),
                "requires": list(self.requires), "reason_required": self.reason}


def permitted(actor: Actor, record: RecordView, transition: Transition) -> bool:
    """Whether ``actor`` is one of the people ``transition`` names (scope is checked apart); never
    the submitter for a four-eyes action (:meth:`forms.rules.RuleRegistry.four_eyes`)."""
    if own_four_eyes(actor, record, transition):
        return False
    for role in transition.roles:
        if role == FILLER and actor.username == record.submitted_by:
            return True
        if role == actor.role.value:
            return True
    return False


def own_four_eyes(actor: Actor, record: RecordView, transition: Transition) -> bool:
    """Whether ``transition`` needs a second person and ``actor`` submitted ``record``."""
    return (rules.office_rules().needs_second_person(record.form_code, transition.name)
            and actor.username == record.submitted_by)


def available_actions(spec: FormSpec, record: RecordView, actor: Actor,
                      after_filing: frozenset[str] = frozenset()) -> list[ActionView]:
    """What ``actor`` may do to ``record`` now (the caller has checked they may see it);
    ``after_filing``: the actions a filed record still takes (:func:`open_after_filing`)."""
    def may_take(step: Transition) -> bool:
        return permitted(actor, record, step)

    return [ActionView(t.name, dict(t.label), t.to, steps.editable(spec, t, record.data, may_take),
                       t.requires, t.reason)
            for t in spec.workflow.transitions
            if record.state in t.from_states and permitted(actor, record, t)
            and not (t.stamp == "countersign" and record.countersigned_at is not None)
            and (record.filing is None or open_when_filed(after_filing, t))]


def actions_for(db: Database, clock: Clock, actor: Actor, code: str, *,
                channel: str = "web") -> tuple[RecordView, list[ActionView]]:
    """The record as ``actor`` may read it (audited as a read) and what they may do to it now."""
    record = get_record(db, clock, actor, code, channel=channel)
    spec = spec_version(db, record.form_code, record.form_version)
    if not actor.covers(record.department_code):
        return record, []  # a grant only reads
    after = open_after_filing(db, spec) if record.filing is not None else frozenset()
    return record, available_actions(spec, record, actor, after)


def act(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, code: str, action: str, *,
        fields: dict[str, Any] | None = None, reason: str = "", revision: int | None = None,
        channel: str = "web") -> RecordView:
    """Take ``action`` on record ``code``: a new revision, audited, re-rendered and re-indexed
    after commit. ``revision`` is the one the user was shown: if the record has moved on since,
    the action is refused rather than applied to data they have not seen. What the form's rules
    prepare (an access request's searches) is done before the writing transaction, for the
    revision read then; should the record move on before the transaction, it is prepared again.
    """
    fields = fields or {}
    reason = reason.strip()
    need_to_know.check_code(db, clock.now(), actor, code, purpose="act")  # it answers with the record
    if _unstorable(reason):  # NUL or half a UTF-16 pair: no database text holds it (was a 500)
        raise InvalidData({"reason": _("Remove the invisible control characters from this text.")})
    for _attempt in range(PREPARE_ATTEMPTS):
        try:
            return _act_once(db, clock, zone, actor, code, action, fields, reason, revision, channel)
        except _MovedOn as moved:
            last = moved
    raise RecordChanged(code, last.now, last.seen)


#: How often an action whose rules prepare before its transaction is tried on a record that
#: keeps changing between the preparing and the transaction (each try prepares again).
PREPARE_ATTEMPTS = 3


class _MovedOn(Exception):
    """The record changed between the rules' preparing (on revision ``seen``) and the action's
    transaction (which found revision ``now``): what they prepared may no longer hold."""

    def __init__(self, seen: int, now: int) -> None:
        super().__init__(seen, now)
        self.seen, self.now = seen, now


def _act_once(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, code: str, action: str,
              fields: dict[str, Any], reason: str, revision: int | None, channel: str) -> RecordView:
    """:func:`act`: what can be read before the writing transaction (the form version, the users
    and departments the data names, what the rules prepare: an access request's searches), then
    the transaction, on the record as the rules prepared it (:class:`_MovedOn` if it moved)."""
    spec, current, seen = _spec_of(db, code)
    transition = spec.workflow.transition(action)
    if transition is None:
        raise NotFound(_("%(form)s has no action “%(action)s”.", form=spec.code, action=action))
    users, departments = known_references(db, spec, {**current, **fields})
    kept_users, kept_departments = kept_references(spec, current, fields)
    users, departments = users | kept_users, departments | kept_departments
    after_filing = open_after_filing(db, spec)
    registry = rules.office_rules()
    prepared = registry.prepares_for(spec.code, transition.name)
    found = registry.prepare_action(spec.code, transition.name, rules.Preparing(
        db, actor, code, seen, {**current, **fields}, zone.key)) if prepared else {}
    incoming = incoming_files(spec, current, fields)  # files added: checked and thumbnailed first
    with db.transaction() as session:
        record = session.scalar(select(Record).where(Record.code == code).with_for_update())
        if record is None:
            raise NotFound(code)
        view = record_view(session, record)
        problem = _refusal(actor, spec, record, view, transition, revision, after_filing)
        if problem is not None:
            trail.append(session, at=clock.now(), actor=actor, action=f"record.{action}.denied",
                         object_type="record", object_id=code, detail={"via": channel, "why": str(problem)})
            refused: Exception = problem
        elif prepared and record.revision != seen:
            raise _MovedOn(seen, record.revision)
        else:
            editable = steps.editable(spec, transition, record.data, lambda t: permitted(actor, view, t))
            clean = _new_data(spec, transition, record.data, fields, reason, users, departments, editable,
                              zone)
            if refused := refused_signatures(spec, clean, record.data):
                raise InvalidData(refused)
            clean = stamp_signatures(spec, clean, record.data, actor.username, clock.now())
            context = rules.ActionContext(session, actor, record, clock.now(), zone.key, found)
            before = record.data
            done = _apply(session, context, spec, transition, clean, reason, channel)
            index_changes(session, spec, code, done.revision, before, clean, incoming, context.now)
            return done
    raise refused


def _spec_of(db: Database, code: str) -> tuple[FormSpec, dict[str, Any], int]:
    """The record's form version, its data and revision now (to look up the users and
    departments it names, and what the rules prepare, before the writing transaction starts)."""
    with db.reading() as session:
        row = session.execute(select(Record.form_code, Record.form_version, Record.data, Record.revision)
                              .where(Record.code == code)).one_or_none()
    if row is None:
        raise NotFound(code)
    return spec_version(db, row.form_code, row.form_version), row.data, row.revision


def _unstorable(text: str) -> bool:
    return any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in text)


def _refusal(actor: Actor, spec: FormSpec, record: Record, view: RecordView, transition: Transition,
             revision: int | None, after_filing: frozenset[str]) -> Exception | None:
    """Why ``actor`` may not take ``transition`` now, or None (in the user's language)."""
    action = pick(transition.label) or transition.name
    if not may_see(actor, record):
        return PermissionDenied(_("Record %(code)s belongs to another department.", code=record.code))
    if own_four_eyes(actor, view, transition):
        return PermissionDenied(_("You submitted %(code)s yourself; another person must take the action "
                                  "“%(action)s” (four eyes).", code=record.code, action=action))
    if not permitted(actor, view, transition):
        return PermissionDenied(_("Only %(who)s may take the action “%(action)s” on %(code)s.",
                                  who=", ".join(transition.roles), action=action, code=record.code))
    if record.filed_at is not None and not open_when_filed(after_filing, transition):
        return ActionRefused(_("Record %(code)s is filed: it takes only corrections (勘误) now.",
                               code=record.code))
    if record.state not in transition.from_states:
        possible = " / ".join(f"“{_state(spec, s)}”" for s in transition.from_states)
        return ActionRefused(_("Record %(code)s is “%(state)s”; “%(action)s” is possible when it is "
                               "%(states)s.", code=record.code, state=_state(spec, record.state),
                               action=action, states=possible))
    if revision is not None and revision != record.revision:
        return RecordChanged(record.code, record.revision, revision)
    if transition.stamp == "countersign" and record.countersigned_at is not None:
        return ActionRefused(_("Record %(code)s is already countersigned.", code=record.code))
    return None


def open_when_filed(after_filing: frozenset[str], transition: Transition) -> bool:
    """Whether ``transition`` may still be taken on a filed record: a correction, or one of
    ``after_filing``."""
    return transition.name == CORRECTION or transition.name in after_filing


def open_after_filing(db: Database, spec: FormSpec) -> frozenset[str]:
    """The actions a filed record of ``spec``'s form still takes: the ``[filing] after`` list of
    the form's current version, the rule that filed it (archive filing always applies the current
    version), so a record filled against an older version without ``[filing]`` keeps, say, its
    visit follow-ups; ``spec``'s own list if the form has no current version."""
    current = current_specs(db).get(spec.code, spec)
    return frozenset(current.filing.after) if current.filing is not None else frozenset()


def _state(spec: FormSpec, state: str) -> str:
    return pick(spec.workflow.states.get(state, {})) or state


def kept_references(spec: FormSpec, current: dict[str, Any],
                    fields: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The users and departments the record already names in fields the action leaves as they
    are: still valid, however they came to be stored (a user deactivated since, a person a
    legacy register named who is no user, kept as written by ``records import``). Without
    this, no one could correct such a record's other fields."""
    kept = References(users=set(), departments=set())
    for field in spec.fields:
        value, keys = current.get(field.name), REGISTRY[field.type].known_keys(kept)
        unchanged = fields.get(field.name, value) == value
        if isinstance(keys, set) and isinstance(value, str) and value and unchanged:
            keys.add(value)
    return set(kept.users or ()), set(kept.departments or ())


def _new_data(spec: FormSpec, transition: Transition, current: dict[str, Any], fields: dict[str, Any],
              reason: str, users: set[str], departments: set[str],
              editable: tuple[str, ...], zone: ZoneInfo) -> dict[str, Any]:
    """The record's data after the action, validated as a whole; InvalidData names every problem.
    ``editable``: the fields this person may change by it (:func:`forms.steps.editable`)."""
    errors: dict[str, str] = {}
    action = pick(transition.label) or transition.name
    for name in fields:
        if name not in editable:
            errors[name] = (_("“%(action)s” cannot change this field.", action=action) if spec.field(name)
                            else _("There is no such field in this form."))
    if transition.reason and not reason:
        errors["reason"] = _("A reason is required for this action.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("At most %(n)d characters.", n=MAX_REASON)
    if errors:
        raise InvalidData(errors)
    clean = validate(spec, {**current, **fields}, users=users, departments=departments, zone=zone)
    for name in transition.requires:
        if name not in clean or clean[name] is False:  # a required yes/no must be yes
            errors[name] = _("Required for “%(action)s”.", action=action)
    if transition.name == CORRECTION and clean == current:
        errors["fields"] = _("A correction must change at least one field.")
    if errors:
        raise InvalidData(errors)
    return clean


def _apply(session: Session, context: rules.ActionContext, spec: FormSpec, transition: Transition,
           clean: dict[str, Any], reason: str, channel: str) -> RecordView:
    """The rules' checks, then the new revision, its audit event and the rules' effects."""
    registry, key = rules.office_rules(), (spec.code, transition.name)
    actor, record, now = context.actor, context.record, context.now
    problems = registry.problems_with_action(*key, context, clean)
    if problems:
        raise InvalidData(problems)
    before = record.state
    changed = sorted(k for k in clean.keys() | record.data.keys() if clean.get(k) != record.data.get(k))
    record.revision += 1
    record.state = transition.to or record.state
    record.data = clean
    record.title = summary(spec, clean)[:200]
    refreshed(spec, record, now)
    if transition.stamp == "countersign":
        record.countersigned_by_id, record.countersigned_at = actor.user_id, now
    session.add(RecordRevision(record_id=record.id, number=record.revision, action=transition.name,
                               state=record.state, data=clean, actor_id=actor.user_id, at=now,
                               reason=reason or None))
    trail.append(session, at=now, actor=actor, action=f"record.{transition.name}", object_type="record",
                 object_id=record.code, detail={"via": channel, "revision": record.revision,
                                                "from": before, "to": record.state, "changed": changed})
    session.flush()
    registry.take_effects(*key, context)
    after_action(session, record, transition.name, actor.user_id, now)  # notifications (issue 22)
    refresh_links(session, record, spec, record.data)  # a corrected phone moves the record
    view = record_view(session, record, with_revisions=True, now=now)
    enqueue_rendition(session, view)
    enqueue_indexing(session, record.code, record.revision, record.submitted_at)
    return view


@dataclass(frozen=True)
class BatchOutcome:
    done: list[str]
    refused: dict[str, str]  # code → why


def act_on_many(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, items: list[tuple[str, int]],
                action: str, *, channel: str = "web") -> BatchOutcome:
    """The same field-less action on several records, each at the revision the user saw (a
    supervisor confirming the day's visit registrations). Each record is its own transaction:
    one refused record does not hold back the others, and says why."""
    done: list[str] = []
    refused: dict[str, str] = {}
    for code, revision in items:
        try:
            act(db, clock, zone, actor, code, action, revision=revision, channel=channel)
        except (ActionRefused, PermissionDenied, NotFound, InvalidData) as problem:
            refused[code] = str(problem)
        else:
            done.append(code)
    return BatchOutcome(done, refused)
