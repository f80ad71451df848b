"""Submitting a form: validate against the current approved version, then in ONE transaction
mint the code, insert the record and its first revision, write the audit event, and drop the
draft it came from. Used by the web page and the API alike.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from archive.attachments import FileNotStored, NewFile, record_added
from archive.records import RecordView, create_record
from archive.stores import file_store
from core.audit import trail
from core.auth.models import Department, User
from core.auth.roles import Actor, PermissionDenied
from core.clock import Clock
from core.db import Database
from core.i18n import pick
from forms import rules, steps
from forms.customers.linking import refresh_links
from forms.deadlines import due_at
from forms.drafts import owned_draft
from forms.fields import REGISTRY, References
from forms.fields.signature import refused_signatures, stamp_signatures
from forms.file_intake import file_fields, new_files
from forms.pdf.archival import enqueue_rendition
from forms.privacy_notices import notice_for_form
from forms.search_documents import enqueue_indexing
from forms.spec.model import FormSpec
from forms.titles import summary
from forms.validation import InvalidData, validate
from forms.versions import fillable_spec

__all__ = ["known_references", "submit", "summary"]  # summary: forms.titles, re-exported


def submit(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, form_code: str,
           data: dict[str, Any], *, draft_id: int | None = None,
           confirmed: bool | str = False) -> RecordView:
    """The new record; raises InvalidData naming every wrong field, and rules.NeedsConfirmation
    (nothing saved) when a form rule asks the filler first and ``confirmed`` does not answer it."""
    if not actor.may_fill_forms:
        raise PermissionDenied("your role cannot submit forms")
    spec = fillable_spec(db, form_code)
    _refuse_later_steps(spec, data)
    users, departments = known_references(db, spec, data)
    clean = validate(spec, data, users=users, departments=departments, zone=zone)
    today = clock.now().astimezone(zone).date()
    problems = refused_signatures(spec, clean, {}) or rules.office_rules().problems_with_submission(
        spec.code, clean, today)
    if problems:
        raise InvalidData(problems)
    clean = stamp_signatures(spec, clean, {}, actor.username, clock.now())  # by the server, never the client
    files = _new_files(spec, clean)
    try:
        return _file(db, clock, zone, actor, spec, clean, today, draft_id=draft_id, confirmed=confirmed,
                     files=files)
    except rules.NeedsConfirmation as asked:
        _audit_question(db, clock, actor, spec, asked)
        raise


def _refuse_later_steps(spec: FormSpec, data: dict[str, Any]) -> None:
    """A registration carries only what is known at registration (:func:`forms.steps.out_of_step`)."""
    later = steps.out_of_step(spec, data) if isinstance(data, dict) else {}
    if later:
        raise InvalidData({name: _("This is filled in at the step “%(step)s”, not at registration.",
                                   step=pick(step.label)) for name, step in later.items()})


def _new_files(spec: FormSpec, clean: dict[str, Any]) -> list[NewFile]:
    """The files the data names, checked against the store and thumbnailed before the
    transaction (:func:`forms.file_intake.new_files`); none for a form without file fields."""
    if not file_fields(spec):
        return []
    try:
        return new_files(file_store(), spec, clean)
    except FileNotStored as missing:
        raise InvalidData({missing.field: str(missing)}) from None


def _file(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, spec: FormSpec, clean: dict[str, Any],
          today: date, *, draft_id: int | None, confirmed: bool | str, files: list[NewFile]) -> RecordView:
    """The one transaction: draft dropped, code minted, the rules' flags decided (or their
    question raised: nothing saved), record with its flags and revision, rule effects, outbox."""
    registry = rules.office_rules()
    # Before the transaction: a working-clock deadline may read the office calendar (its first
    # use in this application), which must not take a second connection under the counter lock.
    due = due_at(spec, clean)
    with db.transaction() as session:
        if draft_id is not None:
            session.delete(owned_draft(session, actor, draft_id))
        filing = rules.Filing(session, actor, spec.code, clean, today, confirmed)
        record = create_record(
            session, clock=clock, zone=zone, actor=actor, form_code=spec.code,
            form_version=spec.version, state=spec.workflow.initial, title=summary(spec, clean),
            data=clean, department=actor.department, due_at=due,
            decide_flags=lambda: registry.flags_for(filing),
            notice=notice_for_form(session, spec.code),  # the notice shown to the customer now
        )
        registry.after_submission(rules.Submitted(session, actor, record, record.submitted_at, today,
                                                  confirmed, filing.found))
        record_added(session, record.code, record.revision, files, record.submitted_at)
        enqueue_rendition(session, record)
        refresh_links(session, record, spec, clean)  # the customer's links, in the same transaction
        enqueue_indexing(session, record.code, record.revision, record.submitted_at)
    return record


def _audit_question(db: Database, clock: Clock, actor: Actor, spec: FormSpec,
                    asked: rules.NeedsConfirmation) -> None:
    """The filing was rolled back, but the question told the filler something of another record
    (whose claim, until when): that is in the audit trail like a read, on the record it came from."""
    with db.transaction() as session:
        trail.append(session, at=clock.now(), actor=actor, action=f"record.{asked.kind}.asked",
                     object_type="record", object_id=asked.answer, detail={"form": spec.code, **asked.detail})


def known_references(db: Database, spec: FormSpec, data: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Which of the usernames and department codes that ``data`` names exist (active users only).

    Only the values actually given are looked up, and nothing when the form names none.
    """
    wanted = References(users=set(), departments=set())
    for field in spec.fields:  # each reference field's type says which of the sets its key goes in
        value, keys = data.get(field.name), REGISTRY[field.type].known_keys(wanted)
        if isinstance(keys, set) and isinstance(value, str) and value:
            keys.add(value)
    if not (wanted.users or wanted.departments):
        return set(), set()
    with db.reading() as session:
        users = set(session.scalars(select(User.username).where(
            User.username.in_(wanted.users), User.active.is_(True)))) if wanted.users else set()
        departments = set(session.scalars(select(Department.code).where(
            Department.code.in_(wanted.departments)))) if wanted.departments else set()
    return users, departments

