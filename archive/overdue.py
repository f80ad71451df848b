"""Whether a record is overdue, read from its deadline at the moment it is shown.

The forms layer keeps two facts on the record whenever its data or state changes
(``forms.deadlines.refreshed``): ``due_at``, the deadline, and ``deadline_met_at``, when the
record reached a state that meets it (None while it still runs). A record is overdue when the
deadline passed before it was met, or passed while it still runs. Reading it from these at read
time, rather than from a mark a periodic job sets, makes every page, list, statistic and API
answer right even when no job has run (no cron, a stopped worker); the deadline tick's mark
(``overdue_at``) only adds the audit event of the moment it was noticed. The boundary is in
time: met exactly at ``due_at`` is not late.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_

from archive.models import Record


def overdue_since(due_at: datetime | None, met_at: datetime | None, marked_at: datetime | None,
                  now: datetime) -> datetime | None:
    """Since when the record is (or was, if answered late) overdue; None if it is not."""
    if due_at is None:
        return None
    if marked_at is not None:  # the tick saw it late (a deadline moved later lifts the mark)
        return marked_at
    late = met_at > due_at if met_at is not None else now > due_at
    return due_at if late else None


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """The same rule as SQL, for lists and counts."""
    return and_(Record.due_at.is_not(None), or_(
        Record.overdue_at.is_not(None),
        and_(Record.deadline_met_at.is_(None), Record.due_at < now),
        Record.deadline_met_at > Record.due_at))
