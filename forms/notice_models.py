"""Registered privacy notice versions (migration 0027): what a record's notice id and version mean.

Like a form version, a notice version is one exact text: ``flask init`` registers each file of
``forms/notices/`` under its (id, version) with the hash of its text, and refuses a changed text
that kept its version (forms/privacy_notices.py), so a record's "v1" always reads the same words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, JSONData, UTCDateTime


class NoticeVersion(Base):
    """One version of one privacy notice: its title, purpose and text in Chinese and English."""

    __tablename__ = "privacy_notice_versions"
    __table_args__ = (UniqueConstraint("notice_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    #: {"title": {"zh", "en"}, "purpose": {"zh", "en"}, "text": {"zh", "en"}} as in the file.
    content: Mapped[dict[str, Any]] = mapped_column(JSONData)
    text_hash: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
