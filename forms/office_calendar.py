"""The office calendar's service: read it from the database, change it (admins only, every
change audited) and keep open records' deadlines in step with it.

The calendar deadlines count on is the shipped default (forms.working_time) overridden by the
rows of forms/calendar_models.py. Each process holds it in memory (working_time.install): loaded
when the app starts and again after every change made through this module, and every open
record whose deadline counts working time gets its ``due_at`` recomputed in the same
transaction as the change, so page, API, receipt and statistics (which all read ``due_at``)
agree at once. Another process (the worker) sees a change when it next starts; the tick reads
the stored ``due_at``, so it marks by the new deadlines immediately.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import pairwise

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archive.models import Record
from core.audit import trail
from core.auth.roles import Actor, PermissionDenied
from core.clock import Clock
from core.db import Database
from forms.calendar_file import ScheduleDay
from forms.calendar_models import OfficeCalendarDay, OfficeHours, OfficeHoursSet
from forms.deadlines import is_open, refreshed
from forms.versions import list_versions, spec_version
from forms.working_time import DEFAULT_HOURS, OfficeCalendar, Span, install, shipped_days


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


def reload(db: Database) -> OfficeCalendar:
    """Load the calendar and make it this process's (app start, after a change)."""
    with db.reading() as session:
        calendar = load(session)
    install(calendar)
    return calendar


def set_day(db: Database, clock: Clock, actor: Actor, day: date, working: bool, name: str) -> list[str]:
    """Make ``day`` a holiday or an adjusted working day; returns the codes re-scheduled."""
    return apply(db, clock, actor, [ScheduleDay(day, working, name)], via="page")


def remove_day(db: Database, clock: Clock, actor: Actor, day: date) -> list[str]:
    """Remove the office's own row for ``day`` (the shipped schedule applies again)."""
    _admin_only(actor)
    with db.transaction() as session:
        gone = session.get(OfficeCalendarDay, day)
        if gone is None:
            return []
        session.delete(gone)
        trail.append(session, at=clock.now(), actor=actor, action="calendar.day_removed",
                     object_type="calendar", object_id=day.isoformat(),
                     detail={"working": gone.working, "name": gone.name})
        return _rescheduled(db, session, clock.now())


def set_hours(db: Database, clock: Clock, actor: Actor, weekday: int, spans: list[Span]) -> list[str]:
    """Set one weekday's working spans (none: the weekday is off)."""
    _admin_only(actor)
    if not 0 <= weekday <= 6 or any(begin >= end for begin, end in spans) or _overlap(spans):
        raise ValueError("spans must be within one weekday 0-6, each start before its end, not overlapping")
    with db.transaction() as session:
        session.execute(delete(OfficeHours).where(OfficeHours.weekday == weekday))
        if session.get(OfficeHoursSet, weekday) is None:
            session.add(OfficeHoursSet(weekday=weekday))
        session.add_all(OfficeHours(weekday=weekday, begins=b, ends=e) for b, e in sorted(spans))
        trail.append(session, at=clock.now(), actor=actor, action="calendar.hours_set",
                     object_type="calendar", object_id=f"weekday {weekday}",
                     detail={"spans": [f"{b:%H:%M}-{e:%H:%M}" for b, e in sorted(spans)]})
        return _rescheduled(db, session, clock.now())


def apply(db: Database, clock: Clock, actor: Actor, days: list[ScheduleDay], *, via: str) -> list[str]:
    """Write dated rows (an import or one day from the page), audited as one event."""
    _admin_only(actor)
    with db.transaction() as session:
        for row in days:
            session.merge(OfficeCalendarDay(day=row.day, working=row.working, name=row.name))
        trail.append(session, at=clock.now(), actor=actor, action="calendar.days_set",
                     object_type="calendar", object_id=_span_of(days),
                     detail={"via": via, "days": {r.day.isoformat(): [r.working, r.name] for r in days}})
        return _rescheduled(db, session, clock.now())


def working_versions(db: Database) -> list[tuple[str, int]]:
    """The (form, version) pairs whose deadline counts working time."""
    pairs = [(v.form_code, v.version) for v in list_versions(db)]
    return [(code, version) for code, version in pairs
            if (deadline := spec_version(db, code, version).workflow.deadline) is not None
            and deadline.clock == "working"]


def _rescheduled(db: Database, session: Session, now: datetime) -> list[str]:
    """Recompute the deadline of every open record counting working time, in this transaction,
    on the calendar as it now stands (installed for this process)."""
    session.flush()
    install(load(session))
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


def _admin_only(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("only an administrator can change the office calendar")


def _overlap(spans: list[Span]) -> bool:
    ordered = sorted(spans)
    return any(a[1] > b[0] for a, b in pairwise(ordered))


def _span_of(days: list[ScheduleDay]) -> str:
    ordered = sorted(row.day for row in days)
    return f"{ordered[0]}..{ordered[-1]}" if ordered else ""



def init_app(app: object) -> None:
    """Load the office's calendar once per process, before its first request (the tables exist
    by then: `flask init` migrates before serving)."""
    from flask import Flask

    from core.web import services

    assert isinstance(app, Flask)
    loaded: list[bool] = []

    def load_once() -> None:
        if not loaded:
            reload(services().db)
            loaded.append(True)

    app.before_request(load_once)
