"""What the pages say about a visit registration filed as a conflict (forms.rules.visit_register).

The note on the conflicting record names whose claim it ran into and until when, from the
record's own flags, so the reader learns it without opening the other record. The other
record's code is a link only for a reader who may open it (their department's record, or one an
access grant opens to them): a link that answers 403 tells nothing and reads as a fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from archive.grants import active_grant
from archive.models import Record
from archive.records import may_see
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database


@dataclass(frozen=True)
class ConflictNote:
    code: str  # the registration holding the claim
    holder: str  # its staff member's username (pages show the display name)
    until: str | None  # the claim's last day, ISO (None on registrations flagged before it was kept)
    may_open: bool  # whether the reader may open ``code``


def conflict_note(db: Database, clock: Clock, actor: Actor, flags: dict[str, Any]) -> ConflictNote | None:
    """The note for a record with ``flags``, as ``actor`` may read it; None when no conflict.

    Whether the earlier record may be opened is asked of its department and of the reader's
    grants, without reading it (nothing of it is shown, so nothing is audited)."""
    code = flags.get("conflict_with")
    if not code:
        return None
    with db.reading() as session:
        earlier = session.scalar(select(Record).where(Record.code == code))
        may_open = earlier is not None and (
            may_see(actor, earlier) or active_grant(session, actor, code, clock.now()) is not None)
    return ConflictNote(code=str(code), holder=str(flags.get("claimed_by", "")),
                        until=flags.get("claimed_until"), may_open=may_open)
