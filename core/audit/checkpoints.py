"""Checkpoints: the audit chain's head written outside the database, one JSON line at a time.

Each line of ``audit-checkpoints.jsonl`` in the instance folder records the head (seq, hash)
at a time, with why it was written (``periodic``, ``key created``, a destruction, a transfer,
``by hand``). ``audit verify`` checks that the event at each line's seq still has that hash and
that the chain reaches the newest line's seq, so whoever holds the database cannot delete the
tail, or restore an older copy, unseen. Each line carries the previous line's MAC and its own
(HMAC-SHA256 with the audit key; a plain SHA-256 before the instance has a key), so the file
cannot be edited unseen either. Lines are appended under an exclusive ``flock`` with
``O_APPEND`` and ``fsync``: never rewritten, never lost to a crash after the append returns.

A destruction or a transfer calls :func:`enqueue_checkpoint` inside its own transaction; the
outbox worker appends the line after commit (topic ``audit.checkpoint``, taken by the worker
``serve`` starts for every topic but indexing and rendering, so it never waits behind a PDF).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from core.audit.keys import AuditKey, sync_folder
from core.outbox import queue

CHECKPOINT_FILE = "audit-checkpoints.jsonl"
TOPIC = "audit.checkpoint"
REASON_MAX_LENGTH = 200
#: How much of the file's end is read to find the last line (a line is a few hundred bytes).
_TAIL_BYTES = 8192
_FIELDS = ("seq", "hash", "at", "reason", "keyed", "prev")


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: datetime
    reason: str
    keyed: bool
    line: int = 0  # its line number in the file (1-based), 0 before it is written
    mac: str = ""


@dataclass(frozen=True)
class FileProblem:
    """A line of the checkpoints file that is not what was written."""

    line: int
    reason: str  # in English; ``kind`` for the message in the user's language
    kind: str


def enqueue_checkpoint(session: Session, *, at: datetime, reason: str) -> None:
    """Have the worker append a checkpoint after the caller's transaction commits (a
    destruction, a transfer): called inside that transaction, so the checkpoint is due exactly
    when the change is committed, and covers it (the head it records is read after commit)."""
    reason = " ".join(reason.split())[:REASON_MAX_LENGTH] or "checkpoint"
    queue.enqueue(session, topic=TOPIC, subject=reason[:64], at=at, payload={"reason": reason})


def mac_of(fields: dict[str, object], key: AuditKey | None) -> str:
    """The MAC of a line's fields (all but ``mac``) over their canonical JSON."""
    data = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return key.mac(data) if key is not None else hashlib.sha256(data).hexdigest()


def append(path: Path, key: AuditKey | None, *, seq: int, digest: str, at: datetime,
           reason: str) -> Checkpoint:
    """Append one line (seq, head hash, time, reason) chained to the file's last line.

    The exclusive lock covers reading the last line and appending, so two workers appending at
    once still form one chain; the write is one ``write`` of the whole line on an ``O_APPEND``
    descriptor, then ``fsync`` (and the folder's, when the file was just created)."""
    reason = " ".join(reason.split())[:REASON_MAX_LENGTH] or "checkpoint"
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        prev = _last_mac(path)
        fields = {"seq": seq, "hash": digest, "at": at.isoformat(), "reason": reason,
                  "keyed": key is not None, "prev": prev}
        mac = mac_of(fields, key)
        line = json.dumps({**fields, "mac": mac}, ensure_ascii=False, separators=(",", ":"))
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)  # releases the lock
    if created:
        sync_folder(path.parent)
    return Checkpoint(seq, digest, at, reason, key is not None, 0, mac)


def _last_mac(path: Path) -> str:
    """The MAC of the file's last line ('' for an empty file)."""
    with path.open("rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        fh.seek(max(0, size - _TAIL_BYTES))
        lines = fh.read().splitlines()
    if not lines:
        return ""
    try:
        return str(json.loads(lines[-1])["mac"])
    except (ValueError, KeyError, TypeError):
        return hashlib.sha256(lines[-1]).hexdigest()  # a damaged last line: verify names it


def read(path: Path, key: AuditKey | None) -> tuple[list[Checkpoint], FileProblem | None]:
    """Every line of the file, checked; the lines before the first problem and the problem.

    A line must be the JSON written, carry the previous line's MAC, and its own MAC must match
    (with the key for a keyed line). With a key, once a keyed line appears every later line
    must be keyed, and there must be one (``flask init`` writes one when it creates the key): an
    emptied or replaced file is noticed. No file at all is no problem here (a second app server
    of a shared database keeps none; the caller says so)."""
    read_so_far: list[Checkpoint] = []
    prev = ""
    for number, raw in _lines(path):
        checkpoint, problem = _parse(number, raw, prev, key, read_so_far)
        if problem is not None:
            return read_so_far, problem
        assert checkpoint is not None
        read_so_far.append(checkpoint)
        prev = checkpoint.mac
    if key is not None and path.exists() and not any(c.keyed for c in read_so_far):
        return read_so_far, FileProblem(len(read_so_far), "no keyed checkpoint: the file was emptied "
                                        "or replaced since the key was created", "missing")
    return read_so_far, None


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    if not path.exists():
        return
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            yield number, raw.rstrip(b"\n")


def _parse(number: int, raw: bytes, prev: str, key: AuditKey | None,
           before: list[Checkpoint]) -> tuple[Checkpoint | None, FileProblem | None]:
    try:
        data = json.loads(raw)
        fields = {name: data[name] for name in _FIELDS}
        checkpoint = Checkpoint(int(data["seq"]), str(data["hash"]), datetime.fromisoformat(data["at"]),
                                str(data["reason"]), data["keyed"] is True, number, str(data["mac"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None, FileProblem(number, "not a checkpoint line", "garbled")
    if fields["prev"] != prev:
        return None, FileProblem(number, "it does not follow the line before it (a line was "
                                 "removed, inserted or edited)", "order")
    if checkpoint.keyed and key is None:
        return None, FileProblem(number, "it is keyed and this instance has no audit key", "nokey")
    if not checkpoint.keyed and key is not None and any(c.keyed for c in before):
        return None, FileProblem(number, "an unkeyed line after keyed ones", "unkeyed")
    if mac_of(fields, key if checkpoint.keyed else None) != checkpoint.mac:
        return None, FileProblem(number, "its content does not match its MAC (the line was edited)",
                                 "edited")
    return checkpoint, None
