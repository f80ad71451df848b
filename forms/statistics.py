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
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from archive.models import Record
from archive.overdue import overdue_clause
from archive.records import visible_to
from core.audit import trail
from core.auth.models import Department
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database
from forms.versions import current_spec

FORM = "CP"
#: The breakdowns shown, each a field of the complaint form.
DIMENSIONS = ("level", "cause_class", "responsible_department", "channel")
MAX_WEEKS = 104
UNSET = "—"


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


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def complaint_stats(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, *, weeks: int,
                    locale: str) -> ComplaintStats:
    """The last ``weeks`` weeks, this one included, of the complaints ``actor`` may see."""
    weeks = min(max(weeks, 1), MAX_WEEKS)
    first = week_start(clock.now().astimezone(zone).date()) - timedelta(weeks=weeks - 1)
    since = datetime.combine(first, time.min, tzinfo=zone)
    spec = current_spec(db, FORM)
    with db.transaction() as session:
        rows = session.execute(select(Record.data, Record.submitted_at, overdue_clause(clock.now())).where(
            Record.form_code == FORM, Record.submitted_at >= since, visible_to(actor))).all()
        departments = {d.code: d.name(locale) for d in session.scalars(select(Department))}
        trail.append(session, at=clock.now(), actor=actor, action="stats.complaints",
                     object_type="stats", object_id=FORM, detail={"weeks": weeks, "records": len(rows)})
    by_week = {first + timedelta(weeks=n): Week(first + timedelta(weeks=n)) for n in range(weeks)}
    for data, submitted_at, overdue in rows:
        week = by_week[week_start(submitted_at.astimezone(zone).date())]
        week.total += 1
        week.overdue += bool(overdue)
        for dimension in DIMENSIONS:
            week.by[dimension][str(data.get(dimension) or UNSET)] += 1

    def label(dimension: str, value: str) -> str:
        if dimension == "responsible_department":
            return departments.get(value, value)
        spec_field = spec.field(dimension)
        return spec_field.choice_label(value, locale) if spec_field and value != UNSET else value

    totals = {}
    for dimension in DIMENSIONS:
        counted: Counter[str] = sum((w.by[dimension] for w in by_week.values()), Counter())
        ordered = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
        totals[dimension] = [(value, label(dimension, value), count) for value, count in ordered]
    labels = {}
    for dimension in DIMENSIONS:
        spec_field = spec.field(dimension)
        labels[dimension] = spec_field.label.get(locale, dimension) if spec_field else dimension
    weeks_list = list(by_week.values())
    return ComplaintStats(weeks_list, totals, labels, sum(w.total for w in weeks_list),
                          sum(w.overdue for w in weeks_list))


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
