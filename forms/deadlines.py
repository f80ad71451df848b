"""Response deadlines and overdue records (CP: 5, 8 or 12 hours by level, from receipt).

The rule is data in the spec (``[workflow.deadline]``): which choice field picks the hours,
which datetime field the clock starts from, and which states meet it. Until the choice is made
(a complaint not yet classified) the strictest limit runs. A record's deadline is kept on the
record (``due_at``) whenever its data changes, and when it reached a ``met`` state
(``deadline_met_at``) whenever its state does, so that whether it is overdue is read at read
time from these two (archive.overdue) on every page, list, statistic and API answer. The
deadline tick (``flask --app wsgi workflow tick``, and the worker's ``deadline-tick`` job) adds
the mark (``overdue_at``) and its audit event; marking is a single conditional UPDATE, so ticks
may overlap without marking anything twice. A deadline is met by reaching a ``met`` state on or
before ``due_at``: the boundary itself is in time (5:00 after receipt is in time for five hours,
5:00 and a second is not).

A spec may name states that pause the deadline (``pause``: waiting for the customer). On
entering one the record keeps since when (``deadline_paused_at``) and ``due_at`` becomes None:
no deadline runs, so every reader (page, lists, inbox, API, receipt, statistics, the tick,
notices) sees a record that is neither due nor overdue, and the record page says since when it
is paused. On leaving it the time spent paused, counted on the deadline's own clock (working
hours for a working clock, wall hours otherwise), is added to the hours allowed
(``deadline_paused_hours``, summed over every pause) and ``due_at`` is set again. A record whose
deadline has already passed (or falls that very moment) when it enters a pause state is not
paused: it stays overdue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from archive.models import Record
from core.audit import trail
from core.clock import Clock
from core.db import Database
from forms.fields.scalar import parse_moment
from forms.spec.model import FormSpec
from forms.versions import list_versions, spec_version
from forms.working_time import OfficeCalendar, current

#: Deadlines in whole days taken from the settings, by form code; they replace the spec's hours
#: (forms.init_app: PR, the personal data request, from CUSTOMER_REQUEST_DAYS, default 15).
DAYS_BY_FORM: dict[str, int] = {}


def _allowed(spec: FormSpec, data: dict[str, Any]) -> tuple[datetime, float] | None:
    """The start (UTC) and allowed hours of the record's deadline (before any pause), or None
    without one."""
    deadline = spec.workflow.deadline
    if deadline is None or not deadline.hours:
        return None
    start = data.get(deadline.start)
    if not start:
        return None
    hours = deadline.hours.get(str(data.get(deadline.field)), min(deadline.hours.values()))
    if spec.code in DAYS_BY_FORM:
        hours = DAYS_BY_FORM[spec.code] * 24
    return parse_moment(start).astimezone(UTC), hours


def _working(spec: FormSpec) -> bool:
    return spec.workflow.deadline is not None and spec.workflow.deadline.clock == "working"


def _after(spec: FormSpec, start: datetime, hours: float, calendar: OfficeCalendar | None) -> datetime:
    """``hours`` on the deadline's clock after ``start``."""
    if _working(spec):
        return (calendar or current()).add(start, hours)
    return start + timedelta(hours=hours)


def due_at(spec: FormSpec, data: dict[str, Any], *, paused_hours: float = 0.0,
           calendar: OfficeCalendar | None = None) -> datetime | None:
    """When the record must be answered (UTC), or None when the form has no deadline or no
    start time. Until the record says which limit applies (a complaint not yet classified),
    the strictest one does: a complaint runs on level 1's hours from receipt, so one that
    waits for its classification can still be overdue. A ``clock = "working"`` deadline
    counts its hours only in working time on the office's calendar (this process's,
    forms.working_time.current, unless one is given). ``paused_hours``, the time the record
    spent paused (on the same clock), lengthens the allowed time."""
    allowed = _allowed(spec, data)
    if allowed is None:
        return None
    start, hours = allowed
    return _after(spec, start, hours + max(0.0, paused_hours), calendar)


