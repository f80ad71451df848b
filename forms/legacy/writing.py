"""Writing checked legacy rows: all of them in the caller's ONE transaction, or none.

For each row: its code (kept, or the next of its form and year), the record and its first
revision (action ``import``, at the record's own date, by its submitter), the audit event
``record.import`` (who imported it, from which file and row; appended after all the records,
:func:`audit_imports`), and the outbox rows a submission
queues (``pdf.archival`` for the archival PDF/A, ``search.index``), so ``outbox run`` makes
the archival copy and the index entry of an imported record exactly as of a typed one. A
scan becomes an attachment of the first revision (:func:`scan_file`).

Before the rows, each (form, year) counter is moved up to the highest imported sequence (never
down), in the same transaction: the next submission of that year gets the number after it.

A record in a final state is written filed: at its filing date, with its volume, closure time
(= the filing date: the paper form was closed when it was filed) and retention schedule from its
form's class counted from its own dates (:func:`archive.retention.schedule`), countersigned at
that date by the legacy-import user (the paper was countersigned before it was filed, by
someone the register does not name; without it every imported record would wait in the
supervisors' inboxes for a countersignature). Filing does not wait for the archival PDF/A here,
as it does for a typed record, because the paper record was filed on its own date; the PDF/A
made later by the outbox is stored as its archival copy and ``file_if_ready`` leaves it filed.
The filed records get their 档号 (archive.archival_backfill) in the same transaction, after all
rows are written, in filing order and in their own year, named in their ``record.import`` events.
Every imported record gets the response deadline a submission gets, met at that moment when its
state meets it (:func:`_deadline`); form rules (visit claims, flags) are not run: they are
about live work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, insert, select, update
from sqlalchemy.orm import Session

from archive.archival_backfill import give_missing
from archive.archival_numbering import current_scheme
from archive.attachments import NewFile, record_added
from archive.filing import volume_of
from archive.models import CodeCounter, Record, RecordRevision
from archive.numbering import format_code, next_sequence
from archive.retention import ClassView, class_view, schedule
from core.audit import trail
from core.auth.models import User
from core.auth.roles import Actor, Role
from core.outbox.queue import enqueue
from forms.customers.linking import replace_keys
from forms.deadlines import due_at, starts_pause
from forms.legacy.checking import LegacyRow
from forms.legacy.people import LEGACY_DISPLAY_NAME, LEGACY_USERNAME, Directory
from forms.legacy.scans import SCAN_FIELD
from forms.pdf.archival import TOPIC as ARCHIVAL_TOPIC
from forms.search_documents import enqueue_indexing
from forms.spec.model import FormSpec
from forms.titles import summary

#: No password ever matches it (not a hash), as for the users ``archive import`` brings.
UNUSABLE_PASSWORD = "!legacy-import-no-password"  # noqa: S105
IMPORT_ACTION = "import"

_RECORDS, _COUNTERS = Record.__table__, CodeCounter.__table__
_INSERT_RECORD = insert(_RECORDS).returning(_RECORDS.c.id)
_INSERT_REVISION = insert(RecordRevision.__table__)


@dataclass
class Written:
    """What the transaction wrote: codes per form, how many filed, codes minted."""

    by_form: dict[str, int] = field(default_factory=dict)
    filed: int = 0
    minted: list[str] = field(default_factory=list)
    counters: dict[tuple[str, int], int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_form.values())


@dataclass(frozen=True)
class Writer:
    """Everything one import's writes share: the session, who imports, when, and from where."""

    session: Session
    actor: Actor
    now: datetime
    zone: ZoneInfo
    source: str
    specs: dict[str, FormSpec]
    directory: Directory


def write_all(writer: Writer, rows: Iterable[LegacyRow], highest: dict[tuple[str, int], int],
              progress: Callable[[int], None] = lambda n: None) -> Written:
    """Write every row (the caller's transaction commits or rolls back all of them)."""
    written = Written()
    legacy_id = legacy_user(writer.session, writer.now)
    written.counters = advance_counters(writer.session, highest)
    classes: dict[str, ClassView] = {}
    events: list[tuple[str, dict[str, Any]]] = []
    for row in rows:
        spec = writer.specs[row.form]
        if spec.retention not in classes:
            classes[spec.retention] = class_view(writer.session, spec.retention)
        code, detail = write_row(writer, row, spec, classes[spec.retention], legacy_id)
        events.append((code, detail))
        if row.code is None:
            written.minted.append(code)
        written.by_form[row.form] = written.by_form.get(row.form, 0) + 1
        written.filed += row.filed_at is not None
        progress(1)
    archival = dict(give_missing(writer.session, current_scheme(), writer.now, audit=False,
                                 among=Record.imported_at == writer.now))
    for code, detail in events:
        if code in archival:
            detail["archival_code"] = archival[code]
    audit_imports(writer, events)
    return written


def audit_imports(writer: Writer, events: list[tuple[str, dict[str, Any]]]) -> None:
    """One ``record.import`` event per record, appended after every record is written: the
    audit chain's head is locked from the first append to the commit, and every audited step of
    everyone else (reads included) waits for it, so it is taken for the end of the import
    rather than all of it (on SQLite the writer lock holds everyone up anyway)."""
    for code, detail in events:
        trail.append(writer.session, at=writer.now, actor=writer.actor, action="record.import",
                     object_type="record", object_id=code, detail=detail)


def legacy_user(session: Session, now: datetime) -> int:
    """The id of the user legacy records are submitted by when their register names no user
    (made inactive, with no usable password, the first time)."""
    found = session.scalar(select(User.id).where(User.username == LEGACY_USERNAME))
    if found is not None:
        return found
    user = User(username=LEGACY_USERNAME, display_name=LEGACY_DISPLAY_NAME, password_hash=UNUSABLE_PASSWORD,
                role=Role.CLERK.value, department_id=None, active=False, failed_logins=0, created_at=now)
    session.add(user)
    session.flush()
    return user.id


