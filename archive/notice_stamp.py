"""The privacy notice a record was submitted under, as the record keeps it (migration 0027).

Plain data the archive carries without knowing notices: the forms package decides which notice
is in force (forms/privacy_notices.py) and hands this to :func:`archive.records.create_record`;
the record page, the API, the handout and the export read it back from the record's columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NoticeStamp:
    """Which notice (id, version) was shown to the customer and the purpose it stated."""

    notice_id: str
    version: int
    purpose: dict[str, str]  # {"zh": …, "en": …}, as the notice said it then

    def as_json(self) -> dict[str, Any]:
        return {"id": self.notice_id, "version": self.version, "purpose": dict(self.purpose)}

    def columns(self) -> dict[str, Any]:
        """The record's columns that keep it."""
        return {"notice_id": self.notice_id, "notice_version": self.version, "purpose": self.purpose}


def stamp_of(notice_id: str | None, version: int | None, purpose: Any) -> NoticeStamp | None:
    """The stamp a record's columns hold; None for a record under no notice (or imported)."""
    if not notice_id or version is None:
        return None
    return NoticeStamp(notice_id, int(version), dict(purpose) if isinstance(purpose, dict) else {})
