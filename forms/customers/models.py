"""The customer key table (migration 0025): one row per (record, key); digests only."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class CustomerKeyRow(Base):
    """A record's keyed digest of one phone, policy or order number (never the number)."""

    __tablename__ = "customer_keys"
    __table_args__ = (UniqueConstraint("record_id", "kind", "digest"),
                      Index("ix_customer_keys_digest", "digest"))

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    digest: Mapped[str] = mapped_column(String(64))
