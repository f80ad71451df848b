"""The audit trail anchored outside the database: the instance's key and checkpoints file.

:func:`ensure_key` creates the key (``flask init``), :func:`write_checkpoint` appends the head
to the checkpoints file (the outbox handler, the periodic job, ``audit checkpoint``), and
:func:`verify_anchored` is what ``audit verify`` runs. core/audit/wiring.py plugs them into the
app.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.audit import checkpoints, trail
from core.audit.checkpoints import CHECKPOINT_FILE, Checkpoint, FileProblem
from core.audit.keys import KEY_FILE, AuditKey, AuditKeyError, Keyring, read_key, write_new_key
from core.audit.models import AuditHead
from core.audit.trail import Anchor, ChainBreak
from core.clock import Clock
from core.db import Database
from core.ports import port


@dataclass(frozen=True)
class AuditAnchor:
    """The instance's key file (through its keyring) and checkpoints file."""

    keyring: Keyring
    checkpoint_file: Path


@dataclass(frozen=True)
class Verdict:
    """What ``audit verify`` found: events checked, the first event that disagrees, the
    checkpoints read and the first bad line of their file."""

    checked: int
    broken: ChainBreak | None
    checkpoints: list[Checkpoint]
    file_problem: FileProblem | None
    key: AuditKey | None
    stored_key_id: str | None

    @property
    def key_missing(self) -> bool:
        """The trail is keyed but this instance has no key, or another one."""
        return self.stored_key_id is not None and (self.key is None or self.key.key_id != self.stored_key_id)

    @property
    def ok(self) -> bool:
        return self.broken is None and self.file_problem is None and not self.key_missing


def audit_anchor() -> AuditAnchor:
    return port(AuditAnchor)


def write_checkpoint(db: Database, clock: Clock, anchor: AuditAnchor, reason: str) -> Checkpoint:
    """Append the head as it is committed now (seq, hash) with ``reason``."""
    with db.reading() as session:
        head = session.get(AuditHead, 1)
        assert head is not None, "audit_head has its row from migration 0001"
        seq, digest, stored = head.seq, head.hash, head.key_id
    key = anchor.keyring.matching(stored)  # a line keyed with another key would spoil the file
    return checkpoints.append(anchor.checkpoint_file, key, seq=seq, digest=digest, at=clock.now(),
                              reason=reason)


def ensure_key(db: Database, clock: Clock, anchor: AuditAnchor) -> bool:
    """Create the instance's audit key if it has none; True if created.

    The chain head is locked meanwhile, so no event is appended between reading the head and
    the key taking effect: the key covers every event after the head (``keyed_from``), and a
    checkpoint of that head, keyed, anchors the events before it; the first keyed event records
    the key's making (``audit.key.created``, its fingerprint). A database already keyed with
    a key this folder lacks is refused (a second server must get a copy, not a new key)."""
    path = anchor.keyring.path
    with db.transaction() as session:
        seq, digest, stored = session.execute(
            update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq)
            .returning(AuditHead.seq, AuditHead.hash, AuditHead.key_id)).one()
        existing = read_key(path)  # read under the head's lock: two inits at once make one key
        if existing is not None:
            if stored is None:
                session.execute(update(AuditHead).where(AuditHead.id == 1)
                                .values(key_id=existing.key_id))
            elif stored != existing.key_id:
                raise AuditKeyError(f"{path} is not the key this database's audit trail is "
                                           "keyed with: put back the instance's own audit.key")
            return False
        if stored is not None:
            raise AuditKeyError(f"this database's audit trail is keyed and {path} is missing: "
                                       "copy audit.key from the instance folder where it was created")
        key = write_new_key(path, keyed_from=seq + 1, at=clock.now())
        checkpoints.append(anchor.checkpoint_file, key, seq=seq, digest=digest, at=clock.now(),
                           reason="key created")
        session.execute(update(AuditHead).where(AuditHead.id == 1).values(key_id=key.key_id))
        anchor.keyring.reload()
        trail.append(session, at=clock.now(), actor=None, actor_name="console", action="audit.key.created",
                     object_type="audit", detail={"keyed_from": key.keyed_from, "key_id": key.key_id})
    return True


def verify_anchored(db: Database, anchor: AuditAnchor,
                    expected: tuple[Anchor, ...] = ()) -> Verdict:
    """The chain checked with the key and against every checkpoint (and heads written down,
    ``expected``). A checkpoints file with a bad line is reported, and its lines before that one
    are still used."""
    key = anchor.keyring.reload()
    with db.reading() as session:
        head = session.get(AuditHead, 1)
        stored = head.key_id if head is not None else None
        checked, broken, lines, problem = anchored_verify(session, anchor.checkpoint_file, key, expected)
    return Verdict(checked, broken, lines, problem, key, stored)


def anchored_verify(session: Session, checkpoint_file: Path, key: AuditKey | None,
                    expected: tuple[Anchor, ...] = ()
                    ) -> tuple[int, ChainBreak | None, list[Checkpoint], FileProblem | None]:
    """:func:`trail.verify` with the key and the checkpoints file's lines as anchors (for
    ``audit verify`` and ``archive verify``): events checked, the first break, the lines read
    and the file's first bad line."""
    lines, problem = checkpoints.read(checkpoint_file, key)
    anchors = tuple(Anchor(c.seq, c.hash, c.at, f"checkpoint line {c.line}", c.line)
                    for c in lines) + expected
    checked, broken = trail.verify(session, key=key, anchors=anchors)
    return checked, broken, lines, problem


def check_restore_key(backup_key_id: str | None, keyring: Keyring | None) -> None:
    """Refuse, before anything is replaced, a restore whose audit trail this instance could not
    carry on: the key does not travel with a backup (whoever holds both could rewrite the chain),
    so the old instance's ``audit.key`` and checkpoints file are put in place by hand first."""
    key = keyring.reload() if keyring is not None else None
    if backup_key_id is None:
        if key is not None:
            raise AuditKeyError(
                f"the backup's audit trail has no key, and this instance has one ({keyring.path}, "
                "made by flask init for the empty instance): move audit.key and "
                f"{CHECKPOINT_FILE} out of the instance folder, restore, then run flask init, "
                "which keys the restored trail from its head on")
        return
    if key is None or key.key_id != backup_key_id:
        where = keyring.path if keyring is not None else KEY_FILE
        raise AuditKeyError(
            f"the backup's audit trail is keyed with key {backup_key_id}, and {where} "
            f"{'is missing' if key is None else f'holds key {key.key_id}'}: put the old instance's "
            f"audit.key and {CHECKPOINT_FILE} (backed up apart from the database) in the instance "
            "folder first, replacing any flask init made here")
