"""The inbox count and list served from the tallies the database keeps, on SQLite: equal to a
brute-force count after every write path (the PostgreSQL twin is
tests/forms/test_postgres_inbox_tallies.py), and read without scanning the records."""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic import command
from flask import Flask
from sqlalchemy import inspect, select, text

import forms.inbox
from archive.models import Record
from archive.retention import ensure_defaults
from core import db_schema
from core.auth.departments import ensure_default_departments
from core.clock import FrozenClock
from core.web import services
from forms import versions
from forms.inbox import inbox
from forms.spec.library import load_or_fail
from tests.support.inbox_tallies import (
    AR,
    check,
    inbox_plans,
    kept_tallies,
    submit,
    waiting_by_workflow,
    walk_write_paths,
)
from tests.support.instance import actor_of, make_app
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox


def test_every_write_path_keeps_the_tallies_and_the_inbox_right(app: Flask, clock: FrozenClock) -> None:
    steps = walk_write_paths(app, clock)
    assert steps == ["submissions", "countersign", "return", "complete", "classify", "correct", "approve",
                     "close and countersign", "filing", "deadline tick", "anonymisation", "disposal",
                     "statements on several records"]


def test_a_restored_backup_has_its_tallies(app: Flask, clock: FrozenClock, tmp_path: Path) -> None:
    for code in (new_complaint(app), new_complaint(app)):
        close_complaint(app, code, countersign=code.endswith("1"))
    work_outbox(app)
    before = kept_tallies(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["archive", "backup",
                               "--lang", "en", "--out", str(tmp_path / "backup")]).exit_code == 0
    with app.app_context():
        services().db.dispose()
    instance = Path(app.instance_path)
    for name in ("dossier.sqlite3", "dossier.sqlite3-wal", "dossier.sqlite3-shm"):
        (instance / name).unlink(missing_ok=True)
    shutil.rmtree(instance / "renditions")
    result = runner.invoke(args=["archive", "restore", "--lang", "en", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert kept_tallies(app) == before
    check(app, "restore")


def test_the_migration_counts_the_records_already_there(app: Flask) -> None:
    """Migration 0011 fills the tallies from the records there (an instance upgraded, a backup
    made before it and restored): taken back to 0010 and up again, the tallies are the same."""
    new_complaint(app)
    close_complaint(app, new_complaint(app), countersign=False)
    before = kept_tallies(app)
    assert sum(before.values()) == 2
    with app.app_context():
        db = services().db
        command.downgrade(db_schema.alembic_config(db), "0010")
        assert not inspect(db.engine).has_table("record_tallies")
        db_schema.upgrade(db)
    assert kept_tallies(app) == before
    check(app, "migration over existing records")


def test_the_count_reads_tallies_not_records(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    """With the tallies emptied behind the triggers' back, the count says nothing waits though
    records do: it reads the tallies alone."""
    new_complaint(app)
    check(app, "one complaint")
    with app.app_context(), services().db.transaction() as session:
        session.execute(text("UPDATE record_tallies SET n = 0"))
    assert 'class="count"' not in logged_in("supervisor").get("/forms").text


def test_the_list_merges_its_parts_in_the_inbox_order(app: Flask, clock: FrozenClock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Complaints whose deadlines run (received in another order than submitted), one whose
    deadline was met (closed, to countersign), access requests without a deadline: the running
    deadlines first, earliest first, then the rest oldest first, whichever part and index each
    comes from; cut at MAX_TASKS with the total still counting all."""
    codes = []
    for received in ("08:00", "06:30", "09:10", "07:45"):
        clock.advance(minutes=1, microseconds=123456)
        codes.append(new_complaint(app, received_at=f"2026-03-02T{received}:00+08:00"))
    close_complaint(app, codes[1], countersign=False)
    for _ in range(2):
        clock.advance(minutes=1, microseconds=123456)
        submit(app, "clerk", "AR", AR)
    supervisor = actor_of(app, "supervisor")
    waiting = waiting_by_workflow(app, "supervisor")
    with app.app_context(), services().db.reading() as session:
        rows = session.execute(select(Record.code, Record.due_at, Record.deadline_met_at, Record.submitted_at,
                                      Record.id).where(Record.code.in_(waiting))).all()
    keys = {code: (due is None or met is not None, due if met is None else None, at, i)
            for code, due, met, at, i in rows}
    expected = sorted(keys, key=lambda code: (keys[code][0], keys[code][1] or keys[code][2], *keys[code][2:]))
    assert len(expected) == 6 and expected[-3] == codes[1]  # the met deadline after the running ones
    assert [codes[i] for i in (1, 3, 0, 2)] != expected[:4]
    with app.app_context():
        s = services()
        assert [t.code for t in inbox(s.db, s.clock, supervisor)[0]] == expected
        monkeypatch.setattr(forms.inbox, "MAX_TASKS", 4)
        tasks, total = inbox(s.db, s.clock, supervisor)
    assert [t.code for t in tasks] == expected[:4] and total == 6


def test_the_inbox_and_its_count_read_no_growing_table_whole(app: Flask) -> None:
    found = inbox_plans(app)
    assert {user: scanned for user, scanned in found.items() if user != "plans"} == {
        "supervisor": {}, "clerk": {}, "archivist": {}, "auditor": {}}
    assert set(found["plans"]) == {"supervisor", "clerk", "archivist"}
    for plan in found["plans"].values():
        assert "ix_records_inbox_" in plan, plan


def test_an_imported_archive_has_its_tallies(app: Flask, clock: FrozenClock, tmp_path: Path,
                                             monkeypatch) -> None:  # type: ignore[no-untyped-def]
    signed, unsigned = new_complaint(app), new_complaint(app)
    close_complaint(app, signed)
    close_complaint(app, unsigned, countersign=False)
    new_complaint(app, customer_name="北京宏达")
    work_outbox(app)
    out = tmp_path / "export"
    exported = app.test_cli_runner().invoke(args=["archive", "export", "--lang", "en", "--out", str(out),
                                                  "--by", "archivist"])
    assert exported.exit_code == 0, exported.output
    monkeypatch.setenv("DOSSIER_INSTANCE", str(tmp_path / "target"))
    target = make_app(f"sqlite:///{tmp_path}/target.sqlite3", clock)
    with target.app_context():
        s = services()
        db_schema.upgrade(s.db)
        ensure_default_departments(s.db)
        ensure_defaults(s.db, s.clock)
        versions.register_specs(s.db, s.clock, load_or_fail())
    imported = target.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
    assert imported.exit_code == 0, imported.output
    assert sum(kept_tallies(target).values()) == 3
    assert sorted(kept_tallies(target).values()) == sorted(kept_tallies(app).values())
    check(target, "import")
    with target.app_context():
        services().db.dispose()
