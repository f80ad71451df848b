"""Appending to and verifying the audit trail.

Callers of :func:`append` append inside the transaction that does the audited work, so the event
and the work commit or vanish together. A *read* changes nothing to commit with its event: it
reads in ``db.reading()`` and then records itself with :func:`append_alone`, so the chain head
(locked from :func:`append` until commit, and on SQLite the one writer lock) is held for the
append alone, not for the read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from core.audit.models import GENESIS_HASH, AuditEvent, AuditHead
from core.auth.roles import Actor
from core.db import Database

SYSTEM_ACTOR = "system"

_HEAD = AuditHead.__table__
#: Built once and reused: these run inside every audited write, with the head row locked.
_TAKE_HEAD = (update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq + 1)
              .returning(_HEAD.c.seq, _HEAD.c.hash))
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(hash=bindparam("new_hash"))
_INSERT_EVENT = insert(AuditEvent.__table__)


def event_hash(
    *, seq: int, at: datetime, actor_id: int | None, actor_name: str, action: str,
    object_type: str, object_id: str, detail: dict[str, Any], prev_hash: str,
) -> str:
    """SHA-256 over a canonical JSON of every stored field, chained to the previous hash."""
    payload = {
        "seq": seq, "at": at.isoformat(), "actor_id": actor_id, "actor_name": actor_name,
        "action": action, "object_type": object_type, "object_id": object_id,
        "detail": detail, "prev": prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(
    session: Session, *, at: datetime, actor: Actor | None, action: str,
    object_type: str = "", object_id: str = "", detail: dict[str, Any] | None = None,
    actor_name: str | None = None,
) -> int:
    """Append one event and return its sequence number.

    Locks the chain head until the caller's transaction ends. Plain INSERT/UPDATE statements,
    no ORM unit of work: this runs inside every audited write while the head is locked.
    """
    detail = dict(detail or {})
    if actor is not None and actor.token_id is not None:
        detail.setdefault("token", actor.token_id)
    connection = session.connection()
    seq, prev_hash = connection.execute(_TAKE_HEAD).one()
    fields: dict[str, Any] = {
        "seq": seq, "at": at, "actor_id": actor.user_id if actor else None,
        "actor_name": actor.username if actor else (actor_name or SYSTEM_ACTOR),
        "action": action, "object_type": object_type, "object_id": object_id, "detail": detail,
    }
    digest = event_hash(**fields, prev_hash=prev_hash)
    connection.execute(_INSERT_EVENT, {**fields, "prev_hash": prev_hash, "hash": digest})
    connection.execute(_MOVE_HEAD, {"new_hash": digest})
    return seq


def append_alone(
    db: Database, *, at: datetime, actor: Actor | None, action: str,
    object_type: str = "", object_id: str = "", detail: dict[str, Any] | None = None,
    actor_name: str | None = None,
) -> int:
    """Append one event in its own short write transaction that does nothing else; its sequence.

    For audited reads (issue 16): read in ``db.reading()``, then call this before handing out
    what was read. Inside a write transaction a read would hold the chain head (and on SQLite
    the database's one writer lock) for as long as it reads, queueing every page of every
    worker behind it; here the lock lasts three short statements. If the append fails, the
    caller's exception propagates and nothing read is shown, so no read goes unrecorded.
    """
    with db.transaction() as session:
        return append(session, at=at, actor=actor, action=action, object_type=object_type,
                      object_id=object_id, detail=detail, actor_name=actor_name)


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    event_id: int
    reason: str


def verify(session: Session) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order; return how many events were checked and the first break."""
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    for event in _events_in_order(session):
        problem = _check_event(event, prev_hash, expected_seq)
        if problem:
            return checked, ChainBreak(event.seq, event.id, problem)
        prev_hash, expected_seq, checked = event.hash, event.seq + 1, checked + 1
    head = session.get(AuditHead, 1)
    if head is None or head.seq != expected_seq - 1 or head.hash != prev_hash:
        return checked, ChainBreak(expected_seq, 0, "the chain head does not match the last event "
                                   "(events were deleted from the end)")
    return checked, None


def _check_event(event: AuditEvent, prev_hash: str, expected_seq: int) -> str | None:
    if event.seq != expected_seq:
        return f"sequence jumps from {expected_seq - 1} to {event.seq} (events were deleted)"
    if event.prev_hash != prev_hash:
        return "its previous-hash does not match the event before it"
    recomputed = event_hash(
        seq=event.seq, at=event.at, actor_id=event.actor_id, actor_name=event.actor_name,
        action=event.action, object_type=event.object_type, object_id=event.object_id,
        detail=event.detail, prev_hash=event.prev_hash,
    )
    if recomputed != event.hash:
        return "its content does not match its hash (the row was edited)"
    return None


def _events_in_order(session: Session) -> Iterator[AuditEvent]:
    yield from session.scalars(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=2000)
    )
