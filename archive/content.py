"""What a record revision *says*, as one canonical JSON document, and its fingerprint.

The archival PDF/A embeds this document, and every printed copy carries the first characters
of its SHA-256 in the QR code: the fingerprint identifies the content a copy shows, so a paper
copy can be checked against the archive (``/verify/<code>``) although the PDF's own checksum
cannot be printed inside itself. Only archive data goes in (no spec titles or labels), so the
fingerprint can be recomputed from the database alone, whatever the spec files say later.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from archive.records import RecordView

#: Characters of the fingerprint printed in the QR code: 64 bits, plenty to tell copies apart.
SHORT_FINGERPRINT = 16
FORMAT = "dossier.record/1"


def content_document(record: RecordView) -> dict[str, Any]:
    return {
        "format": FORMAT, "code": record.code, "form": record.form_code,
        "form_version": record.form_version, "revision": record.revision, "state": record.state,
        "department": record.department_code, "submitted_by": record.submitted_by,
        "submitted_at": record.submitted_at.isoformat(), "data": record.data,
        "revisions": [{"number": r.number, "action": r.action, "state": r.state, "by": r.actor,
                       "at": r.at.isoformat(), "reason": r.reason} for r in record.revisions],
        # the privacy notice shown at submission; absent (not null) under none, so the
        # fingerprints of records made before notices are unchanged
        **({"notice": record.notice.as_json()} if record.notice else {}),
    }


def canonical_json(document: dict[str, Any]) -> bytes:
    """Sorted keys, no insignificant spaces, UTF-8 (Chinese kept readable): one byte string."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class CanonicalContent:
    """A revision's content, computed once: the canonical JSON bytes (what the archival copy
    attaches) and their SHA-256 (what the rendition row keeps and every copy's QR code carries)."""

    json: bytes
    fingerprint: str  # hexadecimal, 64 characters

    @property
    def short_fingerprint(self) -> str:
        """What a printed copy's QR code and footer carry."""
        return self.fingerprint[:SHORT_FINGERPRINT]


def canonical_content(record: RecordView) -> CanonicalContent:
    """``record``'s content document as canonical JSON and its fingerprint (``record`` is a view
    at one revision with its history: the fingerprint covers the history)."""
    if not record.revisions:
        raise ValueError(f"{record.code}: the fingerprint covers the history; read it with revisions")
    data = canonical_json(content_document(record))
    return CanonicalContent(data, hashlib.sha256(data).hexdigest())


def content_fingerprint(record: RecordView) -> str:
    """The fingerprint alone, for a caller that needs nothing else of the content (a handout, a
    check of a copy against the archive)."""
    return canonical_content(record).fingerprint
