"""Deadline notifications (issue 22, part F), found by the deadline tick: a record nearing its
deadline (``NOTIFY_WARN_AT`` of its allowed time has run, default 0.8; forms.deadlines.warn_at,
so a working-time deadline warns in working time) and a record overdue, told to the active
supervisors of the record's department. A customer request (PR) nearing its deadline is its
own event. One warning per (record, recipient, deadline): the key holds the deadline, so a
deadline moved later (a level changed) warns again, a tick run twice does not. One overdue notice
per lateness: its key holds since when the record is late (``overdue_at``, which the tick sets
before telling and which stays while a changed deadline leaves the record late), so classifying a
late complaint does not tell its supervisors a second time; a record put back in time and late
again is told again.
A paused deadline (forms.deadlines: waiting for the customer) has no ``due_at`` and is not told;
after the pause the warning moment moves on by the time paused, as the deadline does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import Record
from core.auth.models import User
from core.db import Database
from core.notifications import Notification, notify
from forms.deadlines import is_open, warn_at
from forms.spec.model import FormSpec
from forms.versions import spec_version

DEFAULT_WARN_AT = 0.8
DEADLINE_EVENTS = ("deadline.nearing", "deadline.overdue", "request.nearing")


@dataclass(frozen=True)
class NoticeReport:
    nearing: list[str]
    overdue: list[str]


def supervisors_of(session: Session, department_id: int | None) -> list[int]:
    """The active supervisors of a department (none when the record has no department)."""
    if department_id is None:
        return []
    return list(session.scalars(select(User.id).where(
        User.department_id == department_id, User.role == "supervisor", User.active.is_(True))))


def notify_deadlines(db: Database, now: datetime, fraction: float = DEFAULT_WARN_AT) -> NoticeReport:
    """Tell supervisors about the open records that are nearing or past their deadline."""
    nearing: list[str] = []
    overdue: list[str] = []
    with db.transaction() as session:
        told = already_told(session)
        for record in session.scalars(select(Record).where(
                Record.due_at.is_not(None), Record.deadline_met_at.is_(None)).order_by(Record.id)):
            spec = spec_version(db, record.form_code, record.form_version)
            event = _event(spec, record, now, fraction) if is_open(spec, record.state) else None
            if event == "deadline.overdue" and record.overdue_at is None:
                continue  # late since an instant ago: the next tick marks it, then it is told
            since = record.overdue_at if event == "deadline.overdue" else record.due_at
            key = f"{event}|{record.code}|{since.isoformat()}"
            # the overdue key held the deadline before it held since when: told under it is told
            if event is None or key in told or f"{event}|{record.code}|{record.due_at.isoformat()}" in told:
                continue
            added = notify(session, event=event, recipients=supervisors_of(session, record.department_id),
                           record_code=record.code, at=now, form_id=record.form_code, key=key)
            if added:
                (overdue if event == "deadline.overdue" else nearing).append(record.code)
    return NoticeReport(nearing, overdue)


def already_told(session: Session) -> set[str]:
    """The deadline events already produced (their keys without the recipient), read once per
    tick: an open record long overdue costs no query per minute after it was told."""
    keys = session.scalars(select(Notification.key).where(Notification.event.in_(DEADLINE_EVENTS)))
    return {key.rpartition("|")[0] for key in keys}


def _event(spec: FormSpec, record: Record, now: datetime, fraction: float) -> str | None:
    if record.due_at < now:  # the boundary itself is in time (forms.deadlines)
        return "deadline.overdue"
    warn = warn_at(spec, record.data, fraction, paused_hours=record.deadline_paused_hours or 0.0)
    if warn is None or warn > now:
        return None
    return "request.nearing" if record.form_code == "PR" else "deadline.nearing"
