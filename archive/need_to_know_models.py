"""Need-to-know (issue 21, migration 0028): the reasons organisation-wide readers stated, and
the reads each reason covered.

A reason is stated by one user for one signed-in session (``session_id``: a random id kept in
the Flask session, never the session cookie), and, when the setting asks per record, for one
record (``record_code``); a reason sent with an API request (``X-Dossier-Reason``) has no
session and names its record. Each read it covers is a row of :class:`NeedToKnowRead`, written
in the transaction that appends the read's audit event (whose detail carries the reason too),
so the auditor's report counts reads by date from an indexed table rather than scanning the
whole audit trail's JSON.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime


class NeedToKnowReason(Base):
    """One stated business need: who, for which session or record, why, when, through what."""

    __tablename__ = "need_to_know_reasons"
    __table_args__ = (Index("ix_need_to_know_reasons_user_session", "user_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    session_id: Mapped[str | None] = mapped_column(String(64))
    #: The record it was stated for (per-record mode and the API); None: the whole session.
    record_code: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    stated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    via: Mapped[str] = mapped_column(String(16))  # "web" or "api"


class NeedToKnowRead(Base):
    """One read of a record under a stated reason (the report's unit)."""

    __tablename__ = "need_to_know_reads"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason_id: Mapped[int] = mapped_column(ForeignKey("need_to_know_reasons.id"), index=True)
    record_code: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))  # the audit event's action: record.read, …
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    audit_seq: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
