"""``archive export``: the whole archive as plain files another instance (or a person) can read.

Layout of the folder::

    manifest.json                      every other file with its SHA-256 and size
    renditions/<key>                   the archival PDF/A files under the keys their rows name, and
                                       the records' attachments (originals and thumbnails)
    records/<FORM>/<YEAR>/<code>.json  the record row, all its revisions, its renditions' rows,
                                       its attachments' rows
    tables/<table>.json                tombstones, retention classes, legal holds and their
                                       records, disposal lists and their items, code counters,
                                       access grants, form versions (the specs records point at),
                                       visit claims,
                                       the users and departments referenced (no password hashes)
    audit/events.jsonl, audit/head.json   every audit event with its hashes, and the chain head

Everything is read in one read transaction, so the export is one consistent moment of the
archive; the ``archive.export`` event is appended after, in its own short write transaction,
naming the manifest's SHA-256 (holding SQLite's write lock for a whole export would stop every
submission meanwhile). Each rendition is checked against its row as it is copied: an export
never carries a damaged file silently.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from archive.attachment_models import Attachment
from archive.attachment_portability import export_objects
from archive.files import FileStore
from archive.models import (
    AccessGrant,
    ArchivalCounter,
    CodeCounter,
    DisposalItem,
    DisposalList,
    DisposalWitness,
    HeldRecord,
    LegalHold,
    Record,
    RecordRevision,
    Rendition,
    RetentionClass,
    Tombstone,
)
from archive.office import KEEPERS
from archive.portability import ManifestWriter, PortabilityError, copy_out, refuse_non_empty, row_to_json
from core.audit import trail
from core.audit.models import AuditEvent, AuditHead
from core.auth.models import Department, User
from core.auth.roles import Actor, PermissionDenied
from core.clock import Clock
from core.db import Base, Database

EXPORTERS = KEEPERS
#: Exported as they are, in this order (an import inserts them in the same order).
TABLES: tuple[Table, ...] = tuple(model.__table__ for model in (  # type: ignore[misc]
    RetentionClass, CodeCounter, ArchivalCounter, LegalHold, HeldRecord, DisposalList, DisposalItem,
    DisposalWitness, Tombstone, AccessGrant))
#: The forms package's table of specs, read by name: records point at (form_code, version)
#: without a foreign key, and the archive must not import the forms package.
FORM_VERSIONS = "form_versions"
#: The forms package's visit claims (a registration's hold on its customer for a month), read
#: by name like the specs: they name records by code, and a moved archive must keep them or a
#: second registration of a claimed customer would pass unnoticed. Drafts are not exported:
#: they are their authors' unfinished work, not records.
CUSTOMER_CLAIMS = "customer_claims"
#: The forms package's privacy notice versions (migration 0027), read by name like the specs:
#: records keep their notice's (id, version), whose words must come along to be read.
NOTICE_VERSIONS = "privacy_notice_versions"
#: What a user row loses on the way out.
PRIVATE_USER_COLUMNS = frozenset({"password_hash", "failed_logins", "locked_until"})
BATCH = 500


@dataclass(frozen=True)
class ExportResult:
    out: Path
    records: int
    files: int
    bytes: int
    audit_events: int
    manifest_sha256: str


def record_count(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Record)) or 0


def export_archive(db: Database, clock: Clock, store: FileStore, out: Path, *,
                   actor: Actor | None = None,
                   progress: Callable[[int], None] = lambda _n: None) -> ExportResult:
    """Write the archive into ``out`` (new or empty); ``progress`` is called once per record.

    ``actor`` None is the operator at the console; a user must be an admin or archivist.
    """
    if actor is not None and actor.role not in EXPORTERS:
        raise PermissionDenied("only admins and archivists may export the archive")
    refuse_non_empty(out)
    out.mkdir(parents=True, exist_ok=True)
    writer = ManifestWriter(out)
    with db.reading() as session:
        records, referenced = _export_records(session, store, writer, progress)
        _export_tables(session, writer, referenced)
        events, head = _export_audit(session, writer)
    meta = {"kind": "export", "exported_at": clock.now().isoformat(),
            "exported_by": actor.username if actor else "console", "records": records,
            "audit_head": head}
    manifest_sha256 = writer.finish(meta)
    with db.transaction() as session:
        trail.append(session, at=clock.now(), actor=actor, actor_name="console", action="archive.export",
                     object_type="archive", object_id=str(out)[:64],
                     detail={"out": str(out), "records": records, "files": len(writer.entries),
                             "manifest_sha256": manifest_sha256})
    return ExportResult(out, records, len(writer.entries), sum(e["size"] for e in writer.entries),
                        events, manifest_sha256)


def _export_records(session: Session, store: FileStore, writer: ManifestWriter,
                    progress: Callable[[int], None]) -> tuple[int, dict[str, set[Any]]]:
    """Each record's JSON and files; returns how many, and the users and departments they name."""
    referenced: dict[str, set[Any]] = {"users": set(), "departments": set()}
    count, copied = 0, set[str]()
    rows = session.execute(select(Record.__table__).order_by(Record.id).execution_options(yield_per=BATCH))
    for batch in rows.partitions(BATCH):
        ids = [row.id for row in batch]
        revisions = _by_record(session, RecordRevision.__table__, ids)
        renditions = _by_record(session, Rendition.__table__, ids)
        attachments = _by_record(session, Attachment.__table__, ids)
        for row in batch:
            record = row._mapping
            _note_references(Record.__table__, [record], referenced)
            _note_references(RecordRevision.__table__, revisions.get(row.id, []), referenced)
            for rendition in renditions.get(row.id, []):
                _copy_rendition(store, writer, rendition)
            export_objects(store, writer, attachments.get(row.id, []), copied)
            writer.write_json(f"records/{row.form_code}/{row.year}/{row.code}.json", {
                "record": row_to_json(Record.__table__, record),
                "revisions": [row_to_json(RecordRevision.__table__, r) for r in revisions.get(row.id, [])],
                "renditions": [row_to_json(Rendition.__table__, r) for r in renditions.get(row.id, [])],
                "attachments": [row_to_json(Attachment.__table__, r) for r in attachments.get(row.id, [])],
            })
            progress(1)
            count += 1
    return count, referenced


