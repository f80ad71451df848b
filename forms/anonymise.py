"""Anonymising records kept past their personal-data period (issue 6).

A spec's ``[personal] years`` says how long after filing a record's personal fields are kept.
A filed record still in the archive after that (a review kept it, or its retention is longer)
has them replaced by placeholders, once, in one transaction: a new revision ``anonymise`` with
the placeholders, the same fields scrubbed in every earlier revision (the one sanctioned
exception to append-only history: otherwise the history would keep what the period ends), the
title recomputed, ``anonymised_at`` set, the record's customer claims (phones) deleted, the
archival renditions of earlier revisions removed (rows now, files after commit) and a new one
and the search entry queued. A record under an active legal hold is left alone: a hold keeps
the evidence intact. The audit event names the fields, never their values.

Each field type says what replaces its value (:meth:`forms.fields.FieldType.placeholder`), and
placeholders keep the data valid against the spec (a later correction validates the whole
record): text ``已匿名``; a phone ``000-00000000``, which passes the phone pattern and is no
one's number (no area code 000); an e-mail address at the reserved ``.invalid`` domain; other
types lose their value.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, delete, select
from sqlalchemy.orm import Session

from archive.attachments import forget_fields
from archive.holds import active_hold_on
from archive.models import Record, RecordRevision, Rendition
from archive.office import KEEPERS
from archive.purge import enqueue_purge
from archive.records import record_view
from archive.retention import add_months
from core.audit import trail
from core.auth.roles import Actor, PermissionDenied
from core.clock import Clock
from core.db import Database
from forms import versions
from forms.customers.linking import refresh_links
from forms.fields import REGISTRY, is_empty
from forms.models import CustomerClaim
from forms.pdf.archival import enqueue_rendition
from forms.search_documents import enqueue_indexing
from forms.spec.model import FieldSpec, FormSpec
from forms.titles import summary

ACTION = "anonymise"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    code: str
    form_code: str
    filed_at: datetime


@dataclass(frozen=True)
class Outcome:
    due: list[Due]
    done: list[str]
    held: list[str]  # due by date but under an active legal hold: left intact
    dry_run: bool


def placeholder_value(field: FieldSpec, value: Any) -> Any:
    """What replaces ``value`` of a personal field (None: the value is dropped)."""
    if is_empty(value):
        return value
    return REGISTRY[field.type].placeholder(field, value)


def anonymised_data(spec: FormSpec, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every personal field (and personal table column) replaced."""
    clean = dict(data)
    for field in spec.fields:
        if REGISTRY[field.type].holds_personal(field) and field.name in clean:
            clean[field.name] = placeholder_value(field, clean[field.name])
            if clean[field.name] is None:
                del clean[field.name]
    return clean


def _period_over(spec: FormSpec, today: date, zone: ZoneInfo) -> ColumnElement[bool]:
    """Filed more than ``years`` ago: the period ends on the anniversary of the filing day
    (office time; 29 February → 28 February), anonymised from the day after."""
    assert spec.personal is not None and spec.personal.years is not None
    first_kept = add_months(today, -12 * spec.personal.years)
    cutoff = datetime.combine(first_kept, time(), zone)
    return and_(Record.form_code == spec.code, Record.form_version == spec.version, Record.filed_at < cutoff)


def due_records(db: Database, clock: Clock, zone: ZoneInfo) -> tuple[list[Due], list[str]]:
    """Filed, not yet anonymised records past their period: (to anonymise, held ones)."""
    today = clock.now().astimezone(zone).date()
    with db.reading() as session:
        kinds = session.execute(select(Record.form_code, Record.form_version).distinct().where(
            Record.filed_at.is_not(None), Record.anonymised_at.is_(None))).all()
        due: list[Due] = []
        held: list[str] = []
        for form_code, version in kinds:
            spec = versions.spec_version(db, form_code, version)
            if spec.personal is None or spec.personal.years is None or not spec.personal_fields:
                continue
            rows = session.execute(select(Record.code, Record.filed_at, active_hold_on(Record.code)).where(
                _period_over(spec, today, zone), Record.anonymised_at.is_(None)).order_by(Record.id)).all()
            due += [Due(code, form_code, filed) for code, filed, on_hold in rows if not on_hold]
            held += [code for code, _filed, on_hold in rows if on_hold]
    return due, held


