"""Notifications (issue 22, part F): what a person was told, and how they want to be told.

A notification names an event and a record's code and form, never a person's name or phone:
the list and the e-mail subject carry no personal data, and opening the record is the usual
audited read. ``key`` is unique: producing the same event for the same recipient twice (a tick
that runs again, a retried transaction) adds nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, JSONData, UTCDateTime

#: The partial index's condition (migration 0032 writes the same).
REFUSED = "email_error IS NOT NULL"


class Notification(Base):
    """One event told to one person (migration 0030)."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The header's unread count, from the index alone (migration 0030).
        Index("ix_notifications_recipient_read", "recipient_id", "read_at"),
        # Migration 0032. The list, newest first, a page at a time: read in its order (by
        # read_at, the count's index gave each person's rows in no order, to be sorted whole).
        Index("ix_notifications_recipient_newest", "recipient_id", "id"),
        # The deadline tick's "already told" keys (every minute), from the index alone rather
        # than the whole table.
        Index("ix_notifications_event_key", "event", "key"),
        # The admins' list of e-mails refused for good: the few refused rows, not every row.
        Index("ix_notifications_refused", "id", sqlite_where=text(REFUSED),
              postgresql_where=text(REFUSED)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(40))
    record_code: Mapped[str | None] = mapped_column(String(64))
    form_id: Mapped[str | None] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_error: Mapped[str | None] = mapped_column(Text)


class NotificationPrefs(Base):
    """A person's address, language and choices (no row: no e-mail, the app's list only)."""

    __tablename__ = "notification_prefs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    email_events: Mapped[list[Any]] = mapped_column(JSONData)
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_hour_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_in_hour: Mapped[int] = mapped_column(Integer, default=0)
