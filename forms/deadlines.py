"""Response deadlines and overdue records (CP: 5, 8 or 12 hours by level, from receipt).

The rule is data in the spec (``[workflow.deadline]``): which choice field picks the hours,
which datetime field the clock starts from, and which states meet it. A record's deadline is
kept on the record (``due_at``) whenever its data changes, so that finding the overdue ones is
one indexed query. ``flask --app wsgi workflow tick`` marks them (``overdue_at``, an audit
event each); marking is a single conditional UPDATE, so ticks may overlap (cron every minute,
a slow run still going) without marking anything twice. A deadline is met by reaching a
``met`` state on or before ``due_at``: the boundary itself is in time (5:00 after receipt is in
time for five hours, 5:00 and a second is not).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from archive.models import Record
from core.audit import trail
from core.clock import Clock
from core.db import Database
from forms.spec.model import FormSpec
from forms.versions import spec_version


def due_at(spec: FormSpec, data: dict[str, Any]) -> datetime | None:
    """When the record must be answered (UTC), or None when the form has no deadline or the
    record does not say yet which one applies (no level, no receipt time)."""
    deadline = spec.workflow.deadline
    if deadline is None:
        return None
    hours, start = deadline.hours.get(str(data.get(deadline.field))), data.get(deadline.start)
    if hours is None or not start:
        return None
    return datetime.fromisoformat(start).astimezone(UTC) + timedelta(hours=hours)


def refreshed(spec: FormSpec, record: Record, now: datetime) -> None:
    """Keep ``record.due_at`` in step with its data (a level set, a receipt time corrected);
    a record no longer late by the new deadline is no longer marked overdue."""
    record.due_at = due_at(spec, record.data)
    if record.overdue_at is not None and (record.due_at is None or record.due_at >= now):
        record.overdue_at = None


def is_open(spec: FormSpec, state: str) -> bool:
    """Whether the deadline still runs in ``state`` (not yet met by reaching a ``met`` state)."""
    deadline = spec.workflow.deadline
    return deadline is not None and state not in deadline.met


@dataclass(frozen=True)
class TickReport:
    marked: list[str]  # codes newly marked overdue by this run
    overdue: int  # records overdue now, marked by this run or earlier


def tick(db: Database, clock: Clock) -> TickReport:
    """Mark every record whose deadline has passed while it is still open."""
    now = clock.now()
    with db.reading() as session:
        candidates = session.execute(
            select(Record.code, Record.form_code, Record.form_version, Record.state)
            .where(Record.due_at < now, Record.overdue_at.is_(None))).all()
    late = [row.code for row in candidates
            if is_open(spec_version(db, row.form_code, row.form_version), row.state)]
    marked: list[str] = []
    with db.transaction() as session:
        if late:
            marked = list(session.scalars(
                update(Record).where(Record.code.in_(late), Record.overdue_at.is_(None), Record.due_at < now)
                .values(overdue_at=now).returning(Record.code)))
        for code in sorted(marked):
            trail.append(session, at=now, actor=None, action="record.overdue", object_type="record",
                         object_id=code, detail={"via": "workflow tick"})
        overdue = session.scalar(select(func.count()).select_from(Record)
                                 .where(Record.overdue_at.is_not(None))) or 0
    return TickReport(sorted(marked), overdue)
