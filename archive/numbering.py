"""Minting record codes: ``{category}-{year}-{seq:06d}``, gap-free, never reused.

The counter row for (category, year) is incremented with ``UPDATE … RETURNING`` inside the
submitting transaction, so it stays locked until that transaction commits: a rolled-back
submission gives its number back, and two submitters can never get the same one. The first
submission of a year inserts the row in a savepoint; if another transaction inserted it first,
the UNIQUE key makes ours fail and we take the UPDATE path instead.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive.models import CodeCounter


def format_code(category: str, year: int, seq: int) -> str:
    return f"{category}-{year}-{seq:06d}"


def code_year(submitted_at: datetime, zone: ZoneInfo) -> int:
    """The year a record is numbered in: the submission date in the office's time zone."""
    return submitted_at.astimezone(zone).year


def next_sequence(session: Session, category: str, year: int) -> int:
    bump = (
        update(CodeCounter)
        .where(CodeCounter.category == category, CodeCounter.year == year)
        .values(value=CodeCounter.value + 1)
        .returning(CodeCounter.value)
        .execution_options(synchronize_session=False)
    )
    value = session.execute(bump).scalar_one_or_none()
    if value is not None:
        return value
    try:
        with session.begin_nested():
            session.add(CodeCounter(category=category, year=year, value=1))
        return 1
    except IntegrityError:
        return session.execute(bump).scalar_one()
