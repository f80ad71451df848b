"""The files attached to records (migration 0017): one row per file a record's revision added.

The record's data names its files (sha256, name, type, size) in every revision, so the data is
the truth and is fingerprinted; these rows say the same per file so that the record page, the
file route, ``archive verify``, export and disposal find a record's files with one indexed read
instead of scanning every revision's JSON. A row is written in the transaction that writes the
revision adding the file, after the file itself was put in the store (write-once, by content).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime


class Attachment(Base):
    """One file of one field of a record: added by revision ``revision``, and removed by
    ``removed_revision`` (None while the record's current data still holds it; a removed file
    stays readable, as the revision that held it does)."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("record_id", "field", "sha256", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: The file store's key of the bytes (content-addressed: the same for the same bytes).
    key: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    revision: Mapped[int] = mapped_column(Integer)
    removed_revision: Mapped[int | None] = mapped_column(Integer)
    #: A small image of it for the record page (an image's, or a PDF's first page), if one
    #: could be made; stored in the file store like the original.
    thumbnail_key: Mapped[str | None] = mapped_column(String(255))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
