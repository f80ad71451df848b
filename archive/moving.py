"""Moving an instance's stored files into another store (``archive move-files --from FOLDER``).

An office that outgrows one machine switches ``FILE_STORE`` from the instance folder to a bucket
(docs/scaling.md). Rows name their files by key, and a key means the same file in every store,
so moving is copying each file of the old folder under its own key into the configured store:
the database does not change. Copying, not moving: the old folder stays as it was until the
operator has run ``archive verify`` on the new store and removes it themselves.

Each copy is checked by reading it back from the target and comparing SHA-256 with the source's
(a store that answered "stored" is not yet proof that it holds those bytes). A key the target
already holds with the same SHA-256 is skipped, so an interrupted move is simply run again; a
key it holds with other bytes is a failure (stored files are never rewritten). Temporary files
of interrupted writes in the folder are not files and are not copied.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archive.files import FileMissing, FileStore, StoreUnavailable, WriteOnceViolation
from archive.folder_store import FolderStore
from core.audit import trail
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database

#: Failures listed in the audit event (the command prints them all).
AUDITED_FAILURES = 50


class MoveRefused(Exception):
    """The move cannot start (no such folder, or the folder is the configured store itself)."""


@dataclass
class MoveReport:
    copied: int = 0
    already: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (key, why)
    leftovers: int = 0  # temporary files in the folder, not copied

    @property
    def clean(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (f"{self.copied} copied, {self.already} already there, {len(self.failed)} failed"
                + (f"; {self.leftovers} temporary file(s) of interrupted writes left behind"
                   if self.leftovers else ""))


def source_folder(folder: Path, target: FileStore) -> FolderStore:
    """The folder store to move from, refused when it is not a folder or is ``target`` itself
    (copying a store onto itself would only read it)."""
    if isinstance(target, FolderStore) and target.root.resolve() == folder.resolve():
        raise MoveRefused(f"{folder} is the configured file store itself (FILE_STORE = "
                          f"{target.name!r}): set FILE_STORE and its settings to the new store first")
    if not folder.is_dir():
        raise MoveRefused(f"{folder} is not a folder")
    return FolderStore(folder)


def move_files(db: Database, clock: Clock, source: FolderStore, target: FileStore, *,
               actor: Actor | None = None, keys: Iterable[str] | None = None,
               progress: Callable[[int], None] = lambda n: None) -> MoveReport:
    """Copy every file of ``source`` (or ``keys`` of it) into ``target`` under its key, each
    read back and checked; audited as ``archive.files.moved``."""
    report = MoveReport(leftovers=sum(1 for _ in source.leftovers()))
    for key in source.keys() if keys is None else keys:
        try:
            if copy_one(source, target, key):
                report.copied += 1
            else:
                report.already += 1
        except (FileMissing, StoreUnavailable, WriteOnceViolation, OSError, ValueError) as exc:
            report.failed.append((key, str(exc) or type(exc).__name__))
        progress(1)
    with db.transaction() as session:
        trail.append(session, at=clock.now(), actor=actor, actor_name="console", action="archive.files.moved",
                     object_type="file_store", object_id=target.describe()[:64],
                     detail={"from": source.describe(), "to": target.describe(), "copied": report.copied,
                             "already": report.already, "failed": len(report.failed),
                             "failures": dict(report.failed[:AUDITED_FAILURES])})
    return report


def copy_one(source: FileStore, target: FileStore, key: str) -> bool:
    """Copy ``key``; False when the target already held the same bytes. Raises
    WriteOnceViolation when it holds others, ValueError when the copy reads back wrong."""
    data = source.get(key)
    digest = hashlib.sha256(data).hexdigest()
    if target.exists(key):
        if sha256_of(target, key) != digest:
            raise WriteOnceViolation(f"{target.describe()} already holds other bytes under this key")
        return False
    target.put_at(key, data)
    copied = sha256_of(target, key)
    if copied != digest:
        raise ValueError(f"the copy reads back with SHA-256 {copied}, not {digest}")
    return True


def sha256_of(store: FileStore, key: str) -> str:
    digest = hashlib.sha256()
    for block in store.chunks(key):
        digest.update(block)
    return digest.hexdigest()
