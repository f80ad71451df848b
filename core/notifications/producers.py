"""Producers that only core knows about, and the recipients' lists producers share: admins
told of an outbox task that keeps failing (a periodic job, so the worker never has to know
about notifications) and of a failed fixity check (called by the archive's job)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth.models import User
from core.notifications.service import TOPIC, notify
from core.outbox.jobs import Outcome
from core.outbox.models import OutboxItem
from core.web import services

#: Instance setting: attempts after which a failing outbox task is told to admins.
FAILURES_SETTING = "NOTIFY_OUTBOX_FAILURES"
DEFAULT_FAILURES = 5


def active_admins(session: Session, *, but: int | None = None) -> list[int]:
    return [uid for uid in session.scalars(select(User.id).where(
        User.role == "admin", User.active.is_(True))) if uid != but]


def tell_admins(session: Session, *, event: str, code: str | None, at: datetime, key: str,
                but: int | None = None) -> list[int]:
    """Notify every active admin (except ``but``, e.g. the proposer of a list)."""
    return notify(session, event=event, recipients=active_admins(session, but=but),
                  record_code=code, at=at, key=key)


def failing_outbox() -> Outcome:
    """Periodic job: each outbox row failing ``NOTIFY_OUTBOX_FAILURES`` times or more is told
    to admins once (its own e-mails excepted: a mail server that is down would only add mail
    that cannot leave)."""
    threshold = int(current_app.config.get(FAILURES_SETTING, DEFAULT_FAILURES))
    s = services()
    told = 0
    with s.db.transaction() as session:
        rows = session.execute(select(OutboxItem.id, OutboxItem.topic).where(
            OutboxItem.done_at.is_(None), OutboxItem.attempts >= threshold,
            OutboxItem.topic != TOPIC)).all()
        for row in rows:
            told += bool(tell_admins(session, event="outbox.failing", code=f"{row.topic}#{row.id}",
                                     at=s.clock.now(), key=f"outbox.failing|{row.id}"))
    return Outcome(True, f"{len(rows)} task(s) failing {threshold}+ times, {told} newly told")
