"""The record services: create (inside the submitting transaction), read; the scope lists share
(:func:`visible_to`; the lists themselves are :mod:`archive.record_lists`).

Who may see what is decided here, not in templates: clerks and supervisors see their own
department's records; archivists, auditors and admins see every department's. Every read and
every list is written to the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, bindparam, false, insert, select, true
from sqlalchemy.orm import Session

from archive import need_to_know
from archive.grants import active_grant
from archive.models import Record, RecordRevision
from archive.notice_stamp import NoticeStamp, stamp_of
from archive.numbering import code_year, format_code, next_sequence
from archive.overdue import overdue_since
from core.audit import trail
from core.auth.models import Department, User
from core.auth.roles import Actor, DepartmentRef, NotFound, PermissionDenied
from core.clock import Clock
from core.db import Database

CODE_MAX_LENGTH = 24

#: Built once and reused (their compiled form stays cached): they run with the counter locked.
_INSERT_RECORD = insert(Record.__table__).returning(Record.__table__.c.id)
_INSERT_REVISION = insert(RecordRevision.__table__)


@dataclass(frozen=True)
class RevisionView:
    number: int
    action: str
    state: str
    actor: str
    at: datetime
    reason: str | None
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    actor_name: str = field(default="", compare=False)  # the actor's display name, for people to read


@dataclass(frozen=True)
class FilingState:
    """A filed record's place in the archive (archive.filing)."""

    filed_at: datetime
    revision: int
    volume: str
    retention_class: str
    retention_until: date | None  # None: kept permanently
    end_action: str
    #: The archival reference (档号, archive.archival_codes) minted at filing; None only for a
    #: record filed before 档号 were minted until ``flask init`` gives it one.
    archival_code: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"filed_at": self.filed_at.isoformat(), "revision": self.revision, "volume": self.volume,
                "archival_code": self.archival_code,
                "retention_class": self.retention_class, "end_action": self.end_action,
                "retention_until": self.retention_until.isoformat() if self.retention_until else None}


@dataclass(frozen=True)
class RecordView:
    """A record as callers see it: plain data, safe to hand to templates and JSON."""

    code: str
    form_code: str
    form_version: int
    state: str
    title: str
    data: dict[str, Any]
    department_code: str | None
    department_name: tuple[str, str]
    submitted_by: str
    submitted_by_name: str
    submitted_at: datetime
    revisions: tuple[RevisionView, ...] = ()
    revision: int = 1  # the number of the revision whose data and state this view shows
    countersigned_by: str | None = None  # username of the supervisor who countersigned (阅签)
    countersigned_by_name: str = ""
    countersigned_at: datetime | None = None
    due_at: datetime | None = None  # the response deadline, where the form has one
    overdue_at: datetime | None = None  # since when it is overdue (archive.overdue), None if not
    #: Since when its deadline is paused (a state that waits for someone outside the office);
    #: ``due_at`` is None meanwhile (forms.deadlines).
    deadline_paused_at: datetime | None = None
    flags: dict[str, Any] = field(default_factory=dict)  # what form rules found (e.g. a conflict)
    filing: FilingState | None = None  # where and how long the record is kept, once filed
    #: An imported record's scan of its paper form (records import, forms/legacy): its name,
    #: type, size, SHA-256 and store key; None for every record made in Dossier.
    legacy_scan: dict[str, Any] | None = None
    #: The privacy notice shown at submission (archive.notice_stamp); None: none applied.
    notice: NoticeStamp | None = None
    imported: bool = False  # brought in from a legacy register (records import): no notice shown

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code, "form": self.form_code, "version": self.form_version,
            "state": self.state, "title": self.title, "data": self.data,
            "department": self.department_code, "submitted_at": self.submitted_at.isoformat(),
            "submitted_by": self.submitted_by, "revision": self.revision,
            "countersigned_by": self.countersigned_by,
            "countersigned_at": self.countersigned_at.isoformat() if self.countersigned_at else None,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "overdue": self.overdue_at is not None,
            "deadline_paused_at": self.deadline_paused_at.isoformat() if self.deadline_paused_at else None,
            "flags": self.flags,
            "filing": self.filing.as_json() if self.filing else None,
            "notice": self.notice.as_json() if self.notice else None,
        }


