"""Stored renditions: write-once files in the instance's file store, their checksums, and reads.

A rendition is committed by its database row. The file is put in the store first (under its
content key, :mod:`archive.files`) and the row inserted after, naming that key in its ``path``
column, so a crash in between leaves at most a file without a row, which the retried render
finds already stored (the same bytes are the same key). Rows written before content keys name
paths such as ``CP/2026/CP-2026-000001.r1.archival.pdf``; the store reads those the same way.
Reading a file back is a read of the record: permission-checked and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive import need_to_know
from archive.files import FileStore
from archive.models import Record, Rendition
from archive.records import may_see
from core.audit import trail
from core.auth.roles import Actor, NotFound, PermissionDenied
from core.clock import Clock
from core.db import Database

ARCHIVAL = "archival"
SYSTEM_ACTOR = "system:renderer"


@dataclass(frozen=True)
class RenditionView:
    code: str
    revision: int
    kind: str
    profile: str
    content_fingerprint: str
    sha256: str
    size: int
    created_at: datetime
    archival_code: str | None = None  # the 档号 its filing stamp prints (archive.filing_stamp)


def store_rendition(db: Database, clock: Clock, store: FileStore, *, code: str, revision: int,
                    profile: str, content_fingerprint: str, pdf: bytes, pages: int | None = None,
                    archival_code: str | None = None) -> RenditionView:
    """File and record the archival rendition of ``code`` at ``revision``; idempotent.
    ``archival_code``: the 档号 the copy's filing stamp prints (a revision rendered after
    filing, archive.filing_stamp), None for a copy rendered before filing."""
    existing = _find(db, code, revision)
    if existing is not None:
        return existing
    stored_file = store.put(pdf)
    digest = stored_file.sha256
    try:
        with db.transaction() as session:
            record_id = session.scalar(select(Record.id).where(Record.code == code))
            if record_id is None:
                raise NotFound(code)
            session.add(Rendition(
                record_id=record_id, revision=revision, kind=ARCHIVAL, profile=profile,
                content_fingerprint=content_fingerprint, sha256=digest, size=len(pdf), pages=pages,
                path=stored_file.key, created_at=clock.now(), archival_code=archival_code))
            trail.append(session, at=clock.now(), actor=None, actor_name=SYSTEM_ACTOR,
                         action="rendition.store", object_type="record", object_id=code,
                         detail={"revision": revision, "sha256": digest, "profile": profile,
                                 **({"archival_code": archival_code} if archival_code else {})})
    except IntegrityError:  # another worker stored it first: the same bytes, by construction
        pass
    stored = _find(db, code, revision)
    assert stored is not None
    return stored


def renditions_of(db: Database, code: str) -> list[RenditionView]:
    """The stored renditions' metadata (shown on a record page whose read is audited already)."""
    with db.reading() as session:
        return renditions_in(session, code)


def renditions_in(session: Session, code: str) -> list[RenditionView]:
    """:func:`renditions_of` inside the caller's read."""
    return [RenditionView(*row) for row in session.execute(
        _VIEW.where(Record.code == code).order_by(Rendition.revision))]


def rendition_file(db: Database, clock: Clock, store: FileStore, actor: Actor, code: str,
                   revision: int | None = None) -> tuple[RenditionView, bytes]:
    """The stored archival file (latest revision by default); audited as ``record.download``
    (read first, then the event in its own short transaction: :func:`trail.append_alone`)."""
    with db.reading() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        if record is None:
            raise NotFound(code)
        seen = may_see(actor, record)
        row = _latest(session, record.id, revision) if seen else None
        department_id = record.department_id
    if not seen:  # the refusal is committed to the trail, then raised
        trail.append_alone(db, at=clock.now(), actor=actor, action="record.download.denied",
                           object_type="record", object_id=code, detail={"via": "archival"})
        raise PermissionDenied(f"record {code} belongs to another department")
    if row is None:
        raise NotFound(f"{code}: no archival copy stored yet")
    now = clock.now()
    need = need_to_know.check(db, now, actor, code, department_id, purpose="download")
    need_to_know.audit_read(db, at=now, actor=actor, action="record.download", code=code,
                            detail={"via": "archival", "revision": row.revision, "sha256": row.sha256},
                            need=need)
    return RenditionView(*row[:-1]), store.get(row.path)


def _latest(session: Session, record_id: int, revision: int | None) -> Row[Any] | None:
    query = _VIEW.add_columns(Rendition.path).where(Rendition.record_id == record_id)
    if revision is not None:
        query = query.where(Rendition.revision == revision)
    return session.execute(query.order_by(Rendition.revision.desc()).limit(1)).first()


_VIEW = select(Record.code, Rendition.revision, Rendition.kind, Rendition.profile,
               Rendition.content_fingerprint, Rendition.sha256, Rendition.size,
               Rendition.created_at, Rendition.archival_code).join_from(Rendition, Record,
                                                                         Rendition.record_id == Record.id)


def _find(db: Database, code: str, revision: int) -> RenditionView | None:
    with db.reading() as session:
        row = session.execute(_VIEW.where(Record.code == code, Rendition.revision == revision,
                                          Rendition.kind == ARCHIVAL)).first()
    return RenditionView(*row) if row else None
