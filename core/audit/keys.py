"""The audit trail's key: a secret in the instance folder, never in the database.

A chain of plain SHA-256 links can be recomputed by anyone who can write the database: delete an
event, rehash what follows, move the head, and every link checks again. From the seq the key
file names (``keyed_from``) on, each link is an HMAC-SHA256 with this key instead, so rewriting
the chain needs the key too. Events before ``keyed_from`` (an instance older than the key) keep
their plain links; they are anchored by the first keyed event, whose HMAC covers their last
hash, and by the checkpoint written when the key was made (core/audit/checkpoints.py).

The file (``audit.key``, mode 0600, JSON: the key in hex, ``keyed_from``, when it was made) is
created by ``flask init`` (:func:`core.audit.anchor.ensure_key`), never logged, never exported,
never in a backup of the database: it is backed up separately (docs/archival.md). Every process
of the instance reads it through the :class:`Keyring` attached to the database's sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from core.db import Database

KEY_FILE = "audit.key"
#: Where a session finds its keyring (``Session.info``; set on every session by :func:`attach`).
KEYRING_INFO = "dossier_audit_keyring"
_KEY_ID_TEXT = b"dossier audit key id"


class AuditKeyError(Exception):
    """The key file cannot be used, or this process lacks the key the trail is keyed with."""


@dataclass(frozen=True)
class AuditKey:
    secret: bytes = field(repr=False)
    keyed_from: int  # the first seq whose link is keyed
    created_at: str

    @cached_property
    def key_id(self) -> str:
        """A fingerprint that names the key without revealing it (stored in ``audit_head``)."""
        return hmac.new(self.secret, _KEY_ID_TEXT, hashlib.sha256).hexdigest()[:16]

    def covers(self, seq: int) -> bool:
        return seq >= self.keyed_from

    def mac(self, data: bytes) -> str:
        return hmac.new(self.secret, data, hashlib.sha256).hexdigest()


def read_key(path: Path) -> AuditKey | None:
    """The key in ``path``; None if there is no such file. A file that is not a key is refused
    naming the file and what is wrong, never its content."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(raw)
        secret = bytes.fromhex(data["key"])
        keyed_from, created_at = data["keyed_from"], data["created_at"]
    except (ValueError, KeyError, TypeError) as exc:
        raise AuditKeyError(f"{path}: not an audit key file ({type(exc).__name__})") from None
    if len(secret) < 32 or isinstance(keyed_from, bool) or not isinstance(keyed_from, int) \
            or keyed_from < 1 or not isinstance(created_at, str):
        raise AuditKeyError(f"{path}: not an audit key file (a 32-byte key, keyed_from 1 or more)")
    return AuditKey(secret, keyed_from, created_at)


def write_new_key(path: Path, *, keyed_from: int, at: datetime) -> AuditKey:
    """Create the key file (mode 0600, refusing to replace one) and return its key."""
    key = AuditKey(secrets.token_bytes(32), keyed_from, at.isoformat())
    body = json.dumps({"key": key.secret.hex(), "keyed_from": keyed_from,
                       "created_at": key.created_at}) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, body.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    sync_folder(path.parent)
    return key


def sync_folder(folder: Path) -> None:
    """fsync a folder, so a file just created in it survives a crash."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Keyring:
    """One process's view of the instance's key file: read once, read again only when the
    database says the trail is keyed with a key this process does not hold (the file was just
    created by ``flask init`` in another process, or copied in)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: AuditKey | None = None
        self._loaded = False
        self._lock = threading.Lock()

    def key(self) -> AuditKey | None:
        if not self._loaded:
            self.reload()
        return self._key

    def reload(self) -> AuditKey | None:
        with self._lock:
            self._key, self._loaded = read_key(self.path), True
        return self._key

    def for_append(self, seq: int, stored_key_id: str | None) -> AuditKey | None:
        """The key to link event ``seq`` with (None: a plain link). ``stored_key_id`` is the
        database's record of the trail's key; without that key this refuses, so a server missing
        the key (or holding another instance's) fails loudly instead of breaking the chain."""
        key = self.matching(stored_key_id)
        return key if key is not None and key.covers(seq) else None

    def matching(self, stored_key_id: str | None) -> AuditKey | None:
        """This instance's key, which must be the one ``stored_key_id`` names when it names one
        (re-read once if not: ``flask init`` may have just made it, or it was just copied in)."""
        key = self.key()
        if stored_key_id is None or (key is not None and key.key_id == stored_key_id):
            return key
        key = self.reload()
        if key is None:
            raise AuditKeyError(
                f"the audit trail is keyed but {self.path} is missing: copy audit.key from the "
                "instance folder where `flask init` created it (docs/archival.md)")
        if key.key_id != stored_key_id:
            raise AuditKeyError(f"{self.path} is not the key this audit trail is keyed with "
                                "(it belongs to another instance)")
        return key


def attach(db: Database, path: Path) -> Keyring:
    """Give every session of ``db`` the keyring of the key file ``path``."""
    keyring = Keyring(path)
    info: dict[str, Any] = dict(db.sessions.kw.get("info") or {})
    info[KEYRING_INFO] = keyring
    db.sessions.configure(info=info)
    return keyring


def keyring_of(session: Session) -> Keyring | None:
    """The keyring :func:`attach` gave this session's database; None for a bare ``Database``."""
    found = session.info.get(KEYRING_INFO)
    return found if isinstance(found, Keyring) else None
