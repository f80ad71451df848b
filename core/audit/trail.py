"""Appending to and verifying the audit trail.

Callers of :func:`append` append inside the transaction that does the audited work, so the event
and the work commit or vanish together. A *read* changes nothing to commit with its event: it
reads in ``db.reading()`` and then records itself with :func:`append_alone`, so the chain head
(locked from :func:`append` until commit, and on SQLite the one writer lock) is held for the
append alone, not for the read.

From the instance's audit key on (core/audit/keys.py) each link is an HMAC-SHA256 with that key
rather than a plain SHA-256, so whoever can write the database cannot recompute the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from core.audit.keys import AuditKey, AuditKeyError, keyring_of
from core.audit.models import GENESIS_HASH, AuditEvent, AuditHead
from core.auth.roles import Actor
from core.db import Database

SYSTEM_ACTOR = "system"

_HEAD = AuditHead.__table__
#: Built once and reused: these run inside every audited write, with the head row locked.
_TAKE_HEAD = (update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq + 1)
              .returning(_HEAD.c.seq, _HEAD.c.hash, _HEAD.c.key_id))
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(hash=bindparam("new_hash"))
_INSERT_EVENT = insert(AuditEvent.__table__)


def event_hash(
    *, seq: int, at: datetime, actor_id: int | None, actor_name: str, action: str,
    object_type: str, object_id: str, detail: dict[str, Any], prev_hash: str,
    key: AuditKey | None = None,
) -> str:
    """SHA-256 over a canonical JSON of every stored field, chained to the previous hash; with
    ``key``, HMAC-SHA256 with it over the same bytes (about the same cost)."""
    payload = {
        "seq": seq, "at": at.isoformat(), "actor_id": actor_id, "actor_name": actor_name,
        "action": action, "object_type": object_type, "object_id": object_id,
        "detail": detail, "prev": prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    data = canonical.encode("utf-8")
    return key.mac(data) if key is not None else hashlib.sha256(data).hexdigest()


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
    seq, prev_hash, key_id = connection.execute(_TAKE_HEAD).one()
    key = _key_for(session, seq, key_id)
    fields: dict[str, Any] = {
        "seq": seq, "at": at, "actor_id": actor.user_id if actor else None,
        "actor_name": actor.username if actor else (actor_name or SYSTEM_ACTOR),
        "action": action, "object_type": object_type, "object_id": object_id, "detail": detail,
    }
    digest = event_hash(**fields, prev_hash=prev_hash, key=key)
    connection.execute(_INSERT_EVENT, {**fields, "prev_hash": prev_hash, "hash": digest})
    connection.execute(_MOVE_HEAD, {"new_hash": digest})
    return seq


def _key_for(session: Session, seq: int, key_id: str | None) -> AuditKey | None:
    keyring = keyring_of(session)
    if keyring is not None:
        return keyring.for_append(seq, key_id)
    if key_id is not None:
        raise AuditKeyError("the audit trail is keyed, and this database was opened without the "
                            "instance's key (core.audit.keys.attach)")
    return None


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
class Anchor:
    """A head recorded outside the database: a checkpoint line, or one written down and given
    back to ``audit verify --expect``. The event at ``seq`` must have ``hash``, and the chain
    must reach ``seq``."""

    seq: int
    hash: str
    at: datetime | None
    source: str  # where it was recorded, in English: "checkpoint line 12"
    line: int = 0  # its line in the checkpoints file; 0: given by hand (``--expect``)


@dataclass(frozen=True)
class ChainBreak:
    """The first event that disagrees. ``kind`` says how (gap, link, edited, unkeyed,
    checkpoint, head, short), ``reason`` in English for logs and reports; ``anchor`` is the
    record outside the database it disagrees with, if any."""

    seq: int
    event_id: int
    reason: str
    kind: str = ""
    anchor: Anchor | None = None


class _SessionKey:
    """Default of :func:`verify`'s ``key``: the key of the session's keyring."""


SESSION_KEY = _SessionKey()


def verify(session: Session, *, key: AuditKey | _SessionKey | None = SESSION_KEY,
           anchors: Sequence[Anchor] = ()) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order; return how many events were checked and the first break.

    Each link is checked with the instance's key from its ``keyed_from`` on (``key`` None:
    every link as a plain hash), and against every anchor: the event at an anchor's seq must
    have its hash, and the chain must reach the newest anchor's seq."""
    if isinstance(key, _SessionKey):
        keyring = keyring_of(session)
        key = keyring.key() if keyring is not None else None
    by_seq: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        by_seq.setdefault(anchor.seq, []).append(anchor)
    prev_hash, expected_seq, checked, last_id = GENESIS_HASH, 1, 0, 0
    problem = _disagreeing(GENESIS_HASH, by_seq.get(0, ()), 0, 0)
    if problem:
        return 0, problem
    # The head first, then the events up to it: on PostgreSQL each statement reads its own
    # snapshot, so an event another server appends during the walk would otherwise make the
    # head read after it look ahead of the events walked (a false "deleted from the end").
    head = session.get(AuditHead, 1)
    for event in _events_in_order(session, None if head is None else head.seq):
        problem = _check_event(event, prev_hash, expected_seq, key) \
            or _disagreeing(event.hash, by_seq.get(event.seq, ()), event.seq, event.id)
        if problem:
            return checked, problem
        prev_hash, expected_seq, checked, last_id = event.hash, event.seq + 1, checked + 1, event.id
    if head is None or head.seq != expected_seq - 1 or head.hash != prev_hash:
        return checked, ChainBreak(expected_seq, 0, "the chain head does not match the last event "
                                   "(events were deleted from the end)", "head")
    return checked, _short(expected_seq - 1, last_id, anchors)


