"""``archive import DIR``: an export (archive/exporting.py) into an empty instance.

Order: the manifest is checked first, file by file (any difference refuses the whole folder,
naming the file); then the instance must be empty of archive content (portability.occupied);
then the rendition files are put in the file store (write-once, under the keys the exported rows
name, so rows, keys and checksums match) and
every row is inserted in ONE transaction with the ``archive.import`` event. If that transaction
fails, the files it would have recorded are removed again, so a failed import leaves nothing.

Ids are the target's own: departments are matched by code, users by username (a user the target
lacks is created inactive with an unusable password: the records keep naming who did what, and
nobody can sign in as them until an admin decides), form versions by (form, version) (the same
version with another spec is refused), retention classes by code (the source's values win:
they scheduled the records), and every foreign key of the imported rows is translated.

**The audit extract is kept, not replayed.** The source's events cannot become the target's
trail: each event's hash covers its ``actor_id``, which is the *source's* user id, so the events
cannot be renumbered to the target's users without breaking every hash; and a target made by
``init`` and ``users create`` already has events of its own (``user.create``), so the chain
could only be replayed into a trail that in practice is never empty. So the extract is copied
byte for byte under ``<instance>/audit-imports/<when>/`` with the export's manifest and head;
``archive verify`` recomputes its chain on every run (portability.verify_extract), and the
target's own trail records ``archive.import`` with the extract's head hash and the manifest's
SHA-256, which binds the two chains: the kept extract is provably the one imported, unedited.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from archive.archival_portability import restore_counters
from archive.attachment_models import Attachment
from archive.attachment_portability import check_rows
from archive.exporting import CUSTOMER_CLAIMS, FORM_VERSIONS, NOTICE_VERSIONS
from archive.files import BadKey, FileStore
from archive.models import (
    AccessGrant,
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
from archive.portability import (
    AUDIT_IMPORTS,
    MANIFEST,
    PortabilityError,
    check_manifest,
    file_digest,
    file_keys,
    json_value,
    occupied,
    put_back,
    row_from_json,
)
from core.audit import trail
from core.auth.models import Department, User
from core.auth.roles import Actor, PermissionDenied
from core.clock import Clock
from core.db import Base, Database

UNUSABLE_PASSWORD = "!imported-no-password"  # noqa: S105 - not a hash: no password ever matches it
#: Inserted as they come, foreign keys translated, in an order that has every target first.
LINKED: tuple[Table, ...] = tuple(model.__table__ for model in (  # type: ignore[misc]
    LegalHold, HeldRecord, DisposalList, DisposalItem, DisposalWitness, Tombstone, AccessGrant))
#: Tables an export made before them lacks (read as empty): the destruction witnesses (0021).
LATER_TABLES = frozenset({"disposal_witnesses"})

Maps = dict[str, dict[int, int]]


@dataclass(frozen=True)
class ImportResult:
    records: int
    files: int
    users_created: tuple[str, ...]
    extract: Path
    classes_changed: tuple[str, ...] = ()  # retention classes the export's values replaced


def import_archive(db: Database, clock: Clock, store: FileStore, instance_path: Path, folder: Path,
                   *, actor: Actor | None = None,
                   progress: Callable[[int], None] = lambda _n: None) -> ImportResult:
    """Check ``folder`` and restore it into this (empty) instance; ``progress`` once per file checked.

    ``actor`` None is the operator at the console; a user must be an admin.
    """
    if actor is not None and not actor.is_admin:
        raise PermissionDenied("only admins may import an archive")
    manifest = check_manifest(folder, "export", progress)
    with db.reading() as session:
        reasons = occupied(session, store)
    if reasons:
        raise PortabilityError(f"this instance is not empty ({', '.join(reasons)}): import only into a "
                               "new instance (`flask init`, no records yet), so nothing is merged")
    extract = _keep_extract(folder, instance_path, clock)
    files = file_keys(manifest)  # put back under the keys the exported rows name
    manifest_sha256 = file_digest(folder / MANIFEST)[0]
    try:
        put_back(store, folder, files)
        with db.transaction() as session:
            records, created, classes = _restore_rows(session, folder, manifest)
            trail.append(session, at=clock.now(), actor=actor, actor_name="console",
                         action="archive.import", object_type="archive", object_id=str(folder)[:64],
                         detail={"from": str(folder), "records": records, "files": len(files),
                                 "users_created": created, "retention_classes": classes,
                                 "manifest_sha256": manifest_sha256,
                                 "extract": str(extract), "extract_head": manifest.get("audit_head")})
    except BaseException:
        for key in files:  # the store was empty: every file named here is this import's
            with contextlib.suppress(BadKey):
                store.delete(key)
        shutil.rmtree(extract, ignore_errors=True)
        raise
    return ImportResult(records, len(files), tuple(created), extract, tuple(sorted(classes["changed"])))


def _keep_extract(folder: Path, instance_path: Path, clock: Clock) -> Path:
    target = instance_path / AUDIT_IMPORTS / clock.now().strftime("%Y%m%dT%H%M%S.%fZ")
    target.mkdir(parents=True)
    for name in ("audit/events.jsonl", "audit/head.json", MANIFEST):
        shutil.copy2(folder / name, target / Path(name).name)
    return target


def _load(folder: Path, relative: str) -> Any:
    return json.loads((folder / relative).read_text("utf-8"))


def _restore_rows(session: Session, folder: Path,
                  manifest: dict[str, Any]) -> tuple[int, list[str], dict[str, Any]]:
    maps: Maps = {"departments": _merge_departments(session, _load(folder, "tables/departments.json"))}
    created: list[str] = []
    maps["users"] = _merge_users(session, _load(folder, "tables/users.json"), maps, created)
    classes = _merge_classes(session, _load(folder, "tables/retention_classes.json"))
    _merge_form_versions(session, _load(folder, "tables/form_versions.json"), maps)
    _merge_notice_versions(session, folder)
    _merge_counters(session, _load(folder, "tables/code_counters.json"))
    for table in LINKED:
        path = f"tables/{table.name}.json"
        if table.name in LATER_TABLES and not (folder / path).is_file():
            continue
        for row in _load(folder, path):
            _insert(session, table, row, maps)
    records = 0
    for entry in manifest["files"]:
        if entry["path"].startswith("records/"):
            document = _load(folder, entry["path"])
            _insert(session, Record.__table__, document["record"], maps)
            check_rows(document.get("attachments", []), manifest, document["record"]["code"])
            for table, key in ((RecordRevision.__table__, "revisions"), (Rendition.__table__, "renditions"),
                               (Attachment.__table__, "attachments")):
                for row in document.get(key, []):  # an export made before attachments has none
                    _insert(session, table, row, maps)
            records += 1
    for row in _load(folder, f"tables/{CUSTOMER_CLAIMS}.json"):  # they name records by code
        _insert(session, Base.metadata.tables[CUSTOMER_CLAIMS], row, maps)
    restore_counters(session, folder)  # 档号 numbering continues where the export stopped
    return records, created, classes


def _insert(session: Session, table: Table, data: dict[str, Any], maps: Maps) -> int:
    """Insert one exported row with its foreign keys translated; remember its new id."""
    row = row_from_json(table, data)
    old = row.pop("id", None)
    for key in table.foreign_keys:
        column, target = key.parent.name, key.column.table.name
        if row.get(column) is not None and target in maps:
            try:
                row[column] = maps[target][row[column]]
            except KeyError:
                raise PortabilityError(f"{table.name} id {old}: {column} = {row[column]} names a "
                                       f"{target} row the export does not contain") from None
    new = session.execute(insert(table).returning(table.c.id), row).scalar_one()
    maps.setdefault(table.name, {})[old] = new
    return new


def _merge_departments(session: Session, rows: list[dict[str, Any]]) -> dict[int, int]:
    mapping = {}
    for row in rows:
        existing = session.scalar(select(Department.id).where(Department.code == row["code"]))
        mapping[row["id"]] = existing if existing is not None else _insert(
            session, Department.__table__, row, {})
    return mapping


def _merge_users(session: Session, rows: list[dict[str, Any]], maps: Maps,
                 created: list[str]) -> dict[int, int]:
    mapping = {}
    for row in rows:
        existing = session.scalar(select(User.id).where(User.username == row["username"]))
        if existing is None:
            row = {**row, "password_hash": UNUSABLE_PASSWORD, "active": False, "failed_logins": 0,
                   "locked_until": None}
            existing = _insert(session, User.__table__, row, maps)
            created.append(row["username"])
        mapping[row["id"]] = existing
    return mapping


def _merge_classes(session: Session, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Take the export's retention classes (they scheduled its records). A class this instance
    already has with other values is overwritten, and what changed is returned for the import's
    audit event: a class changes only with a trace, import or not."""
    table = RetentionClass.__table__
    changed: dict[str, dict[str, list[Any]]] = {}
    added: list[str] = []
    for row in rows:
        values = row_from_json(table, row)
        values.pop("id")
        current = session.execute(select(table).where(table.c.code == values["code"])).mappings().first()
        if current is None:
            session.execute(insert(table), values)
            added.append(values["code"])
            continue
        differences = {name: [json_value(current[name]), json_value(value)]
                       for name, value in values.items() if name != "updated_at" and current[name] != value}
        if differences:
            session.execute(update(table).where(table.c.code == values["code"]).values(values))
            changed[values["code"]] = differences
    return {"added": added, "changed": changed}