def create_record(
    session: Session, *, clock: Clock, zone: ZoneInfo, actor: Actor, form_code: str,
    form_version: int, state: str, title: str, data: dict[str, Any], department: DepartmentRef | None,
    due_at: datetime | None = None, decide_flags: Callable[[], dict[str, Any] | None] | None = None,
    notice: NoticeStamp | None = None,
) -> RecordView:
    """Mint the code and insert the record with its first revision and audit event.

    Runs inside the caller's (submitting) transaction, which holds the counter row locked
    until it commits; so this does only the writes, as plain statements, and builds the
    returned view from what it already knows (the department comes in as plain data, not
    looked up under the lock). Nothing here commits.

    ``decide_flags`` (the form rules') is called once the audit chain's head is held and
    before the insert, which writes the flags it returns: every write takes the head before a
    form rule's own locks (a visit registration's claim lock, also taken by actions after their
    audit event), so the two cannot deadlock; whatever it raises rolls everything back.
    """
    now = clock.now()
    year = code_year(now, zone)
    seq = next_sequence(session, form_code, year)
    code = format_code(form_code, year, seq)
    trail.append(session, at=now, actor=actor, action="record.submit", object_type="record",
                 object_id=code, detail={"form": form_code, "version": form_version})
    flags = decide_flags() if decide_flags else None
    connection = session.connection()
    record_id = connection.execute(_INSERT_RECORD, {
        "code": code, "form_code": form_code, "form_version": form_version, "year": year,
        "seq": seq, "state": state, "title": title[:200],
        "department_id": department.id if department else None,
        "submitted_by_id": actor.user_id, "submitted_at": now, "revision": 1, "data": data,
        "due_at": due_at, **({"flags": flags} if flags else {}),  # none: NULL, not JSON null
        **(notice.columns() if notice else {}),
    }).scalar_one()
    connection.execute(_INSERT_REVISION, {
        "record_id": record_id, "number": 1, "action": "submit", "state": state, "data": data,
        "actor_id": actor.user_id, "at": now, "reason": None})
    return RecordView(
        code=code, form_code=form_code, form_version=form_version, state=state,
        title=title[:200], data=data, department_code=department.code if department else None,
        department_name=(department.name_zh, department.name_en) if department else ("", ""),
        submitted_by=actor.username, submitted_by_name=actor.display_name or actor.username,
        submitted_at=now,
        revisions=(RevisionView(1, "submit", state, actor.username, now, None, data,
                                actor.display_name or actor.username),),
        due_at=due_at, overdue_at=overdue_since(due_at, None, None, now),  # (received long ago)
        flags=dict(flags or {}), notice=notice,
    )


def codes_of(db: Database, actor: Actor, form_code: str, year: int) -> list[str]:
    """Codes of one form and code year that ``actor`` may see, in sequence order (for batch work;
    each record is then read through an audited service)."""
    with db.reading() as session:
        return list(session.scalars(select(Record.code).where(
            visible_to(actor), Record.form_code == form_code, Record.year == year).order_by(Record.seq)))


@dataclass(frozen=True)
class IndexRow:
    """The current state of a record as indexing needs it (no history, no audit)."""

    code: str
    form_code: str
    form_version: int
    year: int
    state: str
    department_code: str | None
    submitted_at: datetime
    revision: int
    title: str
    data: dict[str, Any]
    archival_code: str | None = None  # its 档号 once filed, searchable whole or by its start


def current_revisions(db: Database) -> dict[str, int]:
    """Code → current revision of every record (for comparing with the search index)."""
    with db.reading() as session:
        return {code: revision for code, revision in session.execute(select(Record.code, Record.revision))}


