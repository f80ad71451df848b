"""Writing, claiming and settling outbox rows.

Each function owns one short transaction except :func:`enqueue`, which runs inside the caller's
business transaction (that is the point: the work exists exactly when the change is committed).
Claims take a lease instead of holding a lock while the handler runs, so a slow PDF never holds
a database lock, and a worker killed mid-task only delays its row until the lease runs out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from core.clock import Clock
from core.db import Database
from core.outbox.models import OutboxItem

#: First retry after this long, doubling per attempt up to :data:`MAX_BACKOFF`.
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
#: How long a claimed row stays invisible to other workers.
DEFAULT_LEASE = timedelta(minutes=5)
ERROR_MAX_LENGTH = 2000

_TABLE = OutboxItem.__table__
#: Built once: it runs inside every submission, while the counter row is locked.
_ENQUEUE = insert(_TABLE).values(
    topic=bindparam("topic"), subject=bindparam("subject"), payload=bindparam("payload"),
    created_at=bindparam("at"), available_at=bindparam("at"), attempts=0)


@dataclass(frozen=True)
class Task:
    """A claimed row, as the handler sees it."""

    id: int
    topic: str
    subject: str
    payload: dict[str, Any]
    attempt: int


@dataclass(frozen=True)
class PendingItem:
    id: int
    topic: str
    subject: str
    attempts: int
    available_at: datetime
    last_error: str | None


def enqueue(session: Session, *, topic: str, subject: str, at: datetime,
            payload: dict[str, Any] | None = None) -> None:
    """Record work to do after the caller's transaction commits."""
    session.connection().execute(
        _ENQUEUE, {"topic": topic, "subject": subject, "payload": payload or {}, "at": at})


def claim(db: Database, clock: Clock, worker: str, *, topics: frozenset[str] | None = None,
          lease: timedelta = DEFAULT_LEASE) -> Task | None:
    """The oldest due row, leased to ``worker``; None when nothing is due.

    ``FOR UPDATE SKIP LOCKED`` lets PostgreSQL workers pass each other; on SQLite the claim is
    one short write transaction behind the writers' queue.
    """
    now = clock.now()
    due = (select(OutboxItem.id).where(
        OutboxItem.done_at.is_(None), OutboxItem.available_at <= now,
        or_(OutboxItem.claimed_until.is_(None), OutboxItem.claimed_until < now))
        .order_by(OutboxItem.id).limit(1).with_for_update(skip_locked=True))
    if topics is not None:
        due = due.where(OutboxItem.topic.in_(sorted(topics)))
    with db.transaction() as session:
        item_id = session.scalar(due)
        if item_id is None:
            return None
        row = session.execute(
            update(OutboxItem).where(OutboxItem.id == item_id)
            .values(claimed_by=worker[:64], claimed_until=now + lease, attempts=OutboxItem.attempts + 1)
            .returning(OutboxItem.topic, OutboxItem.subject, OutboxItem.payload, OutboxItem.attempts)
        ).one()
    return Task(item_id, row.topic, row.subject, row.payload or {}, row.attempts)


def complete(db: Database, clock: Clock, task: Task) -> None:
    with db.transaction() as session:
        session.execute(update(OutboxItem).where(OutboxItem.id == task.id).values(
            done_at=clock.now(), claimed_by=None, claimed_until=None, last_error=None))


def fail(db: Database, clock: Clock, task: Task, error: str) -> datetime:
    """Record the failure and when the row is due again; returns that time."""
    retry_at = clock.now() + backoff(task.attempt)
    with db.transaction() as session:
        session.execute(update(OutboxItem).where(OutboxItem.id == task.id).values(
            last_error=error[:ERROR_MAX_LENGTH], claimed_by=None, claimed_until=None,
            available_at=retry_at))
    return retry_at


def backoff(attempt: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at an hour: never given up, never hammering."""
    return min(FIRST_BACKOFF * 2 ** max(attempt - 1, 0), MAX_BACKOFF)


def pending(db: Database, *, limit: int = 100) -> list[PendingItem]:
    """Rows not done yet, oldest first (for ``outbox status`` and the tests)."""
    with db.reading() as session:
        rows = session.scalars(select(OutboxItem).where(OutboxItem.done_at.is_(None))
                               .order_by(OutboxItem.id).limit(limit)).all()
        return [PendingItem(r.id, r.topic, r.subject, r.attempts, r.available_at, r.last_error)
                for r in rows]


def pending_for(db: Database, topic: str, subject: str) -> list[PendingItem]:
    """The not-yet-done rows of one topic about one subject (e.g. a record's pending render)."""
    with db.reading() as session:
        return pending_in(session, topic, subject)


#: Built once: every record page asks it (its archival copy "being made"), by
#: ix_outbox_topic_subject, reading only the columns it shows (not the payload).
_PENDING_FOR = (
    select(OutboxItem.id, OutboxItem.topic, OutboxItem.subject, OutboxItem.attempts,
           OutboxItem.available_at, OutboxItem.last_error)
    .where(OutboxItem.topic == bindparam("topic"), OutboxItem.subject == bindparam("subject"),
           OutboxItem.done_at.is_(None))
    .order_by(OutboxItem.id)
)


def pending_in(session: Session, topic: str, subject: str) -> list[PendingItem]:
    """:func:`pending_for` inside the caller's read (one transaction for a page's several reads)."""
    return [PendingItem(*row) for row in session.connection().execute(
        _PENDING_FOR, {"topic": topic, "subject": subject})]


def counts(db: Database) -> dict[str, dict[str, int]]:
    """Per topic: how many rows are waiting, failing (tried and not done) and done."""
    bucket = case((OutboxItem.done_at.is_not(None), "done"), (OutboxItem.attempts > 0, "failing"),
                  else_="waiting").label("bucket")
    result: dict[str, dict[str, int]] = {}
    with db.reading() as session:
        rows = session.execute(select(OutboxItem.topic, bucket, func.count())
                               .group_by(OutboxItem.topic, bucket))
        for topic, name, count in rows:
            result.setdefault(topic, {"waiting": 0, "failing": 0, "done": 0})[name] = count
    return result


def retry_now(db: Database, clock: Clock) -> int:
    """Make every failed row due immediately (after fixing the cause); returns how many."""
    with db.transaction() as session:
        result = session.execute(update(OutboxItem).where(
            OutboxItem.done_at.is_(None), OutboxItem.attempts > 0).values(available_at=clock.now()))
        return result.rowcount or 0


def prune(db: Database, clock: Clock, older_than: timedelta) -> int:
    """Delete rows done more than ``older_than`` ago; the audit trail keeps what matters."""
    with db.transaction() as session:
        result = session.execute(delete(OutboxItem).where(
            OutboxItem.done_at.is_not(None), OutboxItem.done_at < clock.now() - older_than))
        return result.rowcount or 0
