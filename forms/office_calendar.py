"""The office calendar's service: read it from the database, change it (admins only, every
change audited) and keep open records' deadlines in step with it.

The calendar deadlines count on is the shipped default (forms.working_time) overridden by the
rows of forms/calendar_models.py. Every open record whose deadline counts working time gets its
``due_at`` recomputed in the same transaction as the change, so page, API, receipt and
statistics (which all read ``due_at``) agree at once.

Each application (one per web process or worker) holds the calendar in memory and notices a
change made by another one before its next request (:func:`refresh`): the calendar's revision is
the sequence number of its newest audit event, which every change writes in its own transaction.
The deadline tick reloads it on every run (forms.deadlines.tick).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from archive.models import Record
from core.audit import trail
from core.audit.models import AuditEvent
from core.auth.roles import Actor, PermissionDenied
from core.clock import Clock
from core.db import Database
from core.problems import FieldProblems
from forms.calendar_file import FIRST_YEAR, LAST_YEAR, FileProblem, ScheduleDay, parse_schedule
from forms.calendar_input import checked_spans, parse_name, span_text
from forms.calendar_models import OfficeCalendarDay, OfficeHours, OfficeHoursSet
from forms.deadlines import is_open, refreshed
from forms.versions import list_versions, spec_version
from forms.working_time import (
    DEFAULT_HOURS,
    OfficeCalendar,
    Span,
    install,
    set_source,
    shipped_days,
    shipped_rows,
)

#: The audit actions that change the calendar: the newest one's sequence number is its revision.
CHANGES = ("calendar.days_set", "calendar.day_removed", "calendar.hours_set")
EXTENSION = "office_calendar"


def load(session: Session) -> OfficeCalendar:
    """The office's calendar: shipped defaults overridden by the database's rows."""
    hours = dict(DEFAULT_HOURS)
    for weekday in session.scalars(select(OfficeHoursSet.weekday)):
        hours[weekday] = ()
    for row in session.scalars(select(OfficeHours).order_by(OfficeHours.weekday, OfficeHours.begins)):
        hours[row.weekday] = (*hours[row.weekday], (row.begins, row.ends))
    days = shipped_days()
    days.update({row.day: row.working for row in session.scalars(select(OfficeCalendarDay))})
    return OfficeCalendar(hours={k: v for k, v in hours.items() if v}, days=days)


def revision(session: Session) -> int:
    """The calendar's revision: the sequence number of its newest audit event (0 before any).

    Why the audit trail and not a counter of its own: every change already writes one event in
    its own transaction (no change without it), events are never updated or deleted (database
    triggers), and ``audit_events.action`` is indexed, so this is one index lookup over the few
    calendar events, with no migration and no second thing to keep in step. A restored backup
    gives a different number, which is all :func:`refresh` asks (it compares, never orders)."""
    return session.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.action.in_(CHANGES))) or 0


@dataclass
class Held:
    """One application's calendar and the revision it was loaded at (-1: none loaded yet)."""

    calendar: OfficeCalendar | None = None
    revision: int = -1


def _held() -> Held | None:
    from flask import current_app, has_app_context

    return current_app.extensions.get(EXTENSION) if has_app_context() else None


def _hold(calendar: OfficeCalendar, at_revision: int) -> None:
    """Make ``calendar`` this application's (and, for code outside any application, the
    process's: forms.working_time.install)."""
    install(calendar)
    held = _held()
    if held is not None:
        held.calendar, held.revision = calendar, at_revision


def reload(db: Database) -> OfficeCalendar:
    """Load the calendar and hold it, whatever its revision (the deadline tick, tests)."""
    with db.reading() as session:
        at_revision = revision(session)
        calendar = load(session)
    _hold(calendar, at_revision)
    return calendar


def refresh(db: Database) -> OfficeCalendar:
    """The application's calendar, reloaded first if another process (or application) changed it.

    Asked before every request (:func:`init_app`), not every few seconds: a deadline computed on
    a stale calendar is stored on the record (``due_at``) and nothing recomputes it later, so a
    record saved on this server a second after an admin's change on another would keep the old
    calendar's deadline for good; a time-based check would leave that window open for its whole
    period. The price is one indexed lookup per request (:func:`revision`); the calendar itself
    (a few dozen rows) is read only when the revision moved."""
    held = _held()
    with db.reading() as session:
        now = revision(session)
        if held is not None and held.calendar is not None and held.revision == now:
            return held.calendar
        calendar = load(session)
    _hold(calendar, now)
    return calendar


#: One loader at a time: the first deadline computed outside a request loads the calendar with
#: a connection of its own, while its caller holds one for its transaction; threads arriving
#: together would each take a second connection and could exhaust the pool (800 concurrent
#: submissions waited 30 s for connections held by each other). They wait for the one load.
_loading = threading.Lock()