def advance_counters(session: Session, highest: dict[tuple[str, int], int]) -> dict[tuple[str, int], int]:
    """Each (form, year) counter at least at its highest imported sequence; returns the values."""
    connection, after = session.connection(), {}
    for (form, year), seq in sorted(highest.items()):
        where = (_COUNTERS.c.category == form, _COUNTERS.c.year == year)
        raised = connection.execute(update(_COUNTERS).where(*where).values(
            value=case((_COUNTERS.c.value < seq, seq), else_=_COUNTERS.c.value)).returning(_COUNTERS.c.value))
        value = raised.scalar_one_or_none()
        if value is None:
            connection.execute(insert(_COUNTERS).values(category=form, year=year, value=seq))
            value = seq
        after[(form, year)] = value
    return after


def write_row(writer: Writer, row: LegacyRow, spec: FormSpec, cls: ClassView,
              legacy_id: int) -> tuple[str, dict[str, Any]]:
    """Insert one legacy record, its revision, its attachment and its outbox rows; its code and
    the detail of its audit event (:func:`audit_imports`)."""
    session, connection = writer.session, writer.session.connection()
    seq = row.seq if row.seq is not None else next_sequence(session, row.form, row.year)
    code = format_code(row.form, row.year, seq)
    submitter = writer.directory.user_ids.get(row.submitted_by or "", legacy_id)
    origin = f"{writer.source} {row.sheet} row {row.row}"[:255]
    values = _record_values(row, spec, code, seq, submitter, origin, writer)
    if row.filed_at is not None:
        values.update(_filing_values(row, values, cls, writer.zone, legacy_id))
    record_id = connection.execute(_INSERT_RECORD, values).scalar_one()
    connection.execute(_INSERT_REVISION, {
        "record_id": record_id, "number": 1, "action": IMPORT_ACTION, "state": row.state, "data": row.data,
        "actor_id": submitter, "at": row.submitted_at, "reason": None})
    replace_keys(session, record_id, row.form, spec, row.data)  # the customer's links (forms.customers)
    if row.scan:
        record_added(session, code, 1, [scan_file(row.scan)], row.submitted_at)
    enqueue(session, topic=ARCHIVAL_TOPIC, subject=code, at=writer.now, payload={"revision": 1})
    enqueue_indexing(session, code, 1, writer.now)
    return code, {"form": row.form, "version": row.version, "from": origin, "state": row.state,
                  "filed": row.filed_at is not None, **({"scan": row.scan["sha256"]} if row.scan else {})}


def scan_file(scan: dict[str, Any]) -> NewFile:
    """The scan as an attachment of the record's first revision (:mod:`archive.attachments`),
    under :data:`~forms.legacy.scans.SCAN_FIELD`: no field of the form holds it, so no page
    lists it as a field's file; fixity, export and disposal see it as they see every attachment.
    No thumbnail is made (one image decoded per record would double the import's time)."""
    return NewFile(SCAN_FIELD, scan["sha256"], scan["stored_name"], scan["media_type"], scan["size"], None)


def _record_values(row: LegacyRow, spec: FormSpec, code: str, seq: int, submitter: int, origin: str,
                   writer: Writer) -> dict[str, object]:
    department = writer.directory.department_ids.get(row.department or "")
    return {
        "code": code, "form_code": row.form, "form_version": row.version, "year": row.year, "seq": seq,
        "state": row.state, "title": summary(spec, row.data)[:200], "department_id": department,
        "submitted_by_id": submitter, "submitted_at": row.submitted_at, "revision": 1, "data": row.data,
        **_deadline(spec, row, writer.now), "imported_at": writer.now, "imported_from": origin,
        "legacy_people": row.people or None, "legacy_scan": row.scan,
    }


def _deadline(spec: FormSpec, row: LegacyRow, now: datetime) -> dict[str, object]:
    """The response deadline a submission would have (:func:`forms.deadlines.due_at`), met at
    that moment when the record is in a state that meets it: the register does not say when it
    was answered, and an answered legacy complaint is not counted late for want of that date.
    Without a deadline the minute's tick would read every such record to give it one. It is
    computed here once and stored: every reader (the page, the receipt, the API, the
    statistics) reads the stored value. A record in a state that pauses the deadline (waiting
    for the customer) is paused from the import, as a record entering that state is, unless
    its deadline has passed already (forms.deadlines.refreshed): then it stays overdue."""
    due = due_at(spec, row.data)
    deadline = spec.workflow.deadline
    met = due if due is not None and deadline is not None and row.state in deadline.met else None
    paused = now if starts_pause(spec, row.state, due, now) else None
    return {"due_at": None if paused else due, "deadline_met_at": met, "deadline_paused_at": paused}


def _filing_values(row: LegacyRow, values: dict[str, object], cls: ClassView, zone: ZoneInfo,
                   legacy_id: int) -> dict[str, object]:
    """Filed at its own date: volume, closure, schedule, countersignature (module docstring)."""
    shaped = Record(form_code=row.form, year=row.year, code=values["code"], flags=None, data=row.data,
                    submitted_at=row.submitted_at, filed_at=row.filed_at, closed_at=row.filed_at)
    until, action = schedule(cls, shaped, zone)
    return {"filed_at": row.filed_at, "filed_revision": 1, "closed_at": row.filed_at,
            "volume": volume_of(shaped), "retention_class": cls.code, "retention_until": until,
            "end_action": action, "countersigned_at": row.filed_at, "countersigned_by_id": legacy_id}
