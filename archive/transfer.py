"""``archive transfer --year``: the year's transfer (年度移交, GB/T 18894-2016) to the archives
service centre — every filed item of the year (by its 档号's year) as its archival PDF/A with its
data, the 归档文件目录 as PDF, CSV and JSON, a manifest of every file's SHA-256 — written to a new
folder (:mod:`archive.transfer_package` has the layout), read back and verified, then recorded:
a ``transfers`` row (migration 0022) and an ``archive.transfer`` audit event naming every code and
the manifest's SHA-256, with an audit checkpoint asked for in the same transaction.

Everything is read in one read transaction (one consistent moment of the archive), and nothing in
the package but the manifest's ``transferred_at``/``transferred_by`` depends on when or by whom it
is made, so the same year transferred twice gives the same files. The records' data and archival
copies are whole (they are the archive itself, as ``archive export`` carries them); the
catalogue's titles are masked as the transferring person's catalogue page shows them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from archive.catalogue import CataloguePrinter
from archive.file_catalogue import BadFilter, CatalogueItem, ItemFilter, read_items
from archive.files import FileStore
from archive.office import KEEPERS, require_records_office
from archive.portability import ManifestWriter
from archive.transfer_models import Transfer
from archive.transfer_package import CHECKSUMS, KIND, README, README_TEXT, verify_package
from archive.transfer_writing import Files, TransferRefused, check_stored, write_catalogue, write_records
from core.audit import trail
from core.audit.checkpoints import enqueue_checkpoint
from core.auth.names import Names
from core.auth.roles import Actor, PermissionDenied, Role
from core.clock import Clock
from core.db import Database

#: Records read and written per batch (their revisions and renditions read together).
BATCH = 200
#: Who the console is when no ``--by`` names a person: the records office's view of titles.
CONSOLE = Actor(user_id=0, username="console", role=Role.ARCHIVIST, department=None)

#: Told each step's size and the whole's (records written, files read back).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class TransferTools:
    """What the transfer needs from the app: the fonds number, the catalogue's printer, the
    departments' names, and how titles are masked for a reader (``shown_titles``)."""

    fonds: str
    printer: CataloguePrinter
    names: Names
    masked: Callable[[Actor, list[CatalogueItem]], list[CatalogueItem]]


@dataclass(frozen=True)
class TransferResult:
    transfer_id: int
    out: Path
    year: int
    records: int
    files: int
    bytes: int
    manifest_sha256: str


def transfer_year(db: Database, clock: Clock, zone: ZoneInfo, store: FileStore, actor: Actor | None,
                  year: int, out: Path, tools: TransferTools, *, progress: Progress = lambda _n, _total: None,
                  verifying: Progress = lambda _n, _total: None) -> TransferResult:
    """Write, verify and record the transfer of ``year`` into ``out`` (new or empty). ``progress``
    is called once per record written, ``verifying`` once per file read back."""
    if actor is not None and actor.role not in KEEPERS:
        raise PermissionDenied(_("Only archivists and administrators transfer the archive."))
    wanted = _year_filter(year)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise TransferRefused(_("%(folder)s is not an empty folder: choose a new or empty one (nothing is "
                                "ever written over)", folder=out))
    existed, at = out.exists(), clock.now()
    try:
        written = _write_package(db, zone, store, actor, wanted, out, tools, at, progress)
        verify_package(out, verifying)
    except BaseException:
        _remove(out, keep_folder=existed)
        raise
    return _record(db, clock, actor, wanted, out, written, at)


def _year_filter(year: int) -> ItemFilter:
    try:
        return ItemFilter(year)
    except BadFilter as exc:
        raise TransferRefused(str(exc)) from exc


@dataclass(frozen=True)
class _Written:
    fonds: str
    codes: list[str]
    files: int
    bytes: int
    manifest_sha256: str


def _write_package(db: Database, zone: ZoneInfo, store: FileStore, actor: Actor | None, wanted: ItemFilter,
                   out: Path, tools: TransferTools, at: datetime, progress: Progress) -> _Written:
    """The whole package from one read transaction; the manifest last."""
    with db.reading() as session:
        found = read_items(session, zone, wanted)
        if not found:
            raise TransferRefused(_("Nothing to transfer: no filed record carries the year %(year)d in its "
                                    "archival reference (档号).", year=wanted.year))
        for start in range(0, len(found), BATCH):
            check_stored(session, store, found[start:start + BATCH])
        out.mkdir(parents=True, exist_ok=True)
        writer = ManifestWriter(out)
        writer.write_bytes(README, README_TEXT.encode("utf-8"))
        files: Files = {}
        for start in range(0, len(found), BATCH):
            batch = found[start:start + BATCH]
            files.update(write_records(session, store, writer, batch, tools.names))
            progress(len(batch), len(found))
    write_catalogue(writer, tools.printer, tools.fonds, tools.names, wanted,
                    tools.masked(actor or CONSOLE, found), files)
    writer.write_bytes(CHECKSUMS, "".join(f"{e['sha256']}  {e['path']}\n" for e in writer.entries).encode())
    manifest_sha256 = writer.finish({
        "kind": KIND, "year": wanted.year, "fonds": tools.fonds, "records": len(found),
        "transferred_at": at.isoformat(), "transferred_by": actor.username if actor else CONSOLE.username})
    return _Written(tools.fonds, [i.code for i in found], len(writer.entries),
                    sum(e["size"] for e in writer.entries), manifest_sha256)


def _record(db: Database, clock: Clock, actor: Actor | None, wanted: ItemFilter, out: Path,
            written: _Written, at: datetime) -> TransferResult:
    """The transfers row, its audit event (every code) and a checkpoint, in one transaction."""
    location = str(out.resolve())
    with db.transaction() as session:
        row = Transfer(year=wanted.year, fonds=written.fonds, transferred_at=at,
                       transferred_by_id=actor.user_id if actor else None,
                       transferred_by=actor.username if actor else CONSOLE.username,
                       records=len(written.codes), files=written.files, bytes=written.bytes,
                       manifest_sha256=written.manifest_sha256, location=location)
        session.add(row)
        session.flush()
        trail.append(session, at=at, actor=actor, actor_name=CONSOLE.username, action="archive.transfer",
                     object_type="transfer", object_id=str(row.id),
                     detail={"year": wanted.year, "out": location, "records": len(written.codes),
                             "files": written.files, "manifest_sha256": written.manifest_sha256,
                             "codes": written.codes})
        enqueue_checkpoint(session, at=at, reason=f"transfer {wanted.year}")  # anchored after commit
        transfer_id = row.id
    return TransferResult(transfer_id, out, wanted.year, len(written.codes), written.files, written.bytes,
                          written.manifest_sha256)


def _remove(out: Path, *, keep_folder: bool) -> None:
    """Take away a package that failed half-way (the folder was new or empty before)."""
    if not out.exists():
        return
    if keep_folder:
        for child in out.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    else:
        shutil.rmtree(out)


@dataclass(frozen=True)
class TransferView:
    id: int
    year: int
    transferred_at: datetime
    transferred_by: str
    records: int
    manifest_sha256: str
    location: str


def transfers(db: Database, actor: Actor) -> list[TransferView]:
    """Every transfer made, newest first (the 归档文件目录 page shows them)."""
    require_records_office(actor)
    with db.reading() as session:
        rows = session.scalars(select(Transfer).order_by(Transfer.transferred_at.desc(), Transfer.id.desc()))
        return [TransferView(t.id, t.year, t.transferred_at, t.transferred_by, t.records, t.manifest_sha256,
                             t.location) for t in rows]
