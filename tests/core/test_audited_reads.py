"""A read of a record is audited without holding the writer lock while it reads (issue 16).

On SQLite every write transaction takes the one writer lock (BEGIN IMMEDIATE, and the writers'
flock before it); the audit chain head is locked from the append until commit. A read done
inside that transaction queued every page of every worker behind it. Reads now read first and
append their event in a short transaction of its own (``core.audit.trail.append_alone``).
"""

from __future__ import annotations

import fcntl
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from archive import records
from archive.records import get_record
from core.audit import trail
from core.audit.models import AuditEvent
from core.auth.roles import PermissionDenied
from core.web import services
from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of


@pytest.fixture
def cs_code(app) -> str:  # type: ignore[no-untyped-def]
    """A complaint filed by the CS clerk."""
    with app.app_context():
        return submit(services().db, services().clock, services().zone, actor_of(app, "clerk"), "CP",
                      VALID_CP).code


def events(app, action: str) -> list[tuple[str, str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    with app.app_context(), services().db.reading() as session:
        return [(e.actor_name, e.object_id, e.detail) for e in
                session.scalars(select(AuditEvent).filter_by(action=action).order_by(AuditEvent.seq))]


def writer_lock_is_free(database: Path) -> bool:
    """Whether another writer could start now: the writers' flock and SQLite's write lock."""
    with (database.parent / (database.name + ".writers")).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
    other = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:  # database is locked
        return False
    finally:
        other.close()


def test_a_record_is_read_without_the_writer_lock_and_audited_once(app, instance_dir, cs_code, monkeypatch):
    seen_free: list[bool] = []
    building = records.record_view

    def record_view_watching_the_lock(*args: Any, **kwargs: Any) -> Any:
        seen_free.append(writer_lock_is_free(instance_dir / "dossier.sqlite3"))
        return building(*args, **kwargs)

    monkeypatch.setattr(records, "record_view", record_view_watching_the_lock)
    with app.app_context():
        view = get_record(services().db, services().clock, actor_of(app, "clerk"), cs_code)
    assert view.code == cs_code and view.revisions[0].action == "submit"
    assert seen_free == [True]
    assert events(app, "record.read") == [("clerk", cs_code, {"via": "web"})]


def test_another_departments_record_is_refused_and_the_refusal_audited_once(app, cs_code):
    with app.app_context(), pytest.raises(PermissionDenied):
        get_record(services().db, services().clock, actor_of(app, "sales"), cs_code, channel="api")
    assert events(app, "record.read.denied") == [("sales", cs_code, {"via": "api"})]
    assert events(app, "record.read") == []


def test_a_read_whose_event_cannot_be_written_shows_nothing(app, cs_code, monkeypatch):
    def failing(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(trail, "append_alone", failing)
    with app.app_context(), pytest.raises(RuntimeError):
        get_record(services().db, services().clock, actor_of(app, "clerk"), cs_code)


def test_append_alone_commits_one_event_in_its_own_transaction(app, clock):
    with app.app_context():
        db = services().db
        with db.reading() as session:
            before = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
        seq = trail.append_alone(db, at=clock.now(), actor=actor_of(app, "auditor"), action="record.list",
                                 object_type="record", detail={"page": 2})
        with db.reading() as session:
            checked, broken = trail.verify(session)
    assert seq == before + 1 and broken is None and checked == seq
    assert events(app, "record.list") == [("auditor", "", {"page": 2})]
