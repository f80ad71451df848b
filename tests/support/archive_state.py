"""The archive's content by code and username (not by id), to compare two instances."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from archive.models import Record, RecordRevision, Rendition, Tombstone
from core.auth.models import Department, User
from core.web import services


def archive_state(app: Flask) -> dict[str, Any]:
    """Everything an import must reproduce, by code and username rather than by id."""
    with app.app_context(), services().db.reading() as session:
        names = dict(session.execute(select(User.id, User.username)).all())
        departments = dict(session.execute(select(Department.id, Department.code)).all())
        records = {}
        for record in session.scalars(select(Record).order_by(Record.code)):
            records[record.code] = {
                **{c.name: getattr(record, c.name) for c in Record.__table__.c
                   if c.name not in ("id", "submitted_by_id", "countersigned_by_id", "department_id")},
                "submitted_by": names[record.submitted_by_id],
                "countersigned_by": names.get(record.countersigned_by_id),
                "department": departments.get(record.department_id)}
        renditions = sorted((r.path, r.sha256, r.size, r.pages, r.archival_code, r.replaced_sha256)
                            for r in session.scalars(select(Rendition)))  # stamped copies too (0024)
        tombstones = sorted(t.code for t in session.scalars(select(Tombstone)))
    return {"records": records, "renditions": renditions, "tombstones": tombstones}


def revisions_of(app: Flask, code: str) -> list[tuple[Any, ...]]:
    with app.app_context(), services().db.reading() as session:
        rows = session.execute(
            select(RecordRevision, User.username).join(Record, Record.id == RecordRevision.record_id)
            .join(User, User.id == RecordRevision.actor_id).where(Record.code == code)
            .order_by(RecordRevision.number)).all()
        return [(r.number, r.action, r.state, r.data, r.at, r.reason, who) for r, who in rows]
