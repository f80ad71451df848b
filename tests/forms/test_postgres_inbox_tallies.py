"""The record tallies (statement triggers over transition tables) and the inbox on a real
PostgreSQL server: equal to a brute-force count after every write path, an import included."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import update

from archive.models import Record
from archive.retention import ensure_defaults
from core import db_schema
from core.audit import trail
from core.auth import accounts
from core.auth.departments import ensure_default_departments
from core.clock import FrozenClock
from core.web import services
from forms import versions
from forms.spec.library import load_or_fail
from tests.support.inbox_tallies import check, inbox_plans, kept_tallies, walk_write_paths
from tests.support.instance import PASSWORD, make_app
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.postgres


def test_every_write_path_keeps_the_tallies_and_the_inbox_right(pg_app: Flask, clock: FrozenClock) -> None:
    assert "statements on several records" in walk_write_paths(pg_app, clock)


def test_the_inbox_and_its_count_read_no_growing_table_whole(pg_app: Flask) -> None:
    found = inbox_plans(pg_app)
    assert {user: scanned for user, scanned in found.items() if user != "plans"} == {
        "supervisor": {}, "clerk": {}, "archivist": {}, "auditor": {}}
    assert set(found["plans"]) == {"supervisor", "clerk", "archivist"}
    for plan in found["plans"].values():
        assert "ix_records_inbox_" in plan, plan


@pytest.fixture
def pg_target(pg_server: PostgresServer, instance_dir: Path, clock: FrozenClock,
              tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """A new PostgreSQL instance as `flask init` and one `users create` leave it."""
    monkeypatch.setenv("DOSSIER_INSTANCE", str(tmp_path_factory.mktemp("pg-target")))
    application = make_app(pg_server.create_database(), clock)
    with application.app_context():
        s = services()
        db_schema.upgrade(s.db)
        ensure_default_departments(s.db)
        ensure_defaults(s.db, s.clock)
        versions.register_specs(s.db, s.clock, load_or_fail())
        accounts.create_user(s.db, s.clock, username="admin", password=PASSWORD, role="admin",
                             department_code="ARCHIVE")
    yield application
    with application.app_context():
        services().db.dispose()


def test_an_imported_archive_has_its_tallies(pg_app: Flask, pg_target: Flask, tmp_path: Path) -> None:
    signed, unsigned = new_complaint(pg_app), new_complaint(pg_app)
    close_complaint(pg_app, signed)
    close_complaint(pg_app, unsigned, countersign=False)
    new_complaint(pg_app, customer_name="北京宏达")
    work_outbox(pg_app)
    out = tmp_path / "export"
    exported = pg_app.test_cli_runner().invoke(args=["archive", "export", "--lang", "en", "--out", str(out),
                                                     "--by", "archivist"])
    assert exported.exit_code == 0, exported.output
    imported = pg_target.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
    assert imported.exit_code == 0, imported.output
    assert sum(kept_tallies(pg_target).values()) == 3
    assert sorted(kept_tallies(pg_target).values()) == sorted(kept_tallies(pg_app).values())
    check(pg_target, "import")


def test_a_writer_waiting_for_the_audit_head_holds_no_tally_row(pg_app: Flask) -> None:
    """A destruction list holds the audit head while it goes on deleting records (renewal
    registers filed long ago, still in their state "submitted"); the clerk submitting a new one
    meanwhile, of the same kind, inserts it and then waits for the head. Had the tally row been
    taken at the insert, each would wait for the other (PostgreSQL ends one as a deadlock);
    taken at commit, the submission waits, then both go through."""
    listed = new_complaint(pg_app)
    holding, go = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def hold_the_head() -> None:
        try:
            with pg_app.app_context(), services().db.transaction() as session:
                trail.append(session, at=services().clock.now(), actor=None, action="test.hold",
                             object_type="record", object_id=listed)
                holding.set()
                go.wait(10)
                session.execute(update(Record).where(Record.code == listed).values(
                    countersigned_at=services().clock.now()))
            outcome["holder"] = "committed"
        except Exception as exc:  # handed to the test to assert on
            outcome["holder"] = exc

    def submit_one() -> None:
        try:
            outcome["waiter"] = new_complaint(pg_app)
        except Exception as exc:
            outcome["waiter"] = exc

    holder = threading.Thread(target=hold_the_head)
    holder.start()
    assert holding.wait(10)
    waiter = threading.Thread(target=submit_one)
    waiter.start()
    waiter.join(1.0)
    assert waiter.is_alive(), "the submission went ahead while the audit head was held"
    go.set()
    holder.join(15)
    waiter.join(15)
    assert outcome == {"holder": "committed", "waiter": "CP-2026-000002"}
    check(pg_app, "two writers of one kind")
