"""What export, import, backup and restore share: rows as JSON, manifests of checksummed files,
audit extracts that verify on their own, and the test that an instance is empty.

Rows are written column by column from the table's metadata (times as ISO 8601 with their UTC
offset, dates as ISO dates, JSON columns as they are), so a new column travels without code
here changing; reading converts back by the column's type.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Date, Table, func, select
from sqlalchemy.orm import Session

from archive.files import BadKey, FileMissing, FileStore, check_key
from archive.models import DisposalList, LegalHold, Record, Rendition, Tombstone
from core.audit.models import GENESIS_HASH
from core.audit.trail import event_hash
from core.db import UTCDateTime

FORMAT = "dossier-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
#: Where ``archive import`` keeps the source's audit extract, under the instance.
AUDIT_IMPORTS = "audit-imports"
#: Where an export or backup folder keeps the stored files: ``renditions/<key>``, the key the
#: rows name (so an import or restore puts each back under the same key).
FILES = "renditions/"
CHUNK = 1 << 20


class PortabilityError(Exception):
    """An export, import, backup or restore cannot go ahead; the message says why."""


def row_to_json(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    return {column.name: json_value(row[column.name]) for column in table.columns}


def json_value(value: Any) -> Any:
    """A column value as JSON holds it (dates and times as ISO 8601)."""
    return value.isoformat() if isinstance(value, date | datetime) else value


def row_from_json(table: Table, data: Mapping[str, Any]) -> dict[str, Any]:
    """Column values for an insert; unknown keys are refused (the export is of another schema)."""
    unknown = set(data) - set(table.columns.keys())
    if unknown:
        raise PortabilityError(f"{table.name}: unknown column(s) {', '.join(sorted(unknown))}")
    return {name: _load(table.columns[name].type, value) for name, value in data.items()}


def _load(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    return value


def file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


@dataclass
class ManifestWriter:
    """Files written into an output folder, each with its SHA-256 and size."""

    root: Path
    entries: list[dict[str, Any]] = field(default_factory=list)

    def write_bytes(self, relative: str, data: bytes) -> None:
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.entries.append({"path": relative, "sha256": hashlib.sha256(data).hexdigest(),
                             "size": len(data)})

    def add_file(self, relative: str) -> None:
        """List a file already written under the root (large ones: hashed from disk)."""
        sha256, size = file_digest(self.root / relative)
        self.entries.append({"path": relative, "sha256": sha256, "size": size})

    def write_json(self, relative: str, document: Any) -> None:
        self.write_bytes(relative, json_bytes(document))

    def finish(self, meta: dict[str, Any]) -> str:
        """Write ``manifest.json``; returns its SHA-256 (what the audit event names)."""
        data = json_bytes({"format": FORMAT, "format_version": FORMAT_VERSION, **meta,
                           "files": self.entries})
        with (self.root / MANIFEST).open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        return hashlib.sha256(data).hexdigest()


def json_bytes(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def refuse_non_empty(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise PortabilityError(_("%(folder)s is not an empty folder: choose a new or empty one "
                                 "(nothing is ever written over)", folder=out))


def check_manifest(folder: Path, kind: str,
                   progress: Callable[[int], None] = lambda _n: None) -> dict[str, Any]:
    """Read ``manifest.json`` and check every file against it before anything is imported.

    Any difference refuses the whole folder, naming the file: a changed, missing or unlisted
    file means the copy is not the one that was made.
    """
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise PortabilityError(_("%(file)s: cannot be read (%(problem)s)", file=folder / MANIFEST,
                                 problem=exc)) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("kind") != kind:
        said = manifest if not isinstance(manifest, dict) else \
            f"{manifest.get('format')!r} / {manifest.get('kind')!r}"
        raise PortabilityError(_("%(folder)s: not an archive %(kind)s (the manifest says %(said)s)",
                                 folder=folder, kind=kind, said=said))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise PortabilityError(_("%(folder)s: format version %(found)r, this program reads %(reads)s",
                                 folder=folder, found=manifest.get("format_version"), reads=FORMAT_VERSION))
    listed = _listed(folder, manifest.get("files"))
    for path, entry in listed.items():
        _check_listed(folder, path, entry)
        progress(1)
    unlisted = sorted(set(_files(folder)) - set(listed) - {MANIFEST})
    if unlisted:
        raise PortabilityError(_("%(file)s: not in the manifest (%(count)d unlisted file(s))",
                                 file=unlisted[0], count=len(unlisted)))
    return manifest


def _listed(folder: Path, files: Any) -> dict[str, Mapping[str, Any]]:
    """The manifest's file list by path; a list that is not one (hand-edited) is named."""
    wanted = {"path": str, "sha256": str, "size": int}
    if isinstance(files, list) and all(
            isinstance(entry, dict) and all(isinstance(entry.get(k), t) for k, t in wanted.items())
            for entry in files):
        return {entry["path"]: entry for entry in files}
    raise PortabilityError(_("%(file)s: its list of files is damaged (each entry needs a path, a "
                             "sha256 and a size)", file=folder / MANIFEST))