def warn_at(spec: FormSpec, data: dict[str, Any], fraction: float, *, paused_hours: float = 0.0,
            calendar: OfficeCalendar | None = None) -> datetime | None:
    """The moment ``fraction`` (0..1) of the record's allowed time has run: working time for a
    ``clock = "working"`` deadline (so 80% of 5 working hours is 4 working hours, which may
    fall on the next working day), wall-clock time otherwise. The time spent paused
    (``paused_hours``) is added, as to the deadline."""
    allowed = _allowed(spec, data)
    if allowed is None:
        return None
    start, hours = allowed
    part = max(0.0, min(1.0, fraction)) * hours
    return _after(spec, start, part + max(0.0, paused_hours), calendar)


def paused_hours_between(spec: FormSpec, start: datetime, end: datetime, *,
                         calendar: OfficeCalendar | None = None) -> float:
    """How long a pause from ``start`` to ``end`` was on the deadline's clock, in hours: only
    its working time for a working clock (a pause over a weekend adds nothing for the
    weekend), the wall-clock time otherwise."""
    if end <= start:
        return 0.0
    if _working(spec):
        return (calendar or current()).working_between(start, end) / timedelta(hours=1)
    return (end - start) / timedelta(hours=1)


def pauses(spec: FormSpec, state: str) -> bool:
    """Whether ``state`` pauses the deadline (the spec's ``pause``)."""
    deadline = spec.workflow.deadline
    return deadline is not None and state in deadline.pause


def starts_pause(spec: FormSpec, state: str, due: datetime | None, now: datetime) -> bool:
    """Whether a record reaching ``state`` at ``now`` with deadline ``due`` is paused: a pause
    state while its deadline is still ahead (one already late, or due that moment, stays late).
    The one rule for a workflow step (:func:`refreshed`) and a legacy import."""
    return pauses(spec, state) and due is not None and due > now


def refreshed(spec: FormSpec, record: Record, now: datetime) -> None:
    """Keep ``record.due_at`` in step with its data (a level set, a receipt time corrected)
    and ``deadline_met_at`` with its state (the first moment it reached a ``met`` state; a
    record sent back to an open state runs again); a record no longer late by the new
    deadline is no longer marked overdue. A record entering a pause state while its deadline
    is still ahead is paused (``due_at`` None, ``deadline_paused_at`` now); one leaving it has
    the time paused added to its allowed time (module docstring)."""
    paused_before = record.deadline_paused_hours or 0.0
    if record.deadline_paused_at is not None and not pauses(spec, record.state):
        paused_before += paused_hours_between(spec, record.deadline_paused_at, now)
        record.deadline_paused_at, record.deadline_paused_hours = None, paused_before
    due = due_at(spec, record.data, paused_hours=paused_before)
    if record.deadline_paused_at is None and starts_pause(spec, record.state, due, now):
        record.deadline_paused_at = now
    record.due_at = None if record.deadline_paused_at is not None else due
    if is_open(spec, record.state) or record.due_at is None:
        record.deadline_met_at = None
    elif record.deadline_met_at is None:
        record.deadline_met_at = now
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
    scheduled: list[str] = field(default_factory=list)  # codes given the deadline they lacked


def schedule_missing(db: Database, now: datetime) -> list[str]:
    """Give a deadline to the open records of a form with one that have none: complaints
    registered before an unclassified complaint ran on the strictest limit (issue 15)."""
    forms = {v.form_code for v in list_versions(db)
             if spec_version(db, v.form_code, v.version).workflow.deadline is not None}
    scheduled = []
    with db.transaction() as session:
        for record in session.scalars(select(Record).where(  # a paused one has no deadline on purpose
                Record.due_at.is_(None), Record.deadline_paused_at.is_(None), Record.form_code.in_(forms))
                .with_for_update()):
            spec = spec_version(db, record.form_code, record.form_version)
            if is_open(spec, record.state):
                refreshed(spec, record, now)
                scheduled += [record.code] if record.due_at is not None else []
    return sorted(scheduled)


def tick(db: Database, clock: Clock) -> TickReport:
    """Give a deadline to the open records that lack one, then mark every record whose
    deadline has passed while it is still open (the mark adds an audit event; whether a
    record is overdue is read from its deadline whenever it is shown: archive.overdue)."""
    from forms.office_calendar import reload  # it imports this module

    reload(db)  # the worker serves no requests: it reads the office's calendar on every tick
    now = clock.now()
    scheduled = schedule_missing(db, now)
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
    return TickReport(sorted(marked), overdue, scheduled)