def index_rows(db: Database, codes: list[str] | None = None, *, batch: int = 500) -> Iterator[IndexRow]:
    """Records for indexing, in id order, read in batches of ``batch`` (all when ``codes`` is None).

    System work, not a user's read: the indexing handler and ``search`` commands call it.
    """
    last_id = 0
    while True:
        query = (select(Record.id, Record.code, Record.form_code, Record.form_version, Record.year,
                        Record.state, Department.code, Record.submitted_at, Record.revision,
                        Record.title, Record.data, Record.archival_code)
                 .outerjoin(Department, Department.id == Record.department_id)
                 .where(Record.id > last_id).order_by(Record.id).limit(batch))
        if codes is not None:
            query = query.where(Record.code.in_(codes))
        with db.reading() as session:
            rows = session.execute(query).all()
        if not rows:
            return
        for row in rows:
            yield IndexRow(*row[1:])
        last_id = rows[-1][0]


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """The SQL condition for the records ``actor`` may see (:meth:`Actor.covers` as SQL)."""
    if actor.sees_all_departments:
        return true()
    if actor.department_id is None:
        return false()
    return Record.department_id == actor.department_id


def may_see(actor: Actor, record: Record) -> bool:
    """:meth:`Actor.covers` for a record row (by department id, which the row holds)."""
    return actor.sees_all_departments or (
        actor.department_id is not None and record.department_id == actor.department_id)


def get_record(db: Database, clock: Clock, actor: Actor, code: str, *, channel: str = "web",
               purpose: str = "read") -> RecordView:
    """One record with its history; refuses records outside the actor's scope unless an
    access grant (an approved AR) opens it to them now.

    Audited as ``record.<purpose>`` (``read``, ``print``…; with the grant's request code when
    read under one, with the stated reason when read under need-to-know), or
    ``record.<purpose>.denied``; an auditor or admin reading outside their department's work
    without a stated reason gets :class:`archive.need_to_know.ReasonRequired`. Read in
    ``db.reading()`` and audited after in a write transaction of its own
    (:func:`core.audit.trail.append_alone`), so a read never holds the writer lock; the view is
    returned only once its event is committed.
    """
    if len(code) > CODE_MAX_LENGTH:
        raise NotFound(code)
    now = clock.now()
    detail: dict[str, Any] = {"via": channel}
    with db.reading() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        if record is None:
            raise NotFound(code)
        seen = may_see(actor, record)
        grant = None if seen else active_grant(session, actor, code, now)
        if grant is not None:
            detail["grant"] = grant.request_code
        view = record_view(session, record, with_revisions=True, now=now) if seen or grant else None
        department_id = record.department_id
    if view is None:
        trail.append_alone(db, at=now, actor=actor, action=f"record.{purpose}.denied",
                           object_type="record", object_id=code, detail=detail)
        raise PermissionDenied(_(
            "Record %(code)s belongs to another department. To read it, file an archive access request "
            "(AR) that names it, and open it once an archivist has approved it.", code=code))
    need = need_to_know.check(db, now, actor, code, department_id, purpose=purpose)
    need_to_know.audit_read(db, at=now, actor=actor, action=f"record.{purpose}", code=code,
                            detail=detail, need=need)
    return view


def record_at_revision(session: Session, code: str, number: int) -> RecordView | None:
    """``code`` as it stood at revision ``number`` (its data, state and history up to then).

    Not audited and not permission-checked: for system work (rendering the archival copy,
    verifying a printed copy), whose callers record what they did.
    """
    record = session.scalar(select(Record).where(Record.code == code))
    if record is None:
        return None
    revision = session.scalar(select(RecordRevision).where(
        RecordRevision.record_id == record.id, RecordRevision.number == number))
    if revision is None:
        return None
    view = record_view(session, record, with_revisions=True)
    if view.countersigned_at is not None and view.countersigned_at > revision.at:
        view = replace(view, countersigned_by=None, countersigned_by_name="", countersigned_at=None)
    return replace(view, data=revision.data, state=revision.state, revision=number,
                   revisions=tuple(r for r in view.revisions if r.number <= number))