def _disagreeing(digest: str, anchors: Iterable[Anchor], seq: int, event_id: int) -> ChainBreak | None:
    for anchor in anchors:
        if anchor.hash != digest:
            return ChainBreak(seq, event_id, f"it is not the event the {anchor.source} recorded at "
                              f"this seq (hash {anchor.hash[:16]}…)", "checkpoint", anchor)
    return None


def _short(last_seq: int, last_id: int, anchors: Sequence[Anchor]) -> ChainBreak | None:
    """The chain ends before the newest anchor: its tail was cut, or an older database was
    restored (the checkpoints written since say how far it had come)."""
    newest = max(anchors, key=lambda anchor: anchor.seq, default=None)
    if newest is None or newest.seq <= last_seq:
        return None
    return ChainBreak(last_seq, last_id, f"the chain ends here but the {newest.source} recorded "
                      f"seq {newest.seq}: later events were removed, or an older database was "
                      "restored", "short", newest)


def _check_event(event: AuditEvent, prev_hash: str, expected_seq: int,
                 key: AuditKey | None) -> ChainBreak | None:
    if event.seq != expected_seq:
        return ChainBreak(event.seq, event.id, f"sequence jumps from {expected_seq - 1} to "
                          f"{event.seq} (events were deleted)", "gap")
    if event.prev_hash != prev_hash:
        return ChainBreak(event.seq, event.id, "its previous-hash does not match the event before it",
                          "link")
    keyed = key if key is not None and key.covers(event.seq) else None
    fields = {"seq": event.seq, "at": event.at, "actor_id": event.actor_id,
              "actor_name": event.actor_name, "action": event.action,
              "object_type": event.object_type, "object_id": event.object_id,
              "detail": event.detail, "prev_hash": event.prev_hash}
    if event_hash(**fields, key=keyed) == event.hash:
        return None
    if keyed is not None and event_hash(**fields) == event.hash:
        return ChainBreak(event.seq, event.id, "its link is a plain hash where the key was due "
                          "(the chain was recomputed without the key)", "unkeyed")
    return ChainBreak(event.seq, event.id, "its content does not match its hash (the row was "
                      "edited, or its link recomputed without the key)", "edited")


def _events_in_order(session: Session, up_to: int | None = None) -> Iterator[AuditEvent]:
    """Every event in chain order; with ``up_to``, those up to that seq."""
    query = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=2000)
    if up_to is not None:
        query = query.where(AuditEvent.seq <= up_to)
    yield from session.scalars(query)
