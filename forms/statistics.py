"""Weekly complaint statistics: how many complaints, of which level, cause, department and
channel, how many went overdue (read from the deadline when asked: archive.overdue), week by
week (客诉每周分析).

Weeks run Monday to Sunday in the office's zone; a complaint counts in the week it was
registered. The user sees the statistics of the records they may see (a supervisor: their
department's), and looking at them is audited like a list of records. Labels come from the
current CP spec; a value no longer in it is shown as stored.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import Record
from core.audit import trail
from core.auth.models import Department
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database
from forms import complaint_counts
from forms.complaint_counts import DIMENSIONS, FORM, UNSET, departments_of, starts_at, week_start
from forms.models import ComplaintCount
from forms.spec.model import FormSpec
from forms.versions import current_spec

__all__ = ["DIMENSIONS", "MAX_WEEKS", "ComplaintStats", "Week", "as_csv", "complaint_stats", "week_start"]

MAX_WEEKS = 104


@dataclass
class Week:
    start: date
    total: int = 0
    overdue: int = 0
    by: dict[str, Counter[str]] = field(default_factory=lambda: {d: Counter() for d in DIMENSIONS})


@dataclass(frozen=True)
class ComplaintStats:
    weeks: list[Week]  # oldest first
    totals: dict[str, list[tuple[str, str, int]]]  # dimension → (value, label, count), largest first
    labels: dict[str, str]  # dimension → its field label
    total: int
    overdue: int

    @property
    def overdue_rate(self) -> float:
        return self.overdue / self.total if self.total else 0.0


def complaint_stats(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, *, weeks: int,
                    locale: str) -> ComplaintStats:
    """The last ``weeks`` weeks, this one included, of the complaints ``actor`` may see.

    Read from the kept counts (:mod:`forms.complaint_counts`) and the complaints whose deadline
    still runs, in ``db.reading()``; audited afterwards in a write transaction of its own, so
    a look at the statistics never holds the writer lock while it reads."""
    weeks = min(max(weeks, 1), MAX_WEEKS)
    now = clock.now()
    first = week_start(now.astimezone(zone).date()) - timedelta(weeks=weeks - 1)
    spec = current_spec(db, FORM)
    complaint_counts.ensure_counted(db, zone)
    with db.reading() as session:
        found = _weeks(session, [first + timedelta(weeks=n) for n in range(weeks)],
                       starts_at(first, zone), now, actor)
        departments = {d.code: d.name(locale) for d in session.scalars(select(Department))}
    total = sum(w.total for w in found)
    trail.append_alone(db, at=now, actor=actor, action="stats.complaints", object_type="stats",
                       object_id=FORM, detail={"weeks": weeks, "records": total})
    totals, labels = _breakdowns(found, spec, departments, locale)
    return ComplaintStats(found, totals, labels, total, sum(w.overdue for w in found))


def _breakdowns(weeks: list[Week], spec: FormSpec, departments: dict[str, str], locale: str) -> tuple[
        dict[str, list[tuple[str, str, int]]], dict[str, str]]:
    """Each breakdown's values over all ``weeks``, largest first, with their labels; the labels
    of the breakdowns. A value no longer in the spec is shown as stored."""

    def label(dimension: str, value: str) -> str:
        if dimension == "responsible_department":
            return departments.get(value, value)
        spec_field = spec.field(dimension)
        return spec_field.choice_label(value, locale) if spec_field and value != UNSET else value

    totals, labels = {}, {}
    for dimension in DIMENSIONS:
        counted: Counter[str] = sum((w.by[dimension] for w in weeks), Counter())
        ordered = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
        totals[dimension] = [(value, label(dimension, value), count) for value, count in ordered]
        spec_field = spec.field(dimension)
        labels[dimension] = spec_field.label.get(locale, dimension) if spec_field else dimension
    return totals, labels


def _weeks(session: Session, mondays: list[date], since: datetime, now: datetime, actor: Actor) -> list[Week]:
    """The weeks from the kept counts, with what the clock alone made overdue added."""
    counted = complaint_counts.counted(session, mondays[0], mondays[-1], now.astimezone(UTC).date(),
                                       departments_of(actor, ComplaintCount.department_id))
    today = complaint_counts.overdue_today(session, since, now, departments_of(actor, Record.department_id))
    found = []
    for monday in mondays:
        week = Week(monday)
        week.total, late = counted.totals.get(monday, (0, 0))
        week.overdue = late + counted.overdue_before.get(monday, 0) + today.get(monday, 0)
        for dimension, values in counted.values.get(monday, {}).items():
            week.by[dimension].update(values)
        found.append(week)
    return found


def as_csv(stats: ComplaintStats) -> str:
    """One row per week: totals, overdue, then a column per value of each breakdown."""
    columns = [(d, value, f"{stats.labels[d]}: {shown}")
               for d in DIMENSIONS for value, shown, _count in stats.totals[d]]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["week", "total", "overdue", *(header for _d, _v, header in columns)])
    for week in stats.weeks:
        writer.writerow([week.start.isoformat(), week.total, week.overdue,
                         *(week.by[d][value] for d, value, _h in columns)])
    return "\ufeff" + out.getvalue()  # the mark tells spreadsheet programs it is UTF-8
