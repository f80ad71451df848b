"""The kept counts behind the weekly complaint statistics (issue 16).

Database triggers (migration 0013) keep ``complaint_counts`` in the transaction of every write
to ``records``: per week in the office's zone, department and value of each breakdown, how many
complaints were registered and how many are late for good (answered after the deadline, or
marked by the tick), and how many have a deadline still running by the UTC day it falls due.
What only the clock makes overdue (a running deadline, now passed) changes without any write:
those due before today are summed from the kept rows, and today's few are counted when asked
from a partial index of the running deadlines (``ix_records_deadline_running``). A page then
reads a few hundred rows whatever the archive's size, instead of decoding every complaint of
the period, and whether or not the deadline tick ever runs.

SQLite has no time zones, so the triggers look a complaint's week up in ``complaint_weeks``,
filled here for the zone the instance runs in. :func:`ensure_counted` fills it and rebuilds the
counts from the records when it is empty or was filled for another zone (``flask init`` does it
up front; otherwise the first reader pays once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Text,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session

from archive.models import RUNNING, Record
from core.auth.roles import Actor
from core.db import Database
from forms.models import ComplaintCount, ComplaintWeek

FORM = "CP"
#: The breakdowns counted, each a field of the complaint form (the migration names the same).
DIMENSIONS = ("level", "cause_class", "responsible_department", "channel")
TOTAL = "*"
#: The breakdown of complaints whose deadline still runs, by the UTC day it falls due.
DUE = "due"
UNSET = "—"
#: The weeks ``complaint_weeks`` covers (a submission outside them is never shown).
FIRST_YEAR, LAST_YEAR = 1900, 2200


@dataclass(frozen=True)
class Counted:
    """The kept counts of some weeks, summed over the departments asked for."""

    totals: dict[date, tuple[int, int]]  # week → (registered, late for good)
    values: dict[date, dict[str, dict[str, int]]]  # week → dimension → value → registered
    overdue_before: dict[date, int]  # week → complaints with a running deadline due before ``today``


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def starts_at(week: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``week`` (a Monday) in ``zone``, in UTC."""
    return datetime.combine(week, time.min, tzinfo=zone).astimezone(UTC)


def ensure_counted(db: Database, zone: ZoneInfo) -> None:
    """Make ``complaint_weeks`` hold ``zone``'s weeks and the counts agree with them; cheap (one
    row read) when they already do."""
    with db.reading() as session:
        if session.scalar(select(ComplaintWeek.zone).limit(1)) == zone.key:
            return
    with db.transaction() as session:
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            # no record may change while its week is looked up in a table being refilled
            session.execute(text("LOCK TABLE records IN SHARE MODE"))
        if session.scalar(select(ComplaintWeek.zone).limit(1)) != zone.key:
            rebuild(session, zone)


def rebuild(session: Session, zone: ZoneInfo) -> None:
    """Fill the weeks for ``zone`` and count every complaint again (in the caller's transaction)."""
    session.execute(delete(ComplaintWeek))
    monday = week_start(date(FIRST_YEAR, 1, 1))
    rows = []
    while monday.year <= LAST_YEAR:
        rows.append({"starts_at": starts_at(monday, zone), "week": monday, "zone": zone.key})
        monday += timedelta(weeks=1)
    session.execute(insert(ComplaintWeek), rows)
    session.execute(delete(ComplaintCount))
    week = _week_of(Record.submitted_at)
    late = case((and_(Record.due_at.is_not(None), (Record.overdue_at.is_not(None))
                      | (Record.deadline_met_at > Record.due_at)), 1), else_=0)
    for dimension in (TOTAL, *DIMENSIONS, DUE):
        rows_of = select(week.label("week"), func.coalesce(Record.department_id, 0).label("department_id"),
                         _value(dimension).label("value"), late.label("late")).where(
            Record.form_code == FORM, RUNNING if dimension == DUE else true()).subquery()
        session.execute(insert(ComplaintCount).from_select(
            ["week", "department_id", "dimension", "value", "records", "late"],
            select(rows_of.c.week, rows_of.c.department_id, literal(dimension), rows_of.c.value,
                   func.count(), func.sum(rows_of.c.late))
            .where(rows_of.c.week.is_not(None))
            .group_by(rows_of.c.week, rows_of.c.department_id, rows_of.c.value)))


def _value(dimension: str) -> ColumnElement[str]:
    """SQL: a complaint's value in ``dimension``, as the triggers write it."""
    if dimension == TOTAL:
        return literal("")
    if dimension == DUE:
        return func.substr(cast(Record.due_at, Text), 1, 10)
    return func.coalesce(func.nullif(cast(Record.data[dimension].as_string(), Text), ""), UNSET)


def counted(session: Session, first: date, last: date, today: date, scope: ColumnElement[bool]) -> Counted:
    """The kept counts of the weeks ``first`` … ``last`` (Mondays) within ``scope`` (a condition
    on ``ComplaintCount.department_id``); ``today`` is the UTC day of now."""
    rows = session.execute(
        select(ComplaintCount.week, ComplaintCount.dimension, ComplaintCount.value,
               func.sum(ComplaintCount.records), func.sum(ComplaintCount.late))
        .where(ComplaintCount.week >= first, ComplaintCount.week <= last, scope)
        .group_by(ComplaintCount.week, ComplaintCount.dimension, ComplaintCount.value)).all()
    found = Counted({}, {}, {})
    before = today.isoformat()
    for week, dimension, value, registered, late in rows:
        if not registered:
            continue  # every complaint that counted here has gone (corrected, destroyed)
        if dimension == TOTAL:
            found.totals[week] = (int(registered), int(late))
        elif dimension == DUE:
            if value < before:
                found.overdue_before[week] = found.overdue_before.get(week, 0) + int(registered)
        else:
            found.values.setdefault(week, {}).setdefault(dimension, {})[value] = int(registered)
    return found


def overdue_today(session: Session, since: datetime, now: datetime,
                  scope: ColumnElement[bool]) -> dict[date, int]:
    """Per week from ``since`` on, the complaints registered in it whose running deadline fell
    due today (UTC) before ``now``: what the kept counts cannot know (read from
    ``ix_records_deadline_running``, a day's deadlines at most)."""
    week = _week_of(Record.submitted_at)
    midnight = datetime.combine(now.astimezone(UTC).date(), time.min, tzinfo=UTC)
    rows = session.execute(
        select(week, func.count()).where(
            Record.form_code == FORM, RUNNING, Record.due_at >= midnight, Record.due_at < now,
            Record.submitted_at >= since, scope)
        .group_by(week)).all()
    return {found: count for found, count in rows}


def _week_of(moment: ColumnElement[datetime]) -> ColumnElement[date]:
    """SQL: the week ``moment`` falls in, as the triggers find it."""
    return (select(ComplaintWeek.week).where(ComplaintWeek.starts_at <= moment)
            .order_by(ComplaintWeek.starts_at.desc()).limit(1).scalar_subquery())


def departments_of(actor: Actor, column: ColumnElement[int | None]) -> ColumnElement[bool]:
    """The condition on a department column for what ``actor`` may see (as
    :func:`archive.records.visible_to`; a kept count's department 0 is a record with none)."""
    if actor.sees_all_departments:
        return true()
    return column == (actor.department_id if actor.department_id is not None else -1)
