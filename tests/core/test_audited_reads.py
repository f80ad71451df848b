"""A read of a record is audited without holding the writer lock while it reads (issue 16).

On SQLite every write transaction takes the one writer lock (BEGIN IMMEDIATE, and the writers'
flock before it); the audit chain head is locked from the append until commit. A read done
inside that transaction queued every page of every worker behind it. Reads now read first and
append their event in a short transaction of its own (``core.audit.trail.append_alone``).
"""

from __future__ import annotations

import fcntl
import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from archive import records
from archive.content import content_fingerprint
from archive.folder_store import FolderStore
from archive.records import get_record
from archive.renditions import rendition_file
from archive.verification import PUBLIC, verify_file, verify_fingerprint
from core.audit import trail
from core.audit.models import AuditEvent
from core.auth.roles import PermissionDenied
from core.web import services
from forms.day_register import registrations_of
from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox


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


@contextmanager
def lock_at_each_select(app: Flask, database: Path) -> Iterator[list[bool]]:
    """Whether the writer lock was free as each SELECT the application ran meanwhile began."""
    free: list[bool] = []
    with app.app_context():
        engine = services().db.engine

    def check(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            free.append(writer_lock_is_free(database))

    event.listen(engine, "before_cursor_execute", check)
    try:
        yield free
    finally:
        event.remove(engine, "before_cursor_execute", check)


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


def test_an_archival_download_reads_without_the_writer_lock_and_is_audited_once(app, instance_dir):
    code = new_complaint(app)
    close_complaint(app, code)
    work_outbox(app)
    with app.app_context(), lock_at_each_select(app, instance_dir / "dossier.sqlite3") as free:
        s = services()
        stored, data = rendition_file(s.db, s.clock, FolderStore(instance_dir / "renditions"),
                                      actor_of(app, "archivist"), code)
    assert data.startswith(b"%PDF") and free and all(free)
    assert events(app, "record.download") == [("archivist", code, {
        "via": "archival", "revision": stored.revision, "sha256": stored.sha256})]
    with app.app_context(), pytest.raises(PermissionDenied):
        rendition_file(services().db, services().clock, FolderStore(instance_dir / "renditions"),
                       actor_of(app, "sales"), code)
    assert events(app, "record.download.denied") == [("sales", code, {"via": "archival"})]


def test_a_copy_is_verified_without_the_writer_lock_and_each_check_audited(app, instance_dir, cs_code):
    with app.app_context():
        s = services()
        view = get_record(s.db, s.clock, actor_of(app, "clerk"), cs_code)
        with lock_at_each_select(app, instance_dir / "dossier.sqlite3") as free:
            by_link = verify_fingerprint(s.db, s.clock, cs_code, 1, content_fingerprint(view)[:16])
            by_file = verify_file(s.db, s.clock, actor_of(app, "clerk"), b"%PDF-1.7 not stored")
    assert (by_link.outcome, by_file.outcome) == ("match", "no-match") and free and all(free)
    assert events(app, "record.verify") == [
        (PUBLIC, cs_code, {"by": "fingerprint", "revision": 1, "outcome": "match"}),
        ("clerk", "", {"by": "file", "sha256": hashlib.sha256(b"%PDF-1.7 not stored").hexdigest(),
                       "outcome": "no-match"})]


def test_the_days_registrations_are_listed_without_the_writer_lock(app, instance_dir, clock):
    visit = {"visit_date": "2026-03-02", "customer_name": "周女士", "phone": "13700001111",
             "needs": "三居室", "receiving_staff": "sales"}
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "sales"), "VR", visit).code
        with lock_at_each_select(app, instance_dir / "dossier.sqlite3") as free:
            listed = registrations_of(s.db, s.clock, actor_of(app, "sales_boss"), clock.now().date())
    assert [v.code for v in listed] == [code] and free and all(free)
    assert events(app, "record.list") == [("sales_boss", "", {"day": "2026-03-02", "codes": [code]})]
