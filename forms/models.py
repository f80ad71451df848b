"""Form versions (approved snapshots of specs), drafts, customer claims, and the kept counts of
complaints for the weekly statistics."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
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


class ComplaintWeek(Base):
    """Where each week begins (Monday 00:00 in the office's zone, as a UTC instant), 1900–2200,
    for one zone. SQLite knows no time zones, so the triggers that keep :class:`ComplaintCount`
    (migration 0013) find a complaint's week here: the last start at or before its submission.
    Filled, and the counts rebuilt, by ``forms.complaint_counts.ensure_counted`` for the zone
    the instance runs in; empty, the triggers count nothing and the first reader builds both."""

    __tablename__ = "complaint_weeks"

    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    week: Mapped[date] = mapped_column(Date)
    zone: Mapped[str] = mapped_column(String(64))


class ComplaintCount(Base):
    """How many complaints (CP) were registered in one week by one department with one value of
    one breakdown (``dimension`` ``*``: all of them), and how many of those are late for good (met
    after their deadline, or marked by the tick); ``dimension`` ``due``: how many have a
    deadline still running, by the UTC day (``value``) it falls due. Kept by database triggers
    on ``records`` (migration 0013) in the transaction of every write, so the weekly statistics
    read a few hundred rows instead of every complaint. ``department_id`` 0: a record with none."""

    __tablename__ = "complaint_counts"

    #: Key in reading order: a page's weeks summed per value over departments, from the key alone.
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text, primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    records: Mapped[int] = mapped_column(Integer)
    late: Mapped[int] = mapped_column(Integer)