def record_view(session: Session, record: Record, *, with_revisions: bool = False,
                now: datetime | None = None) -> RecordView:
    """Plain data for ``record``, read inside the caller's session; with ``now``, overdue is
    read from the deadline at that moment (:mod:`archive.overdue`), else it is the stored mark
    (a rendition of a past revision must not depend on when it is made).

    The people, the department and the history are read as plain rows with prebuilt statements,
    not loaded as ORM entities: every record page, action and archival copy builds one (ORM
    loading cost a third of a record read)."""
    connection = session.connection()
    ids = [i for i in (record.submitted_by_id, record.countersigned_by_id) if i is not None]
    people = {row.id: row for row in connection.execute(_PEOPLE, {"ids": ids})}
    submitter = people.get(record.submitted_by_id)
    signer = people.get(record.countersigned_by_id) if record.countersigned_by_id else None
    department = (connection.execute(_DEPARTMENT, {"id": record.department_id}).first()
                  if record.department_id else None)
    revisions: tuple[RevisionView, ...] = ()
    if with_revisions:
        revisions = tuple(RevisionView(number, action, state, name, at, reason, data, shown or name)
                          for number, action, state, name, at, reason, data, shown
                          in connection.execute(_HISTORY, {"record_id": record.id}))
    return RecordView(
        code=record.code, form_code=record.form_code, form_version=record.form_version,
        state=record.state, title=record.title, data=record.data,
        department_code=department.code if department else None,
        department_name=(department.name_zh, department.name_en) if department else ("", ""),
        submitted_by=submitter.username if submitter else "",
        submitted_by_name=_submitter_name(record, submitter.display_name if submitter else ""),
        submitted_at=record.submitted_at, revisions=revisions, revision=record.revision,
        countersigned_by=signer.username if signer else None,
        countersigned_by_name=(signer.display_name or signer.username) if signer else "",
        countersigned_at=record.countersigned_at, due_at=record.due_at,
        overdue_at=record.overdue_at if now is None else overdue_since(
            record.due_at, record.deadline_met_at, record.overdue_at, now),
        deadline_paused_at=record.deadline_paused_at, flags=dict(record.flags or {}),
        filing=_filing_state(record), legacy_scan=record.legacy_scan,
        notice=stamp_of(record.notice_id, record.notice_version, record.purpose),
        imported=record.imported_at is not None,
    )


def _submitter_name(record: Record, display_name: str) -> str:
    """Who submitted it as people read it: for an imported record whose register names someone
    who is no user here, the name as the register wrote it (records import keeps it in
    ``legacy_people``); the record's user is then the import's own, whose name says nothing of
    who filled the paper form."""
    written = (record.legacy_people or {}).get("submitted_by")
    return str(written) if written else display_name


_REVISIONS = RecordRevision.__table__
#: Built once (record_view): the record's submitter and countersigner, its department, its history.
_PEOPLE = select(User.id, User.username, User.display_name).where(
    User.id.in_(bindparam("ids", expanding=True)))
_DEPARTMENT = select(Department.code, Department.name_zh, Department.name_en).where(
    Department.id == bindparam("id"))
_HISTORY = (
    select(_REVISIONS.c.number, _REVISIONS.c.action, _REVISIONS.c.state, User.username, _REVISIONS.c.at,
           _REVISIONS.c.reason, _REVISIONS.c.data, User.display_name)
    .join_from(_REVISIONS, User.__table__, User.id == _REVISIONS.c.actor_id)
    .where(_REVISIONS.c.record_id == bindparam("record_id")).order_by(_REVISIONS.c.number)
)


def _filing_state(record: Record) -> FilingState | None:
    if record.filed_at is None:
        return None
    return FilingState(record.filed_at, record.filed_revision or record.revision, record.volume or "",
                       record.retention_class or "", record.retention_until, record.end_action or "",
                       record.archival_code)
