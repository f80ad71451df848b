"""Checking a copy against the archive: by the fingerprint in its QR code, or by its bytes.

The QR check is public (a customer can scan a receipt), so it reveals nothing unless the copy
matches: "no match" is the same answer for an unknown code, an unknown revision and a wrong
fingerprint, and only a match shows the code's form, revision and dates. Every check is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select

from archive.content import SHORT_FINGERPRINT, canonical_content
from archive.models import Record, Rendition
from archive.records import record_at_revision
from core.audit import trail
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database
from core.numbers import whole_number

MATCH, SUPERSEDED, NO_MATCH = "match", "superseded", "no-match"
#: The file is the copy of a filed revision made before filing, replaced by its stamped copy.
UNSTAMPED = "unstamped"
FINGERPRINT = re.compile(rf"[0-9a-f]{{{SHORT_FINGERPRINT}}}")
CODE = re.compile(r"[A-Z]{2,8}-\d{4}-\d{6,}")
PUBLIC = "public:verify"


class BadVerificationLink(ValueError):
    """The link's parts are malformed; the message names which, in the reader's language (shown to
    whoever scanned it)."""


@dataclass(frozen=True)
class Verification:
    outcome: str
    code: str | None = None
    revision: int | None = None
    current_revision: int | None = None
    form_code: str | None = None
    submitted_at: datetime | None = None
    changed_at: datetime | None = None


def parse_link(code: str, revision: str | None, fingerprint: str | None) -> tuple[str, int, str]:
    """The three parts of a verification link, or :class:`BadVerificationLink` naming the bad one."""
    if not CODE.fullmatch(code):
        raise BadVerificationLink(_("%(code)s is not a record code such as CP-2026-000123.",
                                    code=repr(code[:40])))
    if whole_number(revision, 1, 1_000_000) is None:
        raise BadVerificationLink(_("The revision number (r=) is missing or not a number."))
    if not fingerprint or not FINGERPRINT.fullmatch(fingerprint):
        raise BadVerificationLink(_("The fingerprint (f=) must be %(n)d hexadecimal characters.",
                                    n=SHORT_FINGERPRINT))
    return code, int(revision), fingerprint


def verify_fingerprint(db: Database, clock: Clock, code: str, revision: int,
                       fingerprint: str) -> Verification:
    """Does revision ``revision`` of ``code`` show exactly the content the fingerprint names?
    Read and fingerprinted first; the check is then audited in a short transaction of its own."""
    with db.reading() as session:
        record = record_at_revision(session, code, revision)
        current = session.scalar(select(Record.revision).where(Record.code == code)) or revision
    matches = record is not None and hmac.compare_digest(
        canonical_content(record).short_fingerprint, fingerprint)
    if record is None or not matches:
        result = Verification(NO_MATCH)
    else:
        result = Verification(MATCH if current == revision else SUPERSEDED, code, revision, current,
                              record.form_code, record.submitted_at, record.revisions[-1].at)
    trail.append_alone(db, at=clock.now(), actor=None, actor_name=PUBLIC, action="record.verify",
                       object_type="record", object_id=code,
                       detail={"by": "fingerprint", "revision": revision, "outcome": result.outcome})
    return result


def verify_file(db: Database, clock: Clock, actor: Actor, data: bytes) -> Verification:
    """Is ``data`` byte for byte a stored archival rendition? (Signed-in users; audited after the
    lookup, in a short transaction of its own.) The unstamped copy a filed revision's stamped
    copy replaced (archive.filing_stamp) is recognised (:data:`UNSTAMPED`): it was the archive's
    copy of that revision until filing, and may have been downloaded then."""
    digest = hashlib.sha256(data).hexdigest()
    with db.reading() as session:
        row = session.execute(
            select(Record.code, Record.revision, Record.form_code, Record.submitted_at,
                   Rendition.revision, Rendition.created_at, Rendition.sha256 == digest)
            .join(Rendition, Rendition.record_id == Record.id)
            .where(or_(Rendition.sha256 == digest, Rendition.replaced_sha256 == digest))
        ).first()
    if row is None:
        result = Verification(NO_MATCH)
    else:
        code, current, form_code, submitted_at, revision, stored_at, stored_now = row
        outcome = UNSTAMPED if not stored_now else MATCH if current == revision else SUPERSEDED
        result = Verification(outcome, code, revision, current, form_code, submitted_at, stored_at)
    trail.append_alone(db, at=clock.now(), actor=actor, action="record.verify",
                       object_type="record", object_id=result.code or "",
                       detail={"by": "file", "sha256": digest, "outcome": result.outcome})
    return result
