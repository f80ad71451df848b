"""Working time on the office's calendar (issue 22, part E): add hours that count only inside
working hours on working days, in the office's time zone.

A day is a working day when the calendar's dated rows say so (a holiday is off, an adjusted
working day (调休) is on even on a Sunday), otherwise when its weekday has working hours. The
default hours are 09:00-12:00 and 13:00-17:30 Monday to Friday (7.5 hours a day, a lunch break
off), the office's hours unless the admin changes them. The arithmetic is pure (no database):
callers hand it an ``OfficeCalendar``; ``default_calendar()`` is the shipped one (hours above and
the State Council's published schedules in forms/calendar_data/*.csv).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from forms.calendar_file import ScheduleDay, parse_schedule

OFFICE_ZONE = ZoneInfo("Asia/Shanghai")
DATA = Path(__file__).parent / "calendar_data"
Span = tuple[time, time]
WORKDAY: tuple[Span, ...] = ((time(9), time(12)), (time(13), time(17, 30)))
DEFAULT_HOURS: dict[int, tuple[Span, ...]] = {weekday: WORKDAY for weekday in range(5)}
#: A deadline further than this many days of scanning away is refused (a calendar with no
#: working time at all would otherwise never end).
MAX_DAYS = 3660


@dataclass(frozen=True)
class OfficeCalendar:
    """Working hours by weekday (0 = Monday) and dated exceptions (True: a working day)."""

    hours: dict[int, tuple[Span, ...]] = field(default_factory=lambda: dict(DEFAULT_HOURS))
    days: dict[date, bool] = field(default_factory=dict)
    zone: ZoneInfo = OFFICE_ZONE

    def spans(self, day: date) -> tuple[Span, ...]:
        """The working spans of ``day`` (none on a day off; a weekend adjusted working day
        works a weekday's usual hours, Monday's)."""
        working = self.days.get(day)
        if working is False:
            return ()
        own = self.hours.get(day.weekday(), ())
        return own or (self.hours.get(0, WORKDAY) if working else ())

    def add(self, start: datetime, hours: float) -> datetime:
        """The instant (UTC) when ``hours`` of working time have run from ``start``. Time
        before the first working moment does not count; the result is always inside (or at
        the end of) a working span."""
        remaining = timedelta(hours=hours)
        moment = start.astimezone(self.zone)
        for offset in range(MAX_DAYS):
            day = moment.date() + timedelta(days=offset)
            for begin, end in self.spans(day):
                span_start = datetime.combine(day, begin, self.zone)
                span_end = datetime.combine(day, end, self.zone)
                if span_end < moment or (span_end == moment and remaining):
                    continue  # a span already over (its very end still holds "no time more")
                origin = max(moment, span_start)
                if origin + remaining <= span_end:
                    return (origin + remaining).astimezone(UTC)
                remaining -= span_end - origin
        raise ValueError(f"no working time within {MAX_DAYS} days of {start.isoformat()}")

    def working_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time inside [start, end) (used to find a fraction of a deadline's time)."""
        total = timedelta()
        day = start.astimezone(self.zone).date()
        while day <= end.astimezone(self.zone).date():
            for begin, finish in self.spans(day):
                lo = max(start, datetime.combine(day, begin, self.zone))
                hi = min(end, datetime.combine(day, finish, self.zone))
                total += max(hi - lo, timedelta())
            day += timedelta(days=1)
        return total


@lru_cache(maxsize=1)
def shipped_rows() -> dict[date, ScheduleDay]:
    """Every published schedule in calendar_data (CSV, docs/calendar.md), by date, with its name
    (the admin page shows it). Read once per process: the files change only with a release."""
    rows: dict[date, ScheduleDay] = {}
    for path in sorted(DATA.glob("*.csv")):
        days, problems = parse_schedule(path.read_text(encoding="utf-8"))
        if problems:
            raise ValueError(f"{path.name}: {'; '.join(map(str, problems))}")
        rows.update({row.day: row for row in days})
    return rows


def shipped_days() -> dict[date, bool]:
    """Every published schedule's days: True for an adjusted working day, False for a holiday."""
    return {day: row.working for day, row in shipped_rows().items()}


@lru_cache(maxsize=1)
def default_calendar() -> OfficeCalendar:
    """The shipped calendar: default hours plus every published schedule in calendar_data."""
    return OfficeCalendar(days=shipped_days())


_installed: list[OfficeCalendar] = []
_sources: list[Callable[[], OfficeCalendar | None]] = []


def install(calendar: OfficeCalendar | None) -> None:
    """Make ``calendar`` the calendar of code running outside an application (forms.office_calendar
    installs every calendar it loads here too); None returns to the shipped default."""
    _installed[:] = [calendar] if calendar is not None else []


def set_source(source: Callable[[], OfficeCalendar | None] | None) -> None:
    """Where :func:`current` asks first: forms.office_calendar gives the running application's
    own calendar (each application, like each process, holds the one it loaded and notices a
    change made elsewhere: see forms.office_calendar.refresh). A source answering None (no
    application) leaves it to :func:`install`'s calendar. This module stays free of Flask."""
    _sources[:] = [source] if source is not None else []


def current() -> OfficeCalendar:
    """The calendar deadlines count on here: the application's, else the installed one, else the
    shipped default."""
    for source in _sources:
        found = source()
        if found is not None:
            return found
    return _installed[0] if _installed else default_calendar()
