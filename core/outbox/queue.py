"""Writing, claiming and settling outbox rows.

Each function owns one short transaction except :func:`enqueue`, which runs inside the caller's
business transaction (that is the point: the work exists exactly when the change is committed).
Claims take a lease instead of holding a lock while the handler runs, so a slow PDF never holds
a database lock, and a worker killed mid-task only delays its row until the lease runs out.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, case, delete, func, insert, or_, select, update
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


def claim(db: Database, clock: Clock, worker: str, *, topics: Collection[str] | None = None,
          skip_topics: Collection[str] = (), lease: timedelta = DEFAULT_LEASE) -> Task | None:
    """The oldest due row (of ``topics`` if given, never of ``skip_topics``), leased to
    ``worker``; None when nothing is due.

    ``FOR UPDATE SKIP LOCKED`` lets PostgreSQL workers pass each other; on SQLite the claim is
    one short write transaction behind the writers' queue.
    """
    due = _due(clock.now())
    if topics is not None:
        due = due.where(OutboxItem.topic.in_(sorted(topics)))
    if skip_topics:
        due = due.where(OutboxItem.topic.not_in(sorted(skip_topics)))
    claimed = _lease(db, clock, worker, due.limit(1), lease)
    return claimed[0] if claimed else None


def claim_batch(db: Database, clock: Clock, worker: str, topics: Collection[str], limit: int, *,
                lease: timedelta = DEFAULT_LEASE) -> list[Task]:
    """Up to ``limit`` due rows of ``topics``, oldest first, leased to ``worker`` together in one
    transaction: a batch handler (indexing) settles many rows with one commit of its own, where
    one row at a time pays a claim, a commit and a settle per row. Rows another worker holds
    are skipped (``SKIP LOCKED``), so two workers' batches never share a row."""
    if limit < 1 or not topics:
        return []
    return _lease(db, clock, worker, _due(clock.now()).where(
        OutboxItem.topic.in_(sorted(topics))).limit(limit), lease)


def _due(now: datetime) -> Select[tuple[int]]:
    return (select(OutboxItem.id).where(
        OutboxItem.done_at.is_(None), OutboxItem.available_at <= now,
        or_(OutboxItem.claimed_until.is_(None), OutboxItem.claimed_until < now))
        .order_by(OutboxItem.id))


def _lease(db: Database, clock: Clock, worker: str, due: Select[tuple[int]],
           lease: timedelta) -> list[Task]:
    """Lease the rows ``due`` selects (locked, others' locked rows skipped) in one transaction.

    A read looks first: an idle worker polls several times a second, and on SQLite every write
    transaction, even one that changes nothing, takes the one writer's turn from submissions."""
    now = clock.now()
    with db.reading() as session:
        if session.scalar(due.limit(1)) is None:
            return []
    with db.transaction() as session:
        ids = list(session.scalars(due.with_for_update(skip_locked=True)))
        if not ids:
            return []
        rows = session.execute(
            update(OutboxItem).where(OutboxItem.id.in_(ids))
            .values(claimed_by=worker[:64], claimed_until=now + lease, attempts=OutboxItem.attempts + 1)
            .returning(OutboxItem.id, OutboxItem.topic, OutboxItem.subject, OutboxItem.payload,
                       OutboxItem.attempts)
            .execution_options(synchronize_session=False)).all()
    return sorted((Task(row.id, row.topic, row.subject, row.payload or {}, row.attempts)
                   for row in rows), key=lambda task: task.id)


def complete(db: Database, clock: Clock, task: Task) -> None:
    complete_many(db, clock, [task])


def complete_many(db: Database, clock: Clock, tasks: Sequence[Task]) -> None:
    """Mark these tasks done in one transaction (a batch handler's rows)."""
    with db.transaction() as session:
        session.execute(update(OutboxItem).where(OutboxItem.id.in_([task.id for task in tasks]))
                        .values(done_at=clock.now(), claimed_by=None, claimed_until=None,
                                last_error=None)
                        .execution_options(synchronize_session=False))


def fail(db: Database, clock: Clock, task: Task, error: str) -> datetime:
    """Record the failure and when the row is due again; returns that time."""
    return fail_many(db, clock, [task], error)[task.id]


def fail_many(db: Database, clock: Clock, tasks: Sequence[Task], error: str) -> dict[int, datetime]:
    """Record one failure on each task (a batch that failed as a whole), each due again after
    its own back-off (a row failing for the fifth time waits longer than a first-timer in the
    same batch); returns when, by task id."""
    now = clock.now()
    retry_at = {task.id: now + backoff(task.attempt) for task in tasks}
    by_time: dict[datetime, list[int]] = {}
    for task_id, at in retry_at.items():
        by_time.setdefault(at, []).append(task_id)
    with db.transaction() as session:
        for at, ids in by_time.items():
            session.execute(update(OutboxItem).where(OutboxItem.id.in_(ids)).values(
                last_error=error[:ERROR_MAX_LENGTH], claimed_by=None, claimed_until=None,
                available_at=at).execution_options(synchronize_session=False))
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