def _check_listed(folder: Path, path: str, entry: Mapping[str, Any]) -> None:
    target = (folder / path).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise PortabilityError(_("%(file)s: the manifest names a file outside the folder", file=path))
    if not target.is_file():
        raise PortabilityError(_("%(file)s: listed in the manifest but missing", file=path))
    sha256, size = file_digest(target)
    if (sha256, size) != (entry["sha256"], entry["size"]):
        raise PortabilityError(_("%(file)s: SHA-256 %(found)s (%(size)d bytes) does not match the "
                                 "manifest's %(listed)s (%(listed_size)d bytes)", file=path, found=sha256,
                                 size=size, listed=entry["sha256"], listed_size=entry["size"]))


def _files(folder: Path) -> Iterator[str]:
    for directory, _dirs, files in os.walk(folder):
        for name in files:
            yield Path(directory, name).relative_to(folder).as_posix()


def verify_extract(path: Path) -> tuple[int, str | None]:
    """Recompute the hash chain of an audit extract (JSON lines, from the first event on).

    Returns how many events were checked and the first problem, as ``trail.verify`` does for
    the live trail; the extract needs nothing but itself and ``event_hash`` to be verified, up to
    the source's audit key. From the event that records the key's making (``audit.key.created``,
    its own seq as ``keyed_from``) the links are HMACs with the source's key, which never leaves
    the source: those are checked for order and linkage only, and the extract as a whole is
    anchored by the manifest's SHA-256 and head hash the target's own keyed trail recorded at
    the import (``archive.import``).
    """
    prev_hash, expected, checked, keyed = GENESIS_HASH, 1, 0, False
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            if event["seq"] != expected:
                return checked, f"seq {event['seq']}: expected {expected} (events are missing)"
            if event["prev_hash"] != prev_hash:
                return checked, f"seq {event['seq']}: previous-hash does not match the event before it"
            keyed = keyed or _makes_the_key(event)
            fields = {k: event[k] for k in ("seq", "actor_id", "actor_name", "action", "object_type",
                                            "object_id", "detail")}
            if not keyed and event_hash(**fields, at=datetime.fromisoformat(event["at"]),
                                        prev_hash=prev_hash) != event["hash"]:
                return checked, f"seq {event['seq']}: content does not match its hash (edited)"
            prev_hash, expected, checked = event["hash"], expected + 1, checked + 1
    return checked, None


def _makes_the_key(event: Mapping[str, Any]) -> bool:
    """The first keyed event of a trail: the audit key's making (core/audit/anchor.py)."""
    detail = event.get("detail")
    return event.get("action") == "audit.key.created" and isinstance(detail, dict) \
        and detail.get("keyed_from") == event["seq"]


def occupied(session: Session, store: FileStore) -> list[str]:
    """Why the instance is not empty enough to import into or restore over ([] if it is).

    Users, departments, retention classes and form versions may exist (``init`` makes them);
    anything of the archive proper may not, so nothing can be merged or overwritten.
    """
    reasons = []
    for model, what in ((Record, "records"), (Tombstone, "tombstones"), (Rendition, "renditions"),
                        (LegalHold, "legal holds"), (DisposalList, "disposal lists")):
        count = session.scalar(select(func.count()).select_from(model)) or 0
        if count:
            reasons.append(f"{count} {what}")
    if not store.is_empty():
        reasons.append(f"files in {store.describe()}")
    return reasons


def copy_out(store: FileStore, writer: ManifestWriter, key: str) -> str:
    """Copy the stored file ``key`` to ``renditions/<key>`` in ``writer``'s folder, a block at a
    time, and list it; returns its SHA-256 (the caller compares it with the row's)."""
    try:
        relative = FILES + check_key(key)
        target = writer.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            for block in store.chunks(key):
                out.write(block)
    except (FileMissing, BadKey) as exc:
        raise PortabilityError(f"{key}: the stored file is missing or misnamed ({exc}); run "
                               "`archive verify` and repair first") from exc
    writer.add_file(relative)
    sha256: str = writer.entries[-1]["sha256"]
    return sha256


def file_keys(manifest: Mapping[str, Any]) -> list[str]:
    """The stored files' keys an export or backup manifest lists."""
    return [entry["path"].removeprefix(FILES) for entry in manifest["files"]
            if entry["path"].startswith(FILES)]


def put_back(store: FileStore, folder: Path, keys: list[str]) -> None:
    """Put each file of ``folder`` back under the key its rows name (write once: a key already
    holding other bytes is refused by the store)."""
    for key in keys:
        try:
            store.put_at(key, (folder / FILES / check_key(key)).read_bytes())
        except BadKey as exc:
            raise PortabilityError(f"{FILES}{key}: not a stored file's key ({exc})") from exc
