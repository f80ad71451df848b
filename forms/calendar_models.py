"""The office calendar as data (migration 0029; forms/office_calendar.py reads and changes it).

Rows here override the shipped defaults (forms/working_time.py: Monday-Friday 09:00-12:00 and
13:00-17:30, and the State Council's schedules in forms/calendar_data/): a weekday with any
``office_hours`` rows works those spans instead (a weekday set to none is a day off), and an
``office_calendar_days`` row makes its date a day off or a working day whatever the weekday.
"""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import Boolean, Date, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class OfficeHours(Base):
    """One working span of one weekday (0 = Monday); a weekday has up to a few spans."""

    __tablename__ = "office_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, index=True)
    begins: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)


class OfficeHoursSet(Base):
    """Weekdays whose hours the admin has set (so 'no spans' means a day off, not 'default')."""

    __tablename__ = "office_hours_set"

    weekday: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class OfficeCalendarDay(Base):
    """A dated exception: a public holiday (working false) or an adjusted working day (true)."""

    __tablename__ = "office_calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(80))
