"""The filing stamp (归档章) of DA/T 22-2015 on the archival copy, and how a filed record's copy
comes to carry it.

**Where it is printed.** The first page's top right margin holds a ruled box of two rows of
three cells, 全宗号 | 年度 | 件号 over 保管期限 | 机构（问题） | 页数, each with its label and value
(:func:`stamp_cells`; the layout is ``templates/pdf/filing_stamp.html``). Only the archival
rendition carries it: handouts and customer copies are copies, not the filed item.

**Why filing renders the filed revision again.** Filing requires the revision's archival copy
stored (``archive.filing.file_if_ready``), but the stamp prints the 档号, which is minted in
the filing transaction. So the filing transaction queues :data:`STAMP_TOPIC` for the filed
revision (:func:`enqueue_stamping`, atomic with the 档号: a filed record always gets its stamped
copy, whichever path filed it: the archival worker, ``archive file`` or a retry). The worker
(forms/pdf/stamping.py) renders that revision again with the stamp and
:func:`replace_with_stamped` swaps the file its renditions row names:

- the new file is put under its own content key first, then the row is updated in one
  transaction (its ``archival_code`` set, ``replaced_sha256`` keeping the old checksum) and the
  unstamped file is purged after commit through the outbox, like every superseded file;
- a row is replaced once, from unstamped to stamped; a stamped copy is never replaced again;
- the page count must not change (the stamp sits in the margin): a copy whose pages differ is
  refused (:class:`StampMovedPages`) and the unstamped copy stays;
- audited as ``rendition.stamp`` with both SHA-256s.

Revisions rendered after filing (corrections, an anonymisation) are stamped from the start by the
archival worker, with the same 档号 (a 档号 is never changed). Revisions before the filed one keep
their unstamped copies: they were never the filed item.

**The attached JSON.** The stamped copy's JSON carries ``"filing_stamp"`` (:func:`stamp_json`)
beside the record's content. The content fingerprint (the QR code's, ``archive.content``) stays
that of the content alone, so handouts printed before filing still verify: remove
``filing_stamp`` from the attached JSON and write it canonically again
(:func:`content_of_attached`) to get the bytes whose SHA-256 is the fingerprint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.archival_codes import ArchivalReference, retention_label
from archive.content import canonical_json
from archive.files import FileStore
from archive.models import Record, Rendition
from archive.purge import enqueue_purge
from archive.renditions import ARCHIVAL
from core.audit import trail
from core.clock import Clock
from core.db import Database
from core.outbox.models import OutboxItem
from core.outbox.queue import enqueue

STAMP_TOPIC = "archive.filing_stamp"
SYSTEM_ACTOR = "system:filing-stamp"
#: Where the printed page count goes: the layout fills it with CSS ``counter(pages)``, so the
#: stamp shows the pages of the copy it is printed on.
PAGES = None


class StampMovedPages(RuntimeError):
    """The stamped rendering has another page count than the stored copy: the stamp must sit in
    the margin, so this is a layout fault; the task fails (and is retried) and says so."""


@dataclass(frozen=True)
class StampDue:
    """A filed revision whose stored copy is not stamped yet: its 档号 and its stored pages."""

    archival_code: str
    pages: int | None

    @property
    def reference(self) -> ArchivalReference:
        return ArchivalReference.parse(self.archival_code)


def stamp_cells(reference: ArchivalReference) -> list[list[tuple[str, str | None]]]:
    """The stamp's two rows of (label, value), as DA/T 22-2015 lays them out; the page count's
    value is :data:`PAGES` (the layout counts the pages). The retention prints as people read it
    (永久, 定期10年); the organisation as the 档号's code (机构（问题）代码, its normalised short
    form, which always fits the cell)."""
    return [[("全宗号", reference.fonds), ("年度", str(reference.year)), ("件号", f"{reference.item:04d}")],
            [("保管期限", retention_label(reference.retention, "zh")),
             ("机构（问题）", reference.organisation), ("页数", PAGES)]]


def stamp_json(reference: ArchivalReference, pages: int) -> dict[str, Any]:
    """The stamp's values for the attached JSON: the six cells (the retention as its code and as
    printed) and the 档号 itself."""
    return {"archival_code": reference.text, "fonds": reference.fonds, "year": reference.year,
            "item": f"{reference.item:04d}", "retention": reference.retention,
            "retention_label": retention_label(reference.retention, "zh"),
            "organisation": reference.organisation, "pages": pages}


def stamped_json(content_json: bytes, stamp: dict[str, Any]) -> bytes:
    """The attached JSON of a stamped copy: the canonical content document with ``filing_stamp``
    added, written canonically again."""
    return canonical_json({**json.loads(content_json), "filing_stamp": stamp})


def content_of_attached(attached: bytes) -> bytes:
    """The canonical content document inside an archival copy's attached JSON (the
    ``filing_stamp`` member removed): the bytes whose SHA-256 is the content fingerprint."""
    document = json.loads(attached)
    document.pop("filing_stamp", None)
    return canonical_json(document)


def enqueue_stamping(session: Session, record: Record, at: datetime) -> None:
    """Queue the stamped rendering of ``record``'s filed revision (the filing transaction)."""
    enqueue(session, topic=STAMP_TOPIC, subject=record.code, at=at,
            payload={"revision": record.filed_revision})


