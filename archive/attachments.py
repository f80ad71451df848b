"""The files attached to records: their rows, and handing one out to a reader (audited).

A file is put in the file store (by content, write-once) before the transaction that names it
commits; then, in that transaction, :func:`record_added` writes a row per new file beside the
revision that added it. A rollback after the put leaves an object no row names: harmless (the
same bytes sent again are the same key) and named by ``archive verify`` among the stray files,
which is where an operator sees it; nothing is half saved, since a record's data and rows
commit together or not at all.

:func:`prepare` runs before that transaction: it reads each new file back from the store,
checks its SHA-256 and size against what the value says (a value never names bytes the store
does not hold), and stores a thumbnail for the record page. Rows are never updated except to
mark the revision that removed a file (:func:`record_removed`); a removed file stays readable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archive import need_to_know
from archive.attachment_models import Attachment
from archive.files import FileMissing, FileStore, content_key
from archive.grants import active_grant
from archive.models import Record
from archive.records import RecordView, may_see, record_view
from core.audit import trail
from core.auth.roles import Actor, NotFound, PermissionDenied
from core.clock import Clock
from core.db import Database


@dataclass(frozen=True)
class NewFile:
    """A file a revision adds to a field, checked against the store, its thumbnail stored."""

    field: str
    sha256: str
    name: str
    media_type: str
    size: int
    thumbnail_key: str | None


@dataclass(frozen=True)
class AttachmentView:
    """A record's file as the record page and the file route see it."""

    field: str
    sha256: str
    name: str
    media_type: str
    size: int
    revision: int
    removed_revision: int | None
    has_thumbnail: bool
    key: str
    thumbnail_key: str | None

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


