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

from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive.models import CodeCounter


def format_code(category: str, year: int, seq: int) -> str:
    return f"{category}-{year}-{seq:06d}"


def code_year(submitted_at: datetime, zone: ZoneInfo) -> int:
    """The year a record is numbered in: the submission date in the office's time zone."""
    return submitted_at.astimezone(zone).year


_COUNTERS = CodeCounter.__table__
#: Built once: a statement object reused with bound values keeps its compiled form cached.
_BUMP = (
    update(_COUNTERS)
    .where(_COUNTERS.c.category == bindparam("b_category"), _COUNTERS.c.year == bindparam("b_year"))
    .values(value=_COUNTERS.c.value + 1)
    .returning(_COUNTERS.c.value)
)
_FIRST = insert(_COUNTERS)


def next_sequence(session: Session, category: str, year: int) -> int:
    connection = session.connection()
    key = {"b_category": category, "b_year": year}
    value = connection.execute(_BUMP, key).scalar_one_or_none()
    if value is not None:
        return value
    try:
        with connection.begin_nested():
            connection.execute(_FIRST, {"category": category, "year": year, "value": 1})
        return 1
    except IntegrityError:
        return connection.execute(_BUMP, key).scalar_one()