def enqueue_stamping_given(session: Session, code: str, revision: int, at: datetime) -> None:
    """Queue the stamping of every stored, unstamped copy of ``code`` from its filed revision on:
    for a record given its 档号 after it was filed (``archive.archival_backfill``, for records
    filed before 档号 were minted; the signature of its ``after`` callback, ``revision`` unused)."""
    rows = session.execute(select(Rendition.revision).join(Record, Rendition.record_id == Record.id).where(
        Record.code == code, Rendition.kind == ARCHIVAL, Rendition.archival_code.is_(None),
        Record.filed_revision.is_not(None), Rendition.revision >= Record.filed_revision)).scalars()
    for number in sorted(rows):
        enqueue(session, topic=STAMP_TOPIC, subject=code, at=at, payload={"revision": number})


def queue_missing_stamps(db: Database, clock: Clock) -> list[tuple[str, int]]:
    """Queue the stamping of every stored copy that should carry the stamp and does not, with
    no stamping of its record pending: (code, revision) of each. ``archive file`` runs it, for
    an archive imported from an export made while a stamping was pending (an export carries
    no outbox), or a stamping whose task was deleted by hand."""
    pending = select(OutboxItem.id).where(OutboxItem.topic == STAMP_TOPIC, OutboxItem.subject == Record.code,
                                          OutboxItem.done_at.is_(None)).exists()
    with db.transaction() as session:
        rows = session.execute(
            select(Record.code, Rendition.revision).join(Record, Rendition.record_id == Record.id)
            .where(Rendition.kind == ARCHIVAL, Rendition.archival_code.is_(None),
                   Record.archival_code.is_not(None), Record.filed_revision.is_not(None),
                   Rendition.revision >= Record.filed_revision, ~pending)
            .order_by(Record.code, Rendition.revision)).all()
        for code, revision in rows:
            enqueue(session, topic=STAMP_TOPIC, subject=code, at=clock.now(), payload={"revision": revision})
    return [(code, revision) for code, revision in rows]


def stamp_for_revision(session: Session, code: str, revision: int) -> str | None:
    """The 档号 a copy of ``code`` at ``revision`` rendered now is stamped with: the record's,
    for the filed revision and those after it (corrections); None before filing, for a revision
    before the filed one (never the filed item), or a record filed before 档号 were minted."""
    row = session.execute(select(Record.archival_code, Record.filed_revision)
                          .where(Record.code == code)).first()
    if row is None or row[0] is None or row[1] is None or revision < row[1]:
        return None
    return str(row[0])


def stamp_due(session: Session, code: str, revision: int) -> StampDue | None:
    """What stamping ``code`` at ``revision`` needs, or None if there is nothing to do: no 档号,
    no stored copy (destroyed, or anonymised since), or a copy stamped already."""
    row = session.execute(_row(code, revision).with_only_columns(
        Record.archival_code, Rendition.archival_code, Rendition.pages)).first()
    if row is None or row[0] is None or row[1] is not None:
        return None
    return StampDue(row[0], row[2])


@dataclass(frozen=True)
class Replaced:
    """A copy swapped for its stamped rendering: the checksums before and after."""

    code: str
    revision: int
    archival_code: str
    sha256: str
    replaced_sha256: str


def replace_with_stamped(db: Database, clock: Clock, store: FileStore, *, code: str, revision: int,
                         due: StampDue, pdf: bytes, pages: int) -> Replaced | None:
    """Store ``pdf`` (the stamped rendering of ``code`` at ``revision``) and point its renditions
    row at it; the unstamped file is purged after commit. None if the row is gone or stamped
    meanwhile (the file just put is then purged too, unless a row names it). Raises
    :class:`StampMovedPages` before storing anything if the page count differs."""
    if due.pages is not None and pages != due.pages:
        raise StampMovedPages(f"{code} r{revision}: the stamped copy has {pages} page(s), the stored "
                              f"one {due.pages}; the stamp must not move content")
    stored = store.put(pdf)
    now = clock.now()
    with db.transaction() as session:
        row = session.scalar(_row(code, revision).with_for_update(of=Rendition))
        if row is None or row.archival_code is not None:
            if row is None or row.path != stored.key:
                enqueue_purge(session, subject=code, at=now, paths=[stored.key])
            return None
        replaced = Replaced(code, revision, due.archival_code, stored.sha256, row.sha256)
        old_path = row.path
        row.path, row.sha256, row.size, row.created_at = stored.key, stored.sha256, stored.size, now
        row.archival_code, row.replaced_sha256 = due.archival_code, replaced.replaced_sha256
        enqueue_purge(session, subject=code, at=now, paths=[old_path])
        trail.append(session, at=now, actor=None, actor_name=SYSTEM_ACTOR, action="rendition.stamp",
                     object_type="record", object_id=code,
                     detail={"revision": revision, "archival_code": due.archival_code, "pages": pages,
                             "sha256": stored.sha256, "replaced_sha256": replaced.replaced_sha256})
    return replaced


def _row(code: str, revision: int) -> Any:
    """The archival renditions row of ``code`` at ``revision`` (a select of the row)."""
    return (select(Rendition).join(Record, Rendition.record_id == Record.id)
            .where(Record.code == code, Rendition.revision == revision, Rendition.kind == ARCHIVAL))
