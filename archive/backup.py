"""``archive backup`` / ``archive restore``: a consistent copy of an SQLite instance and its files.

The database is copied with SQLite's online backup API (``sqlite3.Connection.backup``) in one
step: it reads one snapshot while writers carry on (WAL), so the copy is a single moment of
the database however busy the server is. The stored files are copied *after* it from the file
store (``FILE_STORE``: the instance folder or S3) into ``renditions/<key>``, and only the ones the
copied ``renditions`` rows name: a file is stored before its row is committed and never changed,
so every row in the copy has its file stored already, and files rendered after the snapshot stay
out (they would be *extra* in ``archive verify``). A file missing by then was disposed of
meanwhile; the backup refuses and says to run it again. A restore puts each file back under
the key its row names.

The search index is not backed up: ``flask --app wsgi search rebuild`` rebuilds it from the
database. Neither are ``config.toml`` and ``secret_key`` (deployment settings, kept with the
server's configuration), nor the audit trail's ``audit.key`` and checkpoints file: they are what
makes the trail's copy in the backup checkable, so they are kept apart from it (docs/archival.md),
and a restore of a keyed trail refuses until they are in the instance folder. PostgreSQL has its
own tools; docs/backup.md gives the procedure, and :func:`backup_instance` says so instead of
pretending.

A restore replaces the whole database (users, settings, trail) by the backup's, so it goes only
into an instance without archive content; the schema is then upgraded if the backup is older.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect

from archive.files import FileStore
from archive.portability import (
    ManifestWriter,
    PortabilityError,
    check_manifest,
    copy_out,
    file_keys,
    occupied,
    put_back,
    refuse_non_empty,
)
from core import db_schema
from core.audit import trail
from core.audit.anchor import check_restore_key
from core.audit.keys import AuditKeyError, keyring_of
from core.auth.roles import Actor, PermissionDenied
from core.clock import Clock
from core.db import Database

DATABASE_FILE = "dossier.sqlite3"
POSTGRES_PROCEDURE = (
    "archive backup copies SQLite databases only; this instance runs on PostgreSQL. Back it up "
    "with pg_dump --format=custom plus a copy of the instance's file store (its renditions folder "
    "or the S3 objects under S3_PREFIX), and restore "
    "with pg_restore, as docs/backup.md describes.")


@dataclass(frozen=True)
class BackupResult:
    out: Path
    database_bytes: int
    files: int
    manifest_sha256: str


def backup_instance(db: Database, clock: Clock, store: FileStore, out: Path, *,
                    actor: Actor | None = None,
                    progress: Callable[[int], None] = lambda _n: None) -> BackupResult:
    """Copy the database and its rendition files into ``out`` (new or empty); audited."""
    _refuse(db, actor)
    refuse_non_empty(out)
    out.mkdir(parents=True, exist_ok=True)
    writer = ManifestWriter(out)
    raw = db.engine.raw_connection()
    try:
        with sqlite3.connect(out / DATABASE_FILE) as copy:
            raw.driver_connection.backup(copy)  # type: ignore[union-attr]
            rows = copy.execute("SELECT path, sha256 FROM renditions ORDER BY path").fetchall()
            rows += copy.execute(ATTACHED_FILES).fetchall()
        copy.close()
    finally:
        raw.close()
    writer.add_file(DATABASE_FILE)
    for path, sha256 in rows:
        _copy_file(store, writer, path, sha256)
        progress(1)
    manifest_sha256 = writer.finish({"kind": "backup", "made_at": clock.now().isoformat(),
                                     "made_by": actor.username if actor else "console"})
    with db.transaction() as session:
        trail.append(session, at=clock.now(), actor=actor, actor_name="console", action="archive.backup",
                     object_type="archive", object_id=str(out)[:64],
                     detail={"out": str(out), "files": len(rows), "manifest_sha256": manifest_sha256})
    return BackupResult(out, writer.entries[0]["size"], len(rows), manifest_sha256)


#: The records' attachments (issue 19): originals by their rows' SHA-256, thumbnails by the digest
#: their content key carries ("sha256/ab/cd/<digest>": from the 14th character), each key once.
ATTACHED_FILES = ("SELECT key, sha256 FROM attachments UNION SELECT thumbnail_key, substr(thumbnail_key, 14) "
                  "FROM attachments WHERE thumbnail_key IS NOT NULL ORDER BY 1")


def _refuse(db: Database, actor: Actor | None) -> None:
    if actor is not None and not actor.is_admin:
        raise PermissionDenied("only admins may back up or restore the instance")
    if db.dialect != "sqlite":
        raise PortabilityError(POSTGRES_PROCEDURE)


def _copy_file(store: FileStore, writer: ManifestWriter, path: str, sha256: str) -> None:
    if not store.exists(path):
        raise PortabilityError(f"{path}: gone since the database was copied (disposed of meanwhile?); "
                               "run the backup again into a new folder")
    if copy_out(store, writer, path) != sha256:
        raise PortabilityError(f"{path}: does not match its checksum; run `archive verify` first")


def restore_instance(db: Database, clock: Clock, store: FileStore, folder: Path, *,
                     actor: Actor | None = None,
                     progress: Callable[[int], None] = lambda _n: None) -> int:
    """Check the backup's manifest, then restore it over this empty instance; returns files restored."""
    _refuse(db, actor)
    manifest = check_manifest(folder, "backup", progress)
    reasons = _occupied(db, store)
    if reasons:
        raise PortabilityError(f"this instance is not empty ({', '.join(reasons)}): a restore replaces "
                               "the whole database, so it goes only into a new or wiped instance")
    files = file_keys(manifest)
    _check_audit_key(db, folder / DATABASE_FILE)
    with sqlite3.connect(folder / DATABASE_FILE) as source:
        raw = db.engine.raw_connection()
        try:
            source.backup(raw.driver_connection)  # type: ignore[arg-type]
        finally:
            raw.close()
    source.close()
    db.engine.dispose()  # no pooled connection keeps the empty schema's cached statements
    put_back(store, folder, files)
    db_schema.upgrade(db)
    with db.transaction() as session:
        trail.append(session, at=clock.now(), actor=actor, actor_name="console", action="archive.restore",
                     object_type="archive", object_id=str(folder)[:64],
                     detail={"from": str(folder), "files": len(files)})
    return len(files)


def _check_audit_key(db: Database, backup: Path) -> None:
    """The backup's trail must go on with the key it is keyed with (core/audit/anchor.py):
    refused before anything is replaced, saying which key files to put in place."""
    with sqlite3.connect(f"{backup.resolve().as_uri()}?immutable=1", uri=True) as source:  # no -shm left
        try:
            row = source.execute("SELECT key_id FROM audit_head WHERE id = 1").fetchone()
        except sqlite3.OperationalError:  # a backup older than migration 0023
            row = None
    source.close()
    with db.reading() as session:
        keyring = keyring_of(session)
    try:
        check_restore_key(row[0] if row else None, keyring)
    except AuditKeyError as exc:
        raise PortabilityError(str(exc)) from exc


def _occupied(db: Database, store: FileStore) -> list[str]:
    if not inspect(db.engine).has_table("records"):  # a wiped instance: not even a schema yet
        return [] if store.is_empty() else [f"files in {store.describe()}"]
    with db.reading() as session:
        return occupied(session, store)