def _app_calendar() -> OfficeCalendar | None:
    """forms.working_time's source: the running application's calendar, loaded at its first use
    outside a request (a command, a job) when it was not at start-up; None outside an
    application."""
    held = _held()
    if held is None:
        return None
    if held.calendar is None:
        from core.web import services

        with _loading:
            if held.calendar is None:
                return refresh(services().db)
    return held.calendar


# --- changes (admins only, audited) ---------------------------------------------------------


def set_day(db: Database, clock: Clock, actor: Actor, day: date, working: bool, name: str) -> list[str]:
    """Make ``day`` a holiday or an adjusted working day; returns the codes re-scheduled."""
    require_admin(actor)
    return apply(db, clock, actor, [ScheduleDay(_checked_day(day), bool(working), parse_name(name))],
                 via="page")


def remove_day(db: Database, clock: Clock, actor: Actor, day: date) -> list[str]:
    """Remove the office's own row for ``day`` (the shipped schedule applies again); nothing
    happens (and nothing is audited) when the office has none for it."""
    require_admin(actor)
    with _changing(db) as session:
        gone = session.get(OfficeCalendarDay, day)
        if gone is None:
            return []
        session.delete(gone)
        seq = trail.append(session, at=clock.now(), actor=actor, action="calendar.day_removed",
                           object_type="calendar", object_id=day.isoformat(),
                           detail={"working": gone.working, "name": gone.name})
        return _rescheduled(db, session, clock.now(), seq)


def set_hours(db: Database, clock: Clock, actor: Actor, weekday: int, spans: list[Span]) -> list[str]:
    """Set one weekday's working spans (none: the weekday is off). Refused spans raise
    :class:`FieldProblems` (a ValueError) naming the bad one in the reader's language."""
    require_admin(actor)
    if not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise FieldProblems({"weekday": _("Choose a weekday from Monday to Sunday.")})
    for begin, end in spans:
        if begin >= end:
            raise FieldProblems({"hours": _("“%(value)s”: the start must be before the end.",
                                            value=span_text((begin, end)))})
    ordered = checked_spans(list(spans))
    with _changing(db) as session:
        session.execute(delete(OfficeHours).where(OfficeHours.weekday == weekday))
        if session.get(OfficeHoursSet, weekday) is None:
            session.add(OfficeHoursSet(weekday=weekday))
        session.add_all(OfficeHours(weekday=weekday, begins=b, ends=e) for b, e in ordered)
        seq = trail.append(session, at=clock.now(), actor=actor, action="calendar.hours_set",
                           object_type="calendar", object_id=f"weekday {weekday}",
                           detail={"spans": [span_text(span) for span in ordered]})
        return _rescheduled(db, session, clock.now(), seq)


def apply(db: Database, clock: Clock, actor: Actor, days: list[ScheduleDay], *, via: str) -> list[str]:
    """Write dated rows (an import or one day from the page), audited as one event."""
    require_admin(actor)
    if not days:
        raise FieldProblems({"file": _("The schedule has no days.")})
    for row in days:
        _checked_day(row.day)
    with _changing(db) as session:
        for row in days:
            session.merge(OfficeCalendarDay(day=row.day, working=row.working, name=row.name))
        seq = trail.append(session, at=clock.now(), actor=actor, action="calendar.days_set",
                           object_type="calendar", object_id=_span_of(days),
                           detail={"via": via,
                                   "days": {r.day.isoformat(): [r.working, r.name] for r in days}})
        return _rescheduled(db, session, clock.now(), seq)


def working_versions(db: Database) -> list[tuple[str, int]]:
    """The (form, version) pairs whose deadline counts working time."""
    pairs = [(v.form_code, v.version) for v in list_versions(db)]
    return [(code, version) for code, version in pairs
            if (deadline := spec_version(db, code, version).workflow.deadline) is not None
            and deadline.clock == "working"]


@contextmanager
def _changing(db: Database) -> Iterator[Session]:
    """A change's transaction. If it fails after the new calendar was held (by
    :func:`_rescheduled`), the application forgets it, so the next request loads the stored one."""
    try:
        with db.transaction() as session:
            yield session
    except BaseException:
        held = _held()
        if held is not None:
            held.calendar, held.revision = None, -1
        install(None)
        raise


def _rescheduled(db: Database, session: Session, now: datetime, seq: int) -> list[str]:
    """Recompute the deadline of every open record counting working time, in this transaction,
    on the calendar as it now stands (held for this application at the change's revision)."""
    session.flush()
    _hold(load(session), seq)
    changed = []
    for code, version in working_versions(db):
        spec = spec_version(db, code, version)
        for record in session.scalars(select(Record).where(
                Record.form_code == code, Record.form_version == version).with_for_update()):
            before = record.due_at
            if is_open(spec, record.state):
                refreshed(spec, record, now)
                changed += [record.code] if record.due_at != before else []
    return sorted(changed)


def require_admin(actor: Actor) -> None:
    """The calendar's page, API and changes are the administrators' (the check is here, so no
    view or command can forget it)."""
    if not actor.is_admin:
        raise PermissionDenied(_("Only administrators see and change the office calendar."))


