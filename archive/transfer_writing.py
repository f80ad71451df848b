"""Writing the year's transfer package (layout: :mod:`archive.transfer_package`): each item's
archival copies, checked against their rows as they are copied out of the file store, its data as
JSON, and the 归档文件目录 as PDF, CSV and JSON. Called by :mod:`archive.transfer` inside its one
read transaction."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.catalogue import CataloguePrinter, PrintUnavailable
from archive.file_catalogue import CSV_HEADER, CatalogueItem, ItemFilter, ItemHeading, csv_rows
from archive.files import BadKey, FileMissing, FileStore
from archive.models import Record, RecordRevision, Rendition
from archive.portability import ManifestWriter, json_bytes
from archive.renditions import ARCHIVAL
from archive.transfer_package import CATALOGUE_CSV, CATALOGUE_JSON, CATALOGUE_PDF, copy_name, record_folder
from core.auth.models import User
from core.auth.names import Names

Files = dict[str, list[dict[str, Any]]]


class TransferRefused(Exception):
    """The transfer cannot be made; the message says why and what to do."""


def check_stored(session: Session, store: FileStore, found: list[CatalogueItem]) -> None:
    """Refuse before anything is written if an item's archival copy is not in the file store."""
    copies = copies_of(session, [i.code for i in found])
    for item in found:
        if not copies.get(item.code):
            raise TransferRefused(_("%(code)s (%(reference)s): no archival copy of its filed revision is "
                                    "recorded; run `archive verify`",
                                    code=item.code, reference=item.archival_code))
        newest = copies[item.code][-1]
        if newest["revision"] != newest["current"]:
            raise TransferRefused(_(
                "%(code)s (%(reference)s): the archival copy of its revision %(revision)d is not rendered "
                "yet; let the worker make it (`flask --app wsgi outbox run --once`) and transfer again",
                code=item.code, reference=item.archival_code, revision=newest["current"]))
        for copy in copies[item.code]:
            if copy["stamped"] is None:
                raise TransferRefused(_(
                    "%(code)s (%(reference)s): its archival copy of revision %(revision)d does not carry "
                    "the filing stamp (归档章) yet; let the worker stamp it "
                    "(`flask --app wsgi outbox run --once`) and transfer again",
                    code=item.code, reference=item.archival_code, revision=copy["revision"]))
            if not _present(store, copy["path"]):
                raise TransferRefused(_(
                    "%(code)s (%(reference)s): its archival copy of revision %(revision)d (%(key)s) is "
                    "missing from the file store; run `archive verify` and restore it from a backup "
                    "before transferring", code=item.code, reference=item.archival_code,
                    revision=copy["revision"], key=copy["path"]))


def _present(store: FileStore, key: str) -> bool:
    try:
        return store.exists(key)
    except BadKey:
        return False


def copies_of(session: Session, codes: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """By code, the archival copies from the filed revision on (the filed one first)."""
    rows = session.execute(
        select(Record.code, Record.archival_code, Record.filed_revision, Record.revision.label("current"),
               Rendition.revision, Rendition.path,
               Rendition.sha256, Rendition.size, Rendition.pages, Rendition.archival_code.label("stamped"))
        .join(Rendition, Rendition.record_id == Record.id)
        .where(Record.code.in_(codes), Rendition.kind == ARCHIVAL,
               Rendition.revision >= Record.filed_revision)
        .order_by(Record.code, Rendition.revision))
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row.code, []).append(dict(row._mapping))
    return found


def write_records(session: Session, store: FileStore, writer: ManifestWriter, batch: list[CatalogueItem],
                   names: Names) -> dict[str, list[dict[str, Any]]]:
    """Each item's archival copies and its JSON; returns the files written, by code."""
    codes = [i.code for i in batch]
    records = {r.code: r for r in session.scalars(select(Record).where(Record.code.in_(codes)))}
    copies, revisions = copies_of(session, codes), _revisions(session, codes)
    written: Files = {}
    for item in batch:
        record = records[item.code]
        files = [_copy(store, writer, copy,
                       copy_name(item.archival_code, copy["revision"], copy["filed_revision"]))
                 for copy in copies[item.code]]
        writer.write_json(f"{record_folder(item.archival_code)}/{item.archival_code}.json",
                          _record_json(record, item, names, revisions.get(item.code, []), files))
        written[item.code] = files
    return written


