"""Form versions (approved snapshots of specs) and drafts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, JSONData, UTCDateTime


class FormVersion(Base):
    """One version of one form type; records point at it by (form_code, version).

    The whole spec is stored, so a record keeps rendering with the version it was filled
    against even after the file on disk has moved on.
    """

    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("form_code", "version"),)

    PENDING, APPROVED = "pending", "approved"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_code: Mapped[str] = mapped_column(String(8), index=True)
    version: Mapped[int] = mapped_column(Integer)
    spec: Mapped[dict[str, Any]] = mapped_column(JSONData)
    spec_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Draft(Base):
    """Half-filled input, exactly as typed; it has no code and only its author sees it."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONData)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CustomerClaim(Base):
    """A staff member's claim on a visiting customer (VR), by one of the customer's phone
    numbers (the customer's own, or a relative's who counts as the same customer). It lasts
    to ``valid_until``: a month after the last visit or follow-up (forms.rules.visit_register)."""

    __tablename__ = "customer_claims"
    __table_args__ = (UniqueConstraint("record_code", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_code: Mapped[str] = mapped_column(String(24), index=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    staff: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[date] = mapped_column(Date)
