"""Producing notifications inside the producer's transaction, and reading them for a page.

:func:`notify` is the one function producers call: it inserts one row per recipient (skipped
when its key exists: idempotent per event, record, recipient and occurrence) and, for those
who want this event by e-mail one at a time, an outbox row of topic ``notify.email`` that
commits with it (sent after commit, retried, never lost)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.auth.models import User
from core.db import Database
from core.notifications.events import EVENTS
from core.notifications.models import Notification, NotificationPrefs
from core.outbox.models import OutboxItem
from core.outbox.queue import enqueue

TOPIC = "notify.email"


def notify(session: Session, *, event: str, recipients: list[int], record_code: str | None,
           at: datetime, key: str, form_id: str | None = None) -> list[int]:
    """Tell ``recipients`` about ``event``; returns the ids of the notifications added."""
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    added = []
    for recipient in sorted(set(recipients)):
        row_key = f"{key}|{recipient}"[:200]
        if session.scalar(select(Notification.id).where(Notification.key == row_key)) is not None:
            continue
        note = Notification(recipient_id=recipient, event=event, record_code=record_code,
                            form_id=form_id, key=row_key, created_at=at)
        session.add(note)
        session.flush()
        added.append(note.id)
        if _mails_now(session, recipient, event):
            enqueue(session, topic=TOPIC, subject=str(note.id), at=at)
    return added


def _mails_now(session: Session, user_id: int, event: str) -> bool:
    prefs = session.get(NotificationPrefs, user_id)
    return bool(prefs and prefs.email and not prefs.digest and event in (prefs.email_events or []))


def unread_count(session: Session, user_id: int) -> int:
    """One indexed count (ix_notifications_recipient_read) for the header."""
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == user_id, Notification.read_at.is_(None))) or 0


def listing(session: Session, user_id: int, limit: int = 100) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.recipient_id == user_id)
                                .order_by(Notification.id.desc()).limit(limit)))


def mark_read(session: Session, user_id: int, note_id: int | None, at: datetime) -> int:
    """Mark one (or, with None, all) of the user's own notifications read; returns how many.
    Another user's notification matches nothing (the page answers 404)."""
    query = update(Notification).where(Notification.recipient_id == user_id,
                                       Notification.read_at.is_(None))
    if note_id is not None:
        query = query.where(Notification.id == note_id)
    return session.execute(query.values(read_at=at)).rowcount or 0


def read_on_opening(db: Database, user_id: int, record_code: str, at: datetime) -> int:
    """Mark the user's unread notifications about ``record_code`` read as they open its page:
    following a notice to its record is reading it (the walk's badge stayed until "mark read"
    was pressed on the list). Asked in a read first, so the page view that finds nothing unread,
    nearly every one, takes no write."""
    unread = (Notification.recipient_id == user_id, Notification.record_code == record_code,
              Notification.read_at.is_(None))
    with db.reading() as session:
        if session.scalar(select(func.count()).select_from(Notification).where(*unread)) == 0:
            return 0
    with db.transaction() as session:
        return session.execute(update(Notification).where(*unread).values(read_at=at)).rowcount or 0


def refusals(session: Session, limit: int = 50) -> list[tuple[Notification, str, str | None]]:
    """E-mails a server refused for good (5xx), newest first, with the staff member's username
    and the address refused: for admins, who correct the address (never retried on its own)."""
    rows = session.execute(
        select(Notification, User.username, NotificationPrefs.email)
        .join(User, User.id == Notification.recipient_id)
        .outerjoin(NotificationPrefs, NotificationPrefs.user_id == Notification.recipient_id)
        .where(Notification.email_error.is_not(None)).order_by(Notification.id.desc()).limit(limit))
    return [(row[0], row[1], row[2]) for row in rows]


def waiting_mail(session: Session) -> tuple[int, str | None]:
    """E-mails tried and not yet sent (the server down, its TLS certificate not verified, the
    login refused), and the newest error: for admins, since these are retried rather than
    refused, and the failing-outbox notice leaves its own e-mails out (they could not leave)."""
    waiting = (OutboxItem.topic == TOPIC, OutboxItem.done_at.is_(None), OutboxItem.attempts > 0)
    count = session.scalar(select(func.count()).select_from(OutboxItem).where(*waiting)) or 0
    last = session.scalar(select(OutboxItem.last_error).where(*waiting)
                          .order_by(OutboxItem.id.desc()).limit(1)) if count else None
    return count, last