def _merge_form_versions(session: Session, rows: list[dict[str, Any]], maps: Maps) -> None:
    table = Base.metadata.tables[FORM_VERSIONS]
    for row in rows:
        existing = session.scalar(select(table.c.spec_hash).where(
            table.c.form_code == row["form_code"], table.c.version == row["version"]))
        if existing is None:
            _insert(session, table, row, maps)
        elif existing != row["spec_hash"]:
            raise PortabilityError(f"form {row['form_code']} version {row['version']}: this instance "
                                   "has a different spec under the same version; the records could "
                                   "not be shown as they were filled")


def _merge_notice_versions(session: Session, folder: Path) -> None:
    """The privacy notice versions the records name (an export made before 0027 has none); the
    same (id, version) with other words here is refused like a different spec."""
    path = folder / f"tables/{NOTICE_VERSIONS}.json"
    table = Base.metadata.tables[NOTICE_VERSIONS]
    for row in _load(folder, f"tables/{NOTICE_VERSIONS}.json") if path.is_file() else []:
        existing = session.scalar(select(table.c.text_hash).where(
            table.c.notice_id == row["notice_id"], table.c.version == row["version"]))
        if existing is None:
            _insert(session, table, row, {})
        elif existing != row["text_hash"]:
            raise PortabilityError(f"privacy notice {row['notice_id']} version {row['version']}: this "
                                   "instance has other words under the same version; the records "
                                   "could not show the notice their customers were given")


def _merge_counters(session: Session, rows: list[dict[str, Any]]) -> None:
    table = CodeCounter.__table__
    for row in rows:
        current = session.scalar(select(table.c.value).where(
            table.c.category == row["category"], table.c.year == row["year"]))
        if current is None:
            session.execute(insert(table), row)
        elif current < row["value"]:
            session.execute(update(table).where(table.c.category == row["category"],
                                                table.c.year == row["year"]).values(value=row["value"]))