def anonymise_due(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, *,
                  dry_run: bool = False) -> Outcome:
    """Anonymise every record due (or, ``dry_run``, only say which; audited either way). Each
    record is its own transaction, which checks again that it is due and not held."""
    if actor.role not in KEEPERS:
        raise PermissionDenied(_("Only an archivist or an administrator may anonymise records."))
    due, held = due_records(db, clock, zone)
    if dry_run:
        with db.transaction() as session:
            trail.append(session, at=clock.now(), actor=actor, action="record.anonymise.preview",
                         object_type="record", object_id="",
                         detail={"due": [d.code for d in due], "held": held})
        return Outcome(due, [], held, True)
    done = [d.code for d in due if anonymise_record(db, clock, zone, actor, d.code)]
    return Outcome(due, done, held, False)


def anonymise_record(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, code: str) -> bool:
    """Anonymise ``code`` in one transaction if it is (still) due and not held; True if done."""
    with db.reading() as session:
        key = session.execute(select(Record.form_code, Record.form_version)
                              .where(Record.code == code)).first()
    if key is None:
        return False
    spec = versions.spec_version(db, *key)
    if spec.personal is None or spec.personal.years is None:
        return False
    today = clock.now().astimezone(zone).date()
    with db.transaction() as session:
        record = session.scalar(select(Record).where(
            Record.code == code, Record.anonymised_at.is_(None), _period_over(spec, today, zone),
            ~active_hold_on(Record.code)).with_for_update())
        if record is None:
            return False
        _scrub(session, clock, actor, spec, record)
    return True


def _scrub(session: Session, clock: Clock, actor: Actor, spec: FormSpec, record: Record) -> None:
    now = clock.now()
    revisions = session.scalars(select(RecordRevision).where(RecordRevision.record_id == record.id)).all()
    for revision in revisions:
        revision.data = anonymised_data(spec, revision.data)  # a new dict: the JSON column is rewritten
    clean = anonymised_data(spec, record.data)
    record.revision += 1
    record.data, record.title, record.anonymised_at = clean, summary(spec, clean)[:200], now
    session.add(RecordRevision(record_id=record.id, number=record.revision, action=ACTION,
                               state=record.state, data=clean, actor_id=actor.user_id, at=now, reason=None))
    claims = session.execute(delete(CustomerClaim).where(CustomerClaim.record_code == record.code)).rowcount
    stored = session.execute(select(Rendition.id, Rendition.revision, Rendition.path)
                             .where(Rendition.record_id == record.id)).all()
    session.execute(delete(Rendition).where(Rendition.id.in_([r.id for r in stored])))
    personal_files = [f.name for f in spec.fields
                      if REGISTRY[f.type].holds_personal(f) and REGISTRY[f.type].upload_rules(f) is not None]
    files = forget_fields(session, record.id, personal_files)  # gone from every revision's data above
    enqueue_purge(session, subject=record.code, at=now, paths=[r.path for r in stored] + files)
    trail.append(session, at=now, actor=actor, action="record.anonymise", object_type="record",
                 object_id=record.code, detail={
                     "fields": list(spec.personal_fields), "revision": record.revision,
                     "revisions_scrubbed": len(revisions), "claims_deleted": claims,
                     "renditions_removed": sorted(r.revision for r in stored), "files_removed": len(files)})
    refresh_links(session, record, spec, None)  # an anonymised record leaves its customer
    session.flush()
    view = record_view(session, record, with_revisions=True)
    enqueue_rendition(session, view)
    enqueue_indexing(session, record.code, record.revision, record.submitted_at)