class FileNotStored(ValueError):
    """A value names a file the store does not hold, or holds other bytes under (a tampered or
    stale descriptor): the message names the file, for the ``field``'s error."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


Thumbnailer = Callable[[str, str, bytes], bytes | None]
#: Whether the reader may have the files of a field of this record (personal data withheld).
MayHave = Callable[[RecordView, str], bool]


def prepare(store: FileStore, wanted: Iterable[tuple[str, str, str, str, int]],
            thumbnailer: Thumbnailer) -> list[NewFile]:
    """Each (field, sha256, name, media type, size) checked against the stored bytes, with a
    thumbnail stored (``thumbnailer(name, media_type, data)``: None when none can be made)."""
    prepared = []
    for field, sha256, name, media_type, size in wanted:
        try:
            data = store.get(content_key(sha256))
        except FileMissing:
            raise FileNotStored(field, _("“%(name)s” was not received; choose it again.",
                                         name=name)) from None
        if hashlib.sha256(data).hexdigest() != sha256 or len(data) != size:
            raise FileNotStored(field, _("“%(name)s” does not match what was received; choose it again.",
                                         name=name))
        thumb = thumbnailer(name, media_type, data)
        prepared.append(NewFile(field, sha256, name, media_type, size,
                                store.put(thumb).key if thumb else None))
    return prepared


def record_added(session: Session, record_code: str, revision: int, files: Sequence[NewFile],
                 at: datetime) -> None:
    """Rows for the files ``revision`` of ``record_code`` adds (the caller's transaction)."""
    if not files:
        return
    record_id = session.scalar(select(Record.id).where(Record.code == record_code))
    session.add_all(Attachment(record_id=record_id, field=f.field, sha256=f.sha256, key=content_key(f.sha256),
                               media_type=f.media_type, size=f.size, name=f.name[:255], revision=revision,
                               thumbnail_key=f.thumbnail_key, added_at=at) for f in files)


def record_removed(session: Session, record_code: str, revision: int,
                   removed: Iterable[tuple[str, str]]) -> None:
    """Mark the (field, sha256) files ``revision`` removed from the record's current data."""
    record_id = session.scalar(select(Record.id).where(Record.code == record_code))
    for field, sha256 in removed:
        for row in session.scalars(select(Attachment).where(
                Attachment.record_id == record_id, Attachment.field == field, Attachment.sha256 == sha256,
                Attachment.removed_revision.is_(None))):
            row.removed_revision = revision


def attachments_in(session: Session, record_id: int) -> list[AttachmentView]:
    """Every file of a record, in the order added (the caller's read)."""
    rows = session.scalars(select(Attachment).where(Attachment.record_id == record_id)
                           .order_by(Attachment.revision, Attachment.id))
    return [_view(row) for row in rows]


def attachments_of(db: Database, code: str) -> list[AttachmentView]:
    """Every file of the record ``code`` (not audited: for a page that has read the record)."""
    with db.reading() as session:
        record_id = session.scalar(select(Record.id).where(Record.code == code))
        return [] if record_id is None else attachments_in(session, record_id)


def _view(row: Attachment) -> AttachmentView:
    return AttachmentView(row.field, row.sha256, row.name, row.media_type, row.size, row.revision,
                          row.removed_revision, row.thumbnail_key is not None, row.key, row.thumbnail_key)


def attachment_file(db: Database, clock: Clock, store: FileStore, actor: Actor, code: str, sha256: str, *,
                    thumbnail: bool, may_have: MayHave) -> tuple[AttachmentView, bytes]:
    """One file of a record (or its thumbnail) for ``actor``: the record within their scope or
    under an access grant, and the field one ``may_have(record, field)`` allows them (the forms
    package says whether a personal field's files are withheld from them). Audited as
    ``record.download`` naming the file, or ``record.download.denied``."""
    now = clock.now()
    with db.reading() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        rows = [] if record is None else [_view(row) for row in session.scalars(select(Attachment).where(
            Attachment.record_id == record.id, Attachment.sha256 == sha256).order_by(Attachment.id))]
        if record is None:
            raise NotFound(code)
        if not rows:
            raise NotFound(f"{code}: no such file")
        seen = may_see(actor, record) or active_grant(session, actor, code, now) is not None
        view = record_view(session, record) if seen else None
        department_id = record.department_id
    # the same bytes may be in two fields (one personal): any field the reader may have opens it
    found = next((row for row in rows if view is not None and may_have(view, row.field)), None)
    detail = {"via": "thumbnail" if thumbnail else "attachment", "field": (found or rows[0]).field,
              "sha256": sha256}
    if found is None:
        trail.append_alone(db, at=now, actor=actor, action="record.download.denied", object_type="record",
                           object_id=code, detail=detail)
        raise PermissionDenied(_("This file is withheld from you: it holds personal data you do not need."))
    if thumbnail and found.thumbnail_key is None:
        raise NotFound(f"{code}: no thumbnail of {sha256}")
    need = need_to_know.check(db, now, actor, code, department_id, purpose="download")
    need_to_know.audit_read(db, at=now, actor=actor, action="record.download", code=code,
                            detail=detail, need=need)
    return found, store.get(found.thumbnail_key if thumbnail and found.thumbnail_key else found.key)


def forget_fields(session: Session, record_id: int, fields: Iterable[str]) -> list[str]:
    """Delete the record's attachment rows of ``fields`` (an anonymisation drops a personal
    field's files from every revision); returns the store keys no row names any more, for the
    purge after commit (the same bytes attached elsewhere stay)."""
    wanted = list(fields)
    if not wanted:
        return []
    mine = (Attachment.record_id == record_id) & Attachment.field.in_(wanted)
    keys = set(session.scalars(select(Attachment.key).where(mine)))
    keys.update(k for k in session.scalars(select(Attachment.thumbnail_key).where(mine)) if k)
    session.execute(delete(Attachment).where(mine))
    if not keys:
        return []
    named = set(session.scalars(select(Attachment.key).where(Attachment.key.in_(keys))))
    named.update(session.scalars(select(Attachment.thumbnail_key).where(Attachment.thumbnail_key.in_(keys))))
    return sorted(keys - named)
