"""The archival rendition: PDF/A-3u of one record revision, its data attached as JSON and each of
its files (a file field's photos and scans) attached unchanged as an associated file, described
with its SHA-256 (:func:`forms.attachment_printing.originals`).

Submitting queues it (:func:`enqueue`, in the submitting transaction); the outbox worker renders
it after commit (:func:`handle`), never while the counter row is locked. The same revision
always renders to the same bytes: no print time, fixed metadata dates, content-derived file
identifier, and attachment dates taken from the revision.

A filed record's copies carry the filing stamp (归档章, :mod:`archive.filing_stamp`): a revision
rendered after filing is stamped here from the start; the filed revision itself, rendered before
its 档号 existed, is rendered again with the stamp by :mod:`forms.pdf.stamping`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.orm import Session

from archive.archival_codes import ArchivalReference
from archive.content import canonical_content
from archive.files import FileStore, content_key
from archive.filing_stamp import STAMP_TOPIC, stamp_cells, stamp_for_revision, stamp_json, stamped_json
from archive.records import RecordView, record_at_revision
from archive.renditions import RenditionView, renditions_in, store_rendition
from archive.stores import file_store
from core.db import Database
from core.outbox.queue import Task, enqueue, pending_in
from core.web import services
from forms import versions
from forms.attachment_printing import originals, printed_images
from forms.fields import REGISTRY
from forms.filing_rules import file_record
from forms.names import Names, load_names
from forms.pdf.render import ARCHIVAL_PROFILE, Attached, Renderer
from forms.pdf.service import thread_renderer
from forms.printing import LAYOUTS, print_context
from forms.register_print import record_layout
from forms.spec.model import FormSpec

if TYPE_CHECKING:
    from forms.pdf.images import Image

TOPIC = "pdf.archival"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArchivalPdf:
    pdf: bytes
    content_fingerprint: str
    pages: int


@dataclass(frozen=True)
class ArchivalStatus:
    """What the record page says about the archival copy of the current revision."""

    stored: RenditionView | None
    pending: bool
    last_error: str | None
    stamping: bool = False  # filed: its filing stamp (归档章) is being added (archive.filing_stamp)


def archival_status(db: Database, record: RecordView) -> ArchivalStatus:
    """The copy of ``record``'s current revision, stored or queued: both read in one transaction
    (on PostgreSQL each is three round trips more: checkout, BEGIN, ROLLBACK)."""
    with db.reading() as session:
        stored = next((r for r in renditions_in(session, record.code) if r.revision == record.revision),
                      None)
        waiting = pending_in(session, TOPIC, record.code)
        stamping = bool(pending_in(session, STAMP_TOPIC, record.code)) if record.filing else False
    return ArchivalStatus(stored, bool(waiting), waiting[-1].last_error if waiting else None, stamping)


def enqueue_rendition(session: Session, record: RecordView) -> None:
    """Queue the archival rendition of ``record``'s current revision (caller's transaction)."""
    enqueue(session, topic=TOPIC, subject=record.code, at=record.revisions[-1].at,
            payload={"revision": record.revision})


def render_archival(renderer: Renderer, spec: FormSpec, record: RecordView, *, company: str,
                    zone: ZoneInfo, public_url: str, names: Names | None = None,
                    stamp: ArchivalReference | None = None) -> ArchivalPdf:
    """The PDF/A-3u bytes of ``record`` (a view at one revision, with its history); people and
    departments by their names when rendered (the attached JSON keeps the stored keys). The
    revision's canonical content is computed once: the attachment is its JSON, the QR code and the
    rendition row its fingerprint. ``stamp``: the filed record's 档号, printed as the filing stamp
    (归档章) on the first page and added to the attached JSON as ``filing_stamp``, with the page
    count the layout found (:mod:`archive.filing_stamp`; the fingerprint stays the content's)."""
    content = canonical_content(record)
    context = print_context(spec, record, zone, company, printed_at=None, public_url=public_url,
                            has_logo=renderer.logo is not None, names=names, content=content)
    cells = stamp_cells(stamp) if stamp else None
    html = record_layout(LAYOUTS, spec, record)(**context, copies=[None], filing_stamp=cells)
    when = record.revisions[-1].at
    files, images = _record_files(spec, record, context["fields"])

    def attached(pages: int) -> list[Attached]:
        data = stamped_json(content.json, stamp_json(stamp, pages)) if stamp else content.json
        return [Attached(name=f"{record.code}.r{record.revision}.json", data=data, when=when,
                         description=f"{record.code} revision {record.revision}: the record's data"), *files]

    rendered = renderer.render_parts([html], archival=True, attachments=attached, images=images)
    return ArchivalPdf(rendered.pdf, content.fingerprint, rendered.pages)


def _record_files(spec: FormSpec, record: RecordView,
                  printed: list[dict[str, Any]]) -> tuple[list[Attached], dict[str, Image]]:
    """The revision's files to embed (originals, each with its SHA-256) and the images its layout
    prints (:mod:`forms.attachment_printing`); the store is not asked for a record without files."""
    scan = [record.legacy_scan] if record.legacy_scan else []
    if not scan and not any(REGISTRY[f.type].files(f, record.data.get(f.name)) for f in spec.fields):
        return [], {}
    store = file_store()
    when = record.revisions[-1].at
    return ([*originals(store, spec, record.code, record.revision, record.data, when),
             *(paper_scan(store, record.code, record.revision, found, when) for found in scan)],
            printed_images(store, printed))


def paper_scan(store: FileStore, code: str, revision: int, scan: dict[str, Any], when: datetime) -> Attached:
    """An imported record's scan of its paper form (records import), unchanged, as an associated
    file beside the field files: the archival copy of a register line is the line and its paper."""
    return Attached(name=f"{code}.r{revision}.paper-scan.{scan['stored_name']}",
                    data=store.get(content_key(scan["sha256"])),
                    description=f"{code} revision {revision}, the scan of the paper form: "
                                f"{scan['stored_name']} ({scan['media_type']}, {scan['size']} bytes) "
                                f"SHA-256 {scan['sha256']}",
                    when=when)


def handle(task: Task) -> None:
    """Outbox handler: render and store one revision (idempotent; runs in an app context)."""
    s = services()
    revision = int(task.payload["revision"])
    with s.db.reading() as session:
        record = record_at_revision(session, task.subject, revision)
        archival_code = stamp_for_revision(session, task.subject, revision)
    if record is None:  # disposed of since (or never committed): nothing left to render
        log.warning("archival rendition of %s r%d skipped: no such record revision", task.subject, revision)
        return
    # A revision of a record filed already (a correction) is stamped from the start, with its 档号.
    stamp = ArchivalReference.parse(archival_code) if archival_code else None
    made = render_stored_revision(record, stamp)
    stored: RenditionView = store_rendition(
        s.db, s.clock, file_store(), code=record.code, revision=revision,
        profile=ARCHIVAL_PROFILE, content_fingerprint=made.content_fingerprint, pdf=made.pdf,
        pages=made.pages, archival_code=archival_code)
    log.info("archival rendition of %s r%d stored, sha256 %s", record.code, revision, stored.sha256)
    if file_record(s.db, s.clock, s.zone, record.code, record.form_code):
        log.info("%s filed at revision %d", record.code, revision)


def render_stored_revision(record: RecordView, stamp: ArchivalReference | None) -> ArchivalPdf:
    """:func:`render_archival` with the running app's renderer, settings and names (the worker's
    handlers: this one and the filing stamp's, forms/pdf/stamping.py)."""
    s, config = services(), current_app.config
    spec = versions.spec_version(s.db, record.form_code, record.form_version)
    renderer = thread_renderer(config, Path(current_app.instance_path))
    return render_archival(renderer, spec, record, company=config["COMPANY_NAME"], zone=s.zone,
                           public_url=config["PUBLIC_URL"], names=load_names(s.db), stamp=stamp)