def _checked_day(day: date) -> date:
    if not isinstance(day, date) or not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise FieldProblems({"day": _("The year must be from %(first)s to %(last)s.",
                                      first=FIRST_YEAR, last=LAST_YEAR)})
    return day


def _span_of(days: list[ScheduleDay]) -> str:
    ordered = sorted(row.day for row in days)
    return f"{ordered[0]}..{ordered[-1]}" if ordered else ""


# --- reading it (the admin page and its API) -------------------------------------------------


@dataclass(frozen=True)
class DayEntry:
    """A dated day of the calendar: where it comes from (``shipped`` or the ``office``'s own
    row) and, for an office row, the shipped row it replaces (None when there is none)."""

    day: date
    working: bool
    name: str
    source: str
    shipped: ScheduleDay | None = None


@dataclass(frozen=True)
class WeekdayHours:
    weekday: int  # 0 = Monday
    spans: tuple[Span, ...]
    own: bool  # the office set them (else the shipped default)


@dataclass(frozen=True)
class YearView:
    year: int
    hours: list[WeekdayHours]
    days: list[DayEntry] = field(default_factory=list)

    def months(self) -> list[tuple[int, list[DayEntry]]]:
        """Each month 1-12 with its dated days, in order."""
        return [(month, [d for d in self.days if d.day.month == month]) for month in range(1, 13)]


def year_view(db: Database, actor: Actor, year: int) -> YearView:
    """The calendar of ``year`` as the admin page shows it (admins only)."""
    require_admin(actor)
    with db.reading() as session:
        own = {row.day: ScheduleDay(row.day, row.working, row.name)
               for row in session.scalars(select(OfficeCalendarDay).where(
                   OfficeCalendarDay.day >= date(year, 1, 1), OfficeCalendarDay.day <= date(year, 12, 31)))}
        hours = _hours(session)
    shipped = {day: row for day, row in shipped_rows().items() if day.year == year}
    days = [DayEntry(day, row.working, row.name, "office", shipped.get(day)) for day, row in own.items()]
    days += [DayEntry(day, row.working, row.name, "shipped")
             for day, row in shipped.items() if day not in own]
    return YearView(year, hours, sorted(days, key=lambda entry: entry.day))


def _hours(session: Session) -> list[WeekdayHours]:
    own = set(session.scalars(select(OfficeHoursSet.weekday)))
    spans: dict[int, list[Span]] = {weekday: [] for weekday in own}
    for row in session.scalars(select(OfficeHours).order_by(OfficeHours.weekday, OfficeHours.begins)):
        spans.setdefault(row.weekday, []).append((row.begins, row.ends))
    return [WeekdayHours(weekday, tuple(spans[weekday]) if weekday in own else DEFAULT_HOURS.get(weekday, ()),
                         weekday in own) for weekday in range(7)]


@dataclass(frozen=True)
class Change:
    """One line of an uploaded schedule against the calendar as it stands: ``before`` is the
    day as it is now (None: an ordinary day), ``kind`` new, changed or same."""

    row: ScheduleDay
    before: DayEntry | None
    kind: str


@dataclass(frozen=True)
class SchedulePreview:
    days: list[ScheduleDay]
    problems: list[FileProblem]
    changes: list[Change]

    @property
    def can_apply(self) -> bool:
        return bool(self.days) and not self.problems


def preview(db: Database, actor: Actor, text: str) -> SchedulePreview:
    """What importing ``text`` would change (admins only): every line's problems, and for each
    day what it is now and whether the file changes it. Nothing is written."""
    require_admin(actor)
    days, problems = parse_schedule(text)
    with db.reading() as session:
        own = {row.day: ScheduleDay(row.day, row.working, row.name)
               for row in session.scalars(select(OfficeCalendarDay).where(
                   OfficeCalendarDay.day.in_([row.day for row in days])))} if days else {}
    shipped = shipped_rows()
    changes = []
    for row in days:
        before = (DayEntry(row.day, own[row.day].working, own[row.day].name, "office")
                  if row.day in own else
                  DayEntry(row.day, shipped[row.day].working, shipped[row.day].name, "shipped")
                  if row.day in shipped else None)
        same = before is not None and (before.working, before.name) == (row.working, row.name)
        changes.append(Change(row, before, "same" if same else "changed" if before else "new"))
    return SchedulePreview(days, problems, changes)


def init_app(app: object) -> None:
    """Give the application its calendar (loaded before its first request) and check before
    every request whether another process changed it (:func:`refresh`)."""
    from flask import Flask, request

    from core.web import services

    assert isinstance(app, Flask)
    app.extensions[EXTENSION] = Held()
    set_source(_app_calendar)
    with app.app_context():
        try:  # at start-up, before any transaction needs it (see _loading)
            reload(services().db)
        except DBAPIError:  # a new instance: `flask init` creates the tables, first use loads it
            app.extensions[EXTENSION] = Held()

    def fresh() -> None:
        if request.endpoint != "static":  # a stylesheet computes no deadline
            refresh(services().db)

    app.before_request(fresh)
