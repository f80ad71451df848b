"""The year's transfers (年度移交) to the archives service centre, one row each (migration 0022).

A transfer is a package written outside the database (archive/transfer.py); the row says who
made it, when, for which year, how many items it carries and the SHA-256 of its manifest, so the
package handed over can later be matched against what the archive says it sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime


class Transfer(Base):
    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    fonds: Mapped[str] = mapped_column(String(16))
    transferred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The user who ran it; NULL for the operator at the console (``transferred_by`` "console").
    transferred_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    transferred_by: Mapped[str] = mapped_column(String(64))
    records: Mapped[int] = mapped_column(Integer)
    files: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    #: Where the package was written (the folder's absolute path on the machine that wrote it).
    location: Mapped[str] = mapped_column(Text)
