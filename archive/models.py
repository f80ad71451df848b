"""Numbered records, their append-only revisions, and the code counters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, JSONData, UTCDateTime


class CodeCounter(Base):
    """The last sequence number used for one (category, year); locked while minting."""

    __tablename__ = "code_counters"

    category: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class ArchivalCounter(Base):
    """The last item number (件号) used for one (fonds, category, year, retention, organisation)
    of the archival reference (档号, migration 0020); locked while minting at filing."""

    __tablename__ = "archival_counters"

    fonds: Mapped[str] = mapped_column(String(16), primary_key=True)
    category: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    retention: Mapped[str] = mapped_column(String(8), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


#: The partial indexes' conditions (migration 0013 creates the same).
RUNNING = text("deadline_met_at IS NULL AND overdue_at IS NULL AND due_at IS NOT NULL")
FILED = text("filed_at IS NOT NULL")


class Record(Base):
    """A submitted form. Its data is the latest revision's; history lives in the revisions.

    Records refer to their form version by (form_code, form_version) rather than a foreign key,
    so the archive does not depend on the forms package's tables.
    """

    __tablename__ = "records"
    #: The lists' orders (newest first) per scope, read from the index alone (migration 0012):
    #: a submitter's (department next, for a clerk's own records in their department), a
    #: department's, everyone's; the form and code year after them for the API's filters (both
    #: never change). They also serve the lookups by submitter, department and date.
    __table_args__ = (
        UniqueConstraint("form_code", "year", "seq"),
        Index("ix_records_submitter_newest", "submitted_by_id", "submitted_at", "id", "department_id",
              "form_code", "year"),
        Index("ix_records_department_newest", "department_id", "submitted_at", "id", "form_code", "year"),
        Index("ix_records_newest", "submitted_at", "id", "form_code", "year"),
        #: Records whose deadline still runs, by deadline (migration 0013): the weekly
        #: statistics count those falling due today from it (the kept counts hold the rest).
        Index("ix_records_deadline_running", "form_code", "due_at", "submitted_at", "department_id",
              sqlite_where=RUNNING, postgresql_where=RUNNING),
        #: The catalogue: filed records of a form and year in code order, the volume beside
        #: (migration 0013), so a page's ids are read from the index alone (filed_at last makes
        #: it covering, which is what SQLite's planner needs to prefer it without statistics).
        Index("ix_records_filed_in_order", "form_code", "year", "seq", "volume", "filed_at",
              sqlite_where=FILED, postgresql_where=FILED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    form_code: Mapped[str] = mapped_column(String(8))
    form_version: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revision: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSONData)
    #: The supervisor's countersignature (阅签), stamped by the workflow's countersign action.
    countersigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    countersigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The response deadline (forms.deadlines), when the record reached a state that meets it
    #: (None while it runs), and when the deadline tick found it passed. Whether a record is
    #: overdue is read from these at read time (archive.overdue), not from the tick's mark.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    deadline_met_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Since when the deadline is paused (the record waits in a state its spec says pauses it),
    #: None unless it is; ``due_at`` is None meanwhile. The hours spent paused before, on the
    #: deadline's own clock, lengthen the allowed time (forms.deadlines, migration 0031).
    deadline_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deadline_paused_hours: Mapped[float] = mapped_column(Float, default=0.0, server_default=text("0"))
    #: Findings of a form's rules about the record, e.g. {"conflict_with": "VR-2026-000001"}.
    flags: Mapped[dict[str, Any] | None] = mapped_column(JSONData)
    #: Filing (archive.filing): when the record was filed and at which revision, the volume
    #: (案卷) it went into, and its retention schedule, computed from its class at filing and
    #: recomputed when an admin edits the class (unless an archivist's review has decided it).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    filed_revision: Mapped[int | None] = mapped_column(Integer)
    volume: Mapped[str | None] = mapped_column(String(32))
    retention_class: Mapped[str | None] = mapped_column(String(32), index=True)
    #: The last day the record is kept (None: permanently, or not filed yet).
    retention_until: Mapped[date | None] = mapped_column(Date, index=True)
    #: What happens after that day: destroy, review or permanent (from the class, or a review).
    end_action: Mapped[str | None] = mapped_column(String(16))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When personal fields were anonymised (kept past the personal-data period).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Records brought in from a legacy register (``records import``, migration 0019): when,
    #: from which file, sheet and row; the people it names who are no user here, by column; the
    #: scan of the paper form (name, key, sha256, size, media type). NULL for every other record.
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    imported_from: Mapped[str | None] = mapped_column(String(255))
    legacy_people: Mapped[dict[str, Any] | None] = mapped_column(JSONData)
    legacy_scan: Mapped[dict[str, Any] | None] = mapped_column(JSONData)
    #: The archival reference (档号, archive/archival_codes.py) minted when the record is filed
    #: (migration 0020): unique, never changed once given; NULL until filed.
    archival_code: Mapped[str | None] = mapped_column(String(48), unique=True, index=True)
    #: The privacy notice in force when the record was submitted (forms/privacy_notices.py,
    #: migration 0027): its id, version and purpose {"zh", "en"}, kept as they were then; NULL
    #: when none applied (a form without a notice, a legacy import).
    notice_id: Mapped[str | None] = mapped_column(String(40))
    notice_version: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[dict[str, Any] | None] = mapped_column(JSONData)


#: Issue 16, migration 0015: the records office's lists read in their order from an index,
#: whatever the archive's size. A month of one form (the RS monthly filing: form, submission
#: time, department for the scope); the due lists (filed records by end of retention, last
#: day, code: only filed records are in it); the filing queue
#: (records not filed yet, by form and state, oldest first: filing takes records out of it).
UNFILED, ONLY_FILED = text("filed_at IS NULL"), text("filed_at IS NOT NULL")
Index("ix_records_form_month", Record.form_code, Record.submitted_at, Record.department_id)
Index("ix_records_due", Record.end_action, Record.retention_until, Record.code,
      sqlite_where=ONLY_FILED, postgresql_where=ONLY_FILED)
Index("ix_records_unfiled", Record.form_code, Record.state, Record.submitted_at, Record.id,
      sqlite_where=UNFILED, postgresql_where=UNFILED)
#: Issue 20, migration 0022: the 归档文件目录 of a year (archive.file_catalogue) from the index
#: alone: the records given a 档号, by code year (the 档号's 年度) and 档号, the id to fetch a page.
REFERENCED = text("archival_code IS NOT NULL")
Index("ix_records_year_archival", Record.year, Record.archival_code, Record.id,
      sqlite_where=REFERENCED, postgresql_where=REFERENCED)


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
    pages: Mapped[int | None] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The 档号 its filing stamp (归档章) prints; NULL for a copy rendered before filing
    #: (migration 0024, archive/filing_stamp.py: replaced once, from NULL to stamped).
    archival_code: Mapped[str | None] = mapped_column(String(48))
    #: The SHA-256 of the unstamped copy the stamped one replaced (still recognised by verify_file).
    replaced_sha256: Mapped[str | None] = mapped_column(String(64), index=True)


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


class LegalHold(Base):
    """A legal hold (冻结): while it is active, none of its records may be disposed of."""

    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    release_reason: Mapped[str | None] = mapped_column(Text)


class HeldRecord(Base):
    """One record under one hold, by code (the hold outlives nothing: held records stay)."""

    __tablename__ = "held_records"
    __table_args__ = (UniqueConstraint("hold_id", "record_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hold_id: Mapped[int] = mapped_column(ForeignKey("legal_holds.id"), index=True)
    record_code: Mapped[str] = mapped_column(String(24), index=True)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DisposalList(Base):
    """A destruction list: proposed by an archivist, approved (or rejected) by an admin, then
    executed; the approved list is filed as a permanent record (销毁清册, ``register_code``)."""

    __tablename__ = "disposal_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    note: Mapped[str] = mapped_column(Text)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)
    executed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    register_code: Mapped[str | None] = mapped_column(String(24))


class DisposalItem(Base):
    """A record on a destruction list and what became of it (None until executed)."""

    __tablename__ = "disposal_items"
    __table_args__ = (UniqueConstraint("list_id", "record_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("disposal_lists.id"), index=True)
    record_code: Mapped[str] = mapped_column(String(24), index=True)
    outcome: Mapped[str | None] = mapped_column(String(16))


class DisposalWitness(Base):
    """One of the two witnesses (监销人) named on an approved destruction list (migration
    0021): ``confirmed_at`` is set by the witness's own confirmation, signed in as themselves;
    the list is executed only once both have confirmed (archive/witnesses.py)."""

    __tablename__ = "disposal_witnesses"
    __table_args__ = (UniqueConstraint("list_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("disposal_lists.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    named_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    named_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Tombstone(Base):
    """What is left of a destroyed record: enough to prove it existed and was disposed of
    lawfully, and nothing personal (no title, no data)."""

    __tablename__ = "tombstones"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    form_code: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    retention_class: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retention_until: Mapped[date | None] = mapped_column(Date)
    destroyed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    disposal_list_id: Mapped[int] = mapped_column(ForeignKey("disposal_lists.id"))
    #: How many files were attached to the record (issue 19, migration 0017): destroyed with it;
    #: only the count is kept, never a name or a checksum.
    attachments: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    #: The destroyed record's 档号 (issue 20, migration 0021; NULL if it was destroyed before it
    #: had one): the reference the catalogue and the destruction register knew it by.
    archival_code: Mapped[str | None] = mapped_column(String(48))


class CatalogueVolume(Base):
    """How many filed records each volume (案卷) of a form and code year holds (``volume`` ''
    for none): the catalogue's volume picker and its page count. Kept by database triggers on
    ``records`` (migration 0013) in the transaction of every write that files, moves or
    deletes a record, so the catalogue never counts a year of records per request."""

    __tablename__ = "catalogue_volumes"

    form_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    volume: Mapped[str] = mapped_column(String(32), primary_key=True)
    records: Mapped[int] = mapped_column(Integer)