def _by_record(session: Session, table: Table, ids: list[int]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in session.execute(select(table).where(table.c.record_id.in_(ids)).order_by(table.c.id)):
        grouped.setdefault(row.record_id, []).append(row._mapping)
    return grouped


def _copy_rendition(store: FileStore, writer: ManifestWriter, rendition: Any) -> None:
    """The file into ``renditions/<key>`` (the key its row names, so an import puts it back there)."""
    if copy_out(store, writer, rendition["path"]) != rendition["sha256"]:
        raise PortabilityError(f"{rendition['path']}: the stored file does not match its checksum; run "
                               "`archive verify` and repair before exporting")


def _note_references(table: Table, rows: Iterable[Any], referenced: dict[str, set[Any]]) -> None:
    """Collect the ids this table's rows point at in users, departments and records."""
    for key in table.foreign_keys:
        target = key.column.table.name
        if target in referenced:
            referenced[target].update(row[key.parent.name] for row in rows
                                      if row[key.parent.name] is not None)


def _export_tables(session: Session, writer: ManifestWriter, referenced: dict[str, set[Any]]) -> None:
    by_name = (Base.metadata.tables[FORM_VERSIONS], Base.metadata.tables[CUSTOMER_CLAIMS],
               Base.metadata.tables[NOTICE_VERSIONS])
    for table in (*TABLES, *by_name):
        rows = [row._mapping for row in session.execute(select(table).order_by(*table.primary_key))]
        _note_references(table, rows, referenced)
        writer.write_json(f"tables/{table.name}.json", [row_to_json(table, row) for row in rows])
    users = User.__table__
    user_rows = [row._mapping for row in session.execute(
        select(users).where(users.c.id.in_(referenced["users"])).order_by(users.c.id))]
    _note_references(users, user_rows, referenced)
    writer.write_json("tables/users.json", [
        {k: v for k, v in row_to_json(users, row).items() if k not in PRIVATE_USER_COLUMNS}
        for row in user_rows])
    departments = Department.__table__
    writer.write_json("tables/departments.json", [row_to_json(departments, row._mapping) for row in
                                                  session.execute(select(departments).where(
                                                      departments.c.id.in_(referenced["departments"]))
                                                      .order_by(departments.c.id))])


def _export_audit(session: Session, writer: ManifestWriter) -> tuple[int, dict[str, Any]]:
    """Every event as one JSON line with its hashes, and the head they should end at."""
    events = AuditEvent.__table__
    digest, size, count = hashlib.sha256(), 0, 0
    target = writer.root / "audit" / "events.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        query = select(events).order_by(events.c.seq).execution_options(yield_per=5000)
        for row in session.execute(query):
            event = {k: v for k, v in row_to_json(events, row._mapping).items() if k != "id"}
            line = json.dumps(event, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
            out.write(line)
            digest.update(line)
            size, count = size + len(line), count + 1
    writer.entries.append({"path": "audit/events.jsonl", "sha256": digest.hexdigest(), "size": size})
    head = session.get(AuditHead, 1)
    summary = {"seq": head.seq if head else 0, "hash": head.hash if head else ""}
    writer.write_json("audit/head.json", summary)
    return count, summary
