"""One row per record gathered for a customer request (form PR): what the decider decided for
it and what the system did. It names records by code and holds no personal data of its own,
except the corrected values a correction decision carries until it is carried out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, JSONData, UTCDateTime


class RequestItem(Base):
    """A record of the requesting customer, as gathered, decided and carried out.

    ``include``: in the customer's copy (a see request). ``correction``: field → corrected
    value (a correct request). ``deletion``: ``delete`` (anonymise) or ``keep`` (under a duty:
    ``keep_reason`` and ``keep_until``, None while the record is open). ``outcome``: what the
    carrying out did (``anonymised``, ``kept``, ``corrected``, ``already anonymised``)."""

    __tablename__ = "customer_request_items"
    __table_args__ = (UniqueConstraint("request_code", "record_code"),)

    DELETE, KEEP = "delete", "keep"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_code: Mapped[str] = mapped_column(String(24), index=True)
    record_code: Mapped[str] = mapped_column(String(24), index=True)
    form_code: Mapped[str] = mapped_column(String(8))
    gathered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    include: Mapped[bool | None] = mapped_column(Boolean)
    correction: Mapped[dict[str, Any] | None] = mapped_column(JSONData)
    deletion: Mapped[str | None] = mapped_column(String(8))
    keep_reason: Mapped[str | None] = mapped_column(Text)
    keep_until: Mapped[date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(32))
