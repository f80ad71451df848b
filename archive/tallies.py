"""How many records there are of each kind, kept by the database, and the inbox's indexes.

Every HTML page shows how many records wait for the signed-in user, and what waits depends
only on a record's form, version, state, department, submitter and whether it is countersigned
(:mod:`forms.inbox`). Counting those records per request grew with the archive (a full scan for
an archivist), so the database keeps the counts: ``record_tallies`` holds one row per such
kind, and triggers on ``records`` created by migration 0011 (SQLite row triggers; PostgreSQL
row triggers deferred to commit, when a writer already holds the audit chain's head, so a
writer waiting for the head never holds a tally row that the head's holder needs) move a record
from one row to another on every insert, update of those columns and delete. No caller has
to remember: a submission, an action, a correction, filing, anonymisation, disposal, an
import and a restored copy are all counted alike. A count is then the sum of a few rows,
whatever the archive's size.

The inbox's list is served by four partial indexes on ``records`` (declared here, created by
the same migration), each per (form, version, state, department) in the inbox's order: records
whose deadline runs by that deadline, the others by submission; each part apart for records
countersigned and records waiting for it, so that a countersignature's inbox walks only the
records still to sign. Plain columns, no expressions: the same definitions serve SQLite and
PostgreSQL and compare equal to the models on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Index, Integer, String, and_, or_
from sqlalchemy.orm import Mapped, mapped_column

from archive.models import Record
from core.db import Base

#: The department key of records without a department (no department has id 0).
NO_DEPARTMENT = 0

#: A record whose deadline still presses (not met); the inbox lists these first, by deadline.
RUNNING = and_(Record.deadline_met_at.is_(None), Record.due_at.is_not(None))
NOT_RUNNING = or_(Record.deadline_met_at.is_not(None), Record.due_at.is_(None))
_KIND = (Record.form_code, Record.form_version, Record.state, Record.department_id)


@dataclass(frozen=True)
class InboxPart:
    """One part of a (form, version, state, department): its condition and its order."""

    where: ColumnElement[bool]
    order: tuple[ColumnElement[Any], ...]
    running: bool


def _part(signed: bool, running: bool) -> InboxPart:
    """The part of records countersigned (or not) whose deadline runs (or not), and its index."""
    stamp = Record.countersigned_at.is_not(None) if signed else Record.countersigned_at.is_(None)
    where = and_(stamp, RUNNING if running else NOT_RUNNING)
    order = (Record.due_at, Record.submitted_at, Record.id) if running else (Record.submitted_at, Record.id)
    name = f"ix_records_inbox_{'signed' if signed else 'unsigned'}{'_due' if running else ''}"
    Index(name, *_KIND, *order, sqlite_where=where, postgresql_where=where)
    return InboxPart(where, order, running)


#: (countersigned, deadline running) → that part of the records.
INBOX_PARTS = {(signed, running): _part(signed, running)
               for signed in (True, False) for running in (True, False)}


class RecordTally(Base):
    """How many records (``n``) there are of one kind; written only by the database's triggers.

    Rows are never deleted: a kind whose records all moved on keeps ``n = 0``.
    """

    __tablename__ = "record_tallies"

    form_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    form_version: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: ``records.department_id``, or :data:`NO_DEPARTMENT`.
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    countersigned: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    submitted_by_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
