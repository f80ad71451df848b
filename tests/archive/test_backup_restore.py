"""The restore drill: filed records and a executed destruction list, backed up with SQLite's online
backup API, the instance wiped, restored; ``archive verify`` is clean, the data is equal, and
destroyed records stay destroyed."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from archive import disposal
from archive.models import Record
from archive.records import get_record
from core.auth.roles import NotFound
from core.clock import FrozenClock
from core.web import services
from forms.registers import disposal_hooks
from tests.support.archive_cli import archive_cli as cli
from tests.support.archive_state import archive_state, revisions_of
from tests.support.destruction import witness
from tests.support.file_stores import rendition_keys, stored_path
from tests.support.instance import actor_of
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox

#: Complaints filed on 2 March 2026 are kept to 31 December 2029.
DAYS_TO_2030 = (date(2030, 1, 1) - date(2026, 3, 2)).days




def destroy(app: Flask, code: str) -> str:
    """Propose, approve and execute a destruction list of ``code``; the register's code."""
    with app.app_context():
        s = services()
        archivist = actor_of(app, "archivist")
        listed = disposal.propose(s.db, s.clock, s.zone, archivist, [code], "到期销毁")
        disposal.decide(s.db, s.clock, actor_of(app, "admin"), listed.id, approve=True)
        witness(app, listed.id)
        done = disposal.execute(s.db, s.clock, s.zone, archivist, listed.id,
                                disposal_hooks(s.db, s.clock, s.zone))
    assert dict(done.items) == {code: "destroyed"}
    work_outbox(app)  # the destroyed files go, the register is rendered and filed
    return done.register_code


def wipe(app: Flask) -> None:
    instance = Path(app.instance_path)
    with app.app_context():
        services().db.dispose()
    for name in ("dossier.sqlite3", "dossier.sqlite3-wal", "dossier.sqlite3-shm"):
        (instance / name).unlink(missing_ok=True)
    shutil.rmtree(instance / "renditions")


@pytest.fixture
def drilled(app: Flask, clock: FrozenClock) -> dict[str, str]:
    kept, destroyed = new_complaint(app), new_complaint(app)
    for code in (kept, destroyed):
        close_complaint(app, code)
    open_one = new_complaint(app, customer_name="北京宏达")
    work_outbox(app)
    clock.advance(days=DAYS_TO_2030)
    keys = rendition_keys(app, destroyed)
    register = destroy(app, destroyed)
    assert keys and not any(stored_path(app, key).exists() for key in keys)  # purged after commit
    return {"kept": kept, "destroyed": destroyed, "open": open_one, "register": register,
            "destroyed_keys": " ".join(keys)}


def test_back_up_wipe_restore_verify_clean_and_destroyed_stays_destroyed(
        app: Flask, drilled: dict[str, str], tmp_path: Path) -> None:
    before = cli(app, "verify")
    assert before.exit_code == 0, before.output  # the tombstone explains the destroyed code
    state = archive_state(app)
    assert drilled["destroyed"] in state["tombstones"] and drilled["register"] in state["records"]
    revisions = {code: revisions_of(app, code) for code in state["records"]}
    result = cli(app, "backup", "--out", str(tmp_path / "backup"))
    assert result.exit_code == 0, result.output
    assert "search rebuild" in result.stdout and "Copying files" in result.stderr

    wipe(app)
    result = cli(app, "restore", str(tmp_path / "backup"))
    assert result.exit_code == 0, result.output
    after = cli(app, "verify")
    assert after.exit_code == 0 and after.stdout.startswith("clean:"), after.output
    assert archive_state(app) == state
    assert {code: revisions_of(app, code) for code in state["records"]} == revisions
    with app.app_context():
        s = services()
        with pytest.raises(NotFound):
            get_record(s.db, s.clock, actor_of(app, "admin"), drilled["destroyed"])
        with s.db.reading() as session:
            assert session.scalar(select(Record).where(Record.code == drilled["destroyed"])) is None
    assert not any(stored_path(app, key).exists() for key in drilled["destroyed_keys"].split())


def test_restore_refuses_a_used_instance_and_a_damaged_backup(app: Flask, tmp_path: Path) -> None:
    new_complaint(app)
    work_outbox(app)
    assert cli(app, "backup", "--out", str(tmp_path / "backup")).exit_code == 0
    result = cli(app, "restore", str(tmp_path / "backup"))
    assert result.exit_code == 1 and "this instance is not empty (1 records" in result.output
    again = cli(app, "backup", "--out", str(tmp_path / "backup"))
    assert again.exit_code == 1 and "is not an empty folder" in again.output

    [pdf] = [path for path in (tmp_path / "backup" / "renditions").rglob("*") if path.is_file()]
    pdf.write_bytes(pdf.read_bytes() + b"\n")
    wipe(app)
    result = cli(app, "restore", str(tmp_path / "backup"))
    assert result.exit_code == 1
    assert f"{pdf.relative_to(tmp_path / 'backup').as_posix()}: SHA-256" in result.output
    assert not (Path(app.instance_path) / "renditions").exists()
    assert cli(app, "restore", str(tmp_path)).exit_code == 2  # no manifest: not a backup folder


def test_backup_on_postgresql_says_to_use_pg_dump(pg_app: Flask, tmp_path: Path) -> None:
    result = cli(pg_app, "backup", "--out", str(tmp_path / "backup"))
    assert result.exit_code == 1
    assert "runs on PostgreSQL" in result.output and "pg_dump" in result.output
    assert "docs/backup.md" in result.output and not (tmp_path / "backup").exists()
