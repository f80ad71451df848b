"""Filing (归档): a record that has reached a final state, countersigned where its form asks for
it, and whose archival PDF/A of that revision is stored, is filed. Filing fixes its volume
(案卷), its closure time, its retention schedule and its archival reference (档号,
archive/archival_numbering.py, minted in the same transaction); from then on the workflow accepts only
corrections and the actions its spec still allows (forms.workflow).

The forms layer knows the specs and passes each form's :class:`FilingRule`. Filing is
attempted after every archival rendition is stored (the outbox), and by ``archive file`` for
records that became ready before their form had filing rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true, union_all
from sqlalchemy.orm import Session

from archive.archival_numbering import current_scheme, department_code, mint
from archive.filing_stamp import enqueue_stamping
from archive.models import Record, RecordRevision, Rendition
from archive.office import require_records_office
from archive.records import visible_to
from archive.renditions import ARCHIVAL
from archive.retention import class_view, schedule
from core.audit import trail
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database

#: Records on one page of the filing queue.
QUEUE_PER_PAGE = 100


@dataclass(frozen=True)
class FilingRule:
    """One form's filing rule, from its spec: the final states, whether a countersignature is
    required first, and the retention class its records are kept under."""

    final: tuple[str, ...]
    countersign: bool
    retention_class: str
    #: Called in the filing transaction with (session, code, revision, now) once the record is
    #: filed: the forms package queues its search entry again, which now holds its 档号.
    on_filed: Callable[[Session, str, int, datetime], None] | None = None


@dataclass(frozen=True)
class Waiting:
    """A record in a final state that is not filed yet, and what it waits for."""

    code: str
    title: str
    state: str
    since: datetime
    needs_countersign: bool
    needs_archival_copy: bool


def volume_of(record: Record) -> str:
    """The volume a record is filed in: its form and year, or a volume of its own when a form
    rule flagged it (a major complaint is filed separately, 单独立卷)."""
    if (record.flags or {}).get("separate_volume"):
        return record.code
    return f"{record.form_code}-{record.year}"


def ready_under(rule: FilingRule) -> ColumnElement[bool]:
    """SQL: a record is ready to be filed under ``rule`` (not filed yet, in a final state, and
    countersigned if the rule asks): the one statement of readiness, for one record
    (:func:`file_if_ready`) and for all (:func:`ready_codes`)."""
    return and_(Record.filed_at.is_(None), Record.state.in_(rule.final),
                Record.countersigned_at.is_not(None) if rule.countersign else true())


def file_if_ready(db: Database, clock: Clock, zone: ZoneInfo, code: str, rule: FilingRule) -> bool:
    """File ``code`` if it is ready and its current revision's archival copy is stored; True
    if it was filed now. Safe to call repeatedly and from several workers (row locked)."""
    with db.transaction() as session:
        record = session.scalar(select(Record).where(Record.code == code, ready_under(rule))
                                .with_for_update())
        if record is None:
            return False
        copy = session.scalar(select(Rendition).where(
            Rendition.record_id == record.id, Rendition.revision == record.revision,
            Rendition.kind == ARCHIVAL))
        if copy is None:
            return False
        _file(session, clock, zone, record, rule, copy)
        return True


def _file(session: Session, clock: Clock, zone: ZoneInfo, record: Record, rule: FilingRule,
          copy: Rendition) -> None:
    now = clock.now()
    cls = class_view(session, rule.retention_class)
    record.filed_at, record.filed_revision = now, record.revision
    record.closed_at = closed_at(session, record, rule.final)
    record.volume = volume_of(record)
    record.retention_class = cls.code
    record.retention_until, record.end_action = schedule(cls, record, zone)
    archival_code = mint(session, record, cls, current_scheme(), department_code(session, record))
    trail.append(session, at=now, actor=None, actor_name="system:filing", action="record.file",
                 object_type="record", object_id=record.code,
                 detail={"revision": record.revision, "sha256": copy.sha256, "volume": record.volume,
                         "archival_code": archival_code,
                         "retention_class": cls.code, "end_action": record.end_action,
                         "retention_until": _iso(record.retention_until)})
    enqueue_stamping(session, record, now)  # the filed revision's copy again, with its 归档章
    if rule.on_filed is not None:
        rule.on_filed(session, record.code, record.revision, now)


def closed_at(session: Session, record: Record, final: tuple[str, ...]) -> datetime:
    """When the record entered the final state it is in (the revision that took it there)."""
    states = session.execute(select(RecordRevision.state, RecordRevision.at).where(
        RecordRevision.record_id == record.id).order_by(RecordRevision.number)).all()
    entered = states[-1].at
    for state, at in reversed(states):
        if state not in final:
            break
        entered = at
    return entered


def ready_codes(db: Database, rules: dict[str, FilingRule]) -> list[tuple[str, int]]:
    """(code, revision) of every record ready to be filed, for ``archive file``."""
    with db.reading() as session:
        rows = session.execute(select(Record.code, Record.revision).where(
            _ready_condition(rules)).order_by(Record.id)).all()
    return [(code, revision) for code, revision in rows]


@dataclass(frozen=True)
class QueuePage:
    """One page of the filing queue, oldest first; ``more``: a next page exists (read one row
    past the page, never counted)."""

    items: list[Waiting]
    page: int
    per_page: int
    more: bool


def filing_queue(db: Database, clock: Clock, actor: Actor, rules: dict[str, FilingRule]) -> list[Waiting]:
    """The first page of :func:`queue_page`."""
    return queue_page(db, clock, actor, rules).items


def queue_page(db: Database, clock: Clock, actor: Actor, rules: dict[str, FilingRule], *, page: int = 1,
               per_page: int | None = None) -> QueuePage:
    """One page of the records in a final state not filed yet, oldest first, with what holds
    each back. Archivists and admins see the archive's queue; audited as a list of records with
    the codes shown. Only the waiting records are read, in order (:func:`_waiting`), and only
    the columns shown."""
    require_records_office(actor)
    per_page, page = per_page or QUEUE_PER_PAGE, max(1, page)
    with db.reading() as session:
        rows = session.execute(_waiting(actor, rules).limit(per_page + 1).offset((page - 1) * per_page)).all()
        shown = rows[:per_page]
        stored = set(session.execute(select(Rendition.record_id, Rendition.revision).where(
            Rendition.record_id.in_([r.id for r in shown]), Rendition.kind == ARCHIVAL)).all())
    with db.transaction() as session:
        trail.append(session, at=clock.now(), actor=actor, action="record.list", object_type="record",
                     object_id="", detail={"list": "filing-queue", "codes": [r.code for r in shown],
                                           **({"page": page} if page > 1 else {})})
    return QueuePage([Waiting(r.code, r.title, r.state, r.submitted_at,
                              rules[r.form_code].countersign and r.countersigned_at is None,
                              (r.id, r.revision) not in stored) for r in shown], page, per_page,
                     len(rows) > per_page)


def _waiting(actor: Actor, rules: dict[str, FilingRule]) -> Select[Any]:
    """The records waiting to be filed, oldest first, as one index range per (form, final
    state) merged in order: the partial index of unfiled records (form, state, submitted_at,
    id) gives each range sorted, so no waiting record is sorted and no filed one is read. (One
    condition OR-ing the forms let SQLite take the index on filed_at and sort every unfiled
    record of the archive.)"""
    columns = (Record.id, Record.code, Record.title, Record.state, Record.submitted_at, Record.form_code,
               Record.revision, Record.countersigned_at)
    arms = [select(*columns).where(Record.form_code == form, Record.state == state, Record.filed_at.is_(None),
                                   visible_to(actor))
            for form, rule in sorted(rules.items()) for state in rule.final]
    if not arms:
        return select(*columns).where(false())
    merged = union_all(*arms).subquery()
    return select(merged).order_by(merged.c.submitted_at, merged.c.id)


def _ready_condition(rules: dict[str, FilingRule]) -> ColumnElement[bool]:
    ready = [and_(Record.form_code == form, ready_under(rule)) for form, rule in rules.items()]
    return or_(*ready) if ready else false()


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