def _copy(store: FileStore, writer: ManifestWriter, copy: dict[str, Any], relative: str) -> dict[str, Any]:
    """The stored file into the package, a block at a time, checked against its row."""
    target = writer.root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("wb") as out:
            for block in store.chunks(copy["path"]):
                out.write(block)
    except (FileMissing, BadKey) as exc:
        raise TransferRefused(_("%(code)s (%(reference)s): its archival copy %(key)s could not be read "
                                "(%(problem)s); run `archive verify`", code=copy["code"],
                                reference=copy["archival_code"], key=copy["path"], problem=exc)) from exc
    writer.add_file(relative)
    entry = writer.entries[-1]
    if entry["sha256"] != copy["sha256"]:
        raise TransferRefused(_("%(code)s (%(reference)s): the stored archival copy %(key)s does not "
                                "match its checksum; run `archive verify` and repair", code=copy["code"],
                                reference=copy["archival_code"], key=copy["path"]))
    return {"path": relative, "revision": copy["revision"], "sha256": entry["sha256"], "size": entry["size"],
            "pages": copy["pages"]}


def _revisions(session: Session, codes: list[str]) -> dict[str, list[dict[str, Any]]]:
    rows = session.execute(
        select(Record.code, RecordRevision.number, RecordRevision.action, RecordRevision.state,
               RecordRevision.at, RecordRevision.reason, RecordRevision.data, User.username)
        .join(RecordRevision, RecordRevision.record_id == Record.id)
        .join(User, User.id == RecordRevision.actor_id)
        .where(Record.code.in_(codes)).order_by(Record.code, RecordRevision.number))
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row.code, []).append({
            "number": row.number, "action": row.action, "state": row.state, "at": row.at.isoformat(),
            "by": row.username, "reason": row.reason, "data": row.data})
    return found


def _record_json(record: Record, item: CatalogueItem, names: Names, revisions: list[dict[str, Any]],
                 files: list[dict[str, Any]]) -> dict[str, Any]:
    """The record as the service centre receives it: whole (its archival copy is whole too)."""
    return {
        "archival_code": record.archival_code, "code": record.code, "form_code": record.form_code,
        "form_version": record.form_version, "title": record.title, "state": record.state,
        "department": item.department, "responsible": names.department(item.department) or "",
        "submitted_at": record.submitted_at.isoformat(), "filed_at": _iso(record.filed_at),
        "filed_revision": record.filed_revision, "revision": record.revision, "volume": record.volume,
        "retention_class": record.retention_class, "retention_until": _iso(record.retention_until),
        "end_action": record.end_action, "imported_from": record.imported_from, "remarks": list(item.remarks),
        "data": record.data, "revisions": revisions, "files": files,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def write_catalogue(writer: ManifestWriter, printer: CataloguePrinter, fonds: str, names: Names,
                    wanted: ItemFilter, shown: list[CatalogueItem], files: Files) -> None:
    """The 归档文件目录 (titles ``shown`` as the reader may see them) as printed (no print time),
    as CSV with each filed copy's SHA-256, and as JSON with every file of each item."""
    try:
        pdf = printer.items(ItemHeading(wanted, fonds, None), shown)
    except PrintUnavailable as exc:
        raise TransferRefused(_("The catalogue cannot be printed: %(problem)s", problem=exc)) from exc
    writer.write_bytes(CATALOGUE_PDF, pdf)
    rows = csv_rows(shown, names, "zh")
    rows[0] = [*CSV_HEADER, "file", "sha256", "size"]
    for row, item in zip(rows[1:], shown, strict=True):
        filed = files[item.code][0]
        row += [filed["path"], filed["sha256"], filed["size"]]
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    writer.write_bytes(CATALOGUE_CSV, ("\ufeff" + text.getvalue()).encode("utf-8"))
    writer.write_bytes(CATALOGUE_JSON, json_bytes({
        "fonds": fonds, "year": wanted.year, "columns": CSV_HEADER,
        "items": [{**item.as_json(), "responsible": names.department(item.department) or "",
                   "files": files[item.code]} for item in shown]}))


