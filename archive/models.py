"""Numbered records, their append-only revisions, and the code counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, JSONData, UTCDateTime


class CodeCounter(Base):
    """The last sequence number used for one (category, year); locked while minting."""

    __tablename__ = "code_counters"

    category: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Record(Base):
    """A submitted form. Its data is the latest revision's; history lives in the revisions.

    Records refer to their form version by (form_code, form_version) rather than a foreign key,
    so the archive does not depend on the forms package's tables.
    """

    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("form_code", "year", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    form_code: Mapped[str] = mapped_column(String(8))
    form_version: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSONData)
    #: The supervisor's countersignature (阅签), stamped by the workflow's countersign action.
    countersigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    countersigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The response deadline (forms.deadlines) and when ``workflow tick`` found it passed.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Findings of a form's rules about the record, e.g. {"conflict_with": "VR-2026-000001"}.
    flags: Mapped[dict[str, Any] | None] = mapped_column(JSONData)


class RecordRevision(Base):
    """One step in a record's life; never updated, never deleted while the record exists."""

    __tablename__ = "record_revisions"
    __table_args__ = (UniqueConstraint("record_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSONData)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)


class Rendition(Base):
    """A stored, write-once file rendering one revision of a record (the archival PDF/A).

    ``content_fingerprint`` is the SHA-256 of the record data the file shows (what a printed
    copy's QR code carries); ``sha256`` is the file's own checksum, for fixity checks.
    """

    __tablename__ = "renditions"
    __table_args__ = (UniqueConstraint("record_id", "revision", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    profile: Mapped[str] = mapped_column(String(16))
    content_fingerprint: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AccessGrant(Base):
    """Leave for one user to read one record outside their department, from an approved access
    request (AR), for a limited time. Reads under it are audited with the request's code."""

    __tablename__ = "access_grants"
    __table_args__ = (UniqueConstraint("request_code", "record_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grantee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    record_code: Mapped[str] = mapped_column(String(24), index=True)
    request_code: Mapped[str] = mapped_column(String(24))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime())
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RetentionClass(Base):
    """How long records of a class are kept, from what, and what happens at the end
    (archive.retention). Admins edit them; every change is in the audit trail."""

    __tablename__ = "retention_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    years: Mapped[int] = mapped_column(Integer)
    months: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(16))
    event_field: Mapped[str | None] = mapped_column(String(64))
    at_year_end: Mapped[bool] = mapped_column(Boolean)
    action: Mapped[str] = mapped_column(String(16))
    mandate: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
