"""The outbox table, and the periodic jobs' table (their leases and last runs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, JSONData, UTCDateTime


class OutboxItem(Base):
    """One piece of after-commit work: ``topic`` names the handler, ``subject`` what it is about."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "done_at", "available_at"),
        # A subject's pending rows (the record page's "being made"), migration 0014.
        Index("ix_outbox_topic_subject", "topic", "subject", "done_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONData)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    available_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ScheduledJob(Base):
    """One periodic job (core.outbox.jobs): who holds its lease until when, so that of several
    workers only one runs it, and how its last run went (``flask --app wsgi jobs``)."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    lease_holder: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_ok: Mapped[bool | None] = mapped_column(Boolean)
    last_result: Mapped[str | None] = mapped_column(Text)
