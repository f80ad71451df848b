"""``archive verify``: every kind of damage is caught and named, and a sound instance is clean."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import delete, select, text

from archive.fixity import verify_archive
from archive.models import Record, RecordRevision, Rendition
from archive.stores import file_store
from core.audit.models import AuditEvent
from core.auth.roles import PermissionDenied
from core.web import services
from tests.support.file_stores import rendition_key, rendition_path
from tests.support.instance import actor_of
from tests.support.lifecycle import new_complaint, work_outbox


@pytest.fixture
def stored(app: Flask) -> list[str]:
    """Three complaints with their archival copies stored."""
    codes = [new_complaint(app) for _ in range(3)]
    assert "6 done, 0 failed" in work_outbox(app)
    return codes


def verify(app: Flask) -> Result:
    return app.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"])


def file_of(app: Flask, code: str) -> Path:
    return rendition_path(app, code)


def test_a_sound_instance_verifies_clean_in_one_line(app: Flask, stored: list[str]) -> None:
    result = verify(app)
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert line.startswith("clean: 3 files") and "codes" in line
    assert "Checksums" in result.stderr  # the progress bar
    with app.app_context(), services().db.reading() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "archive.verify"))
        assert event.detail == {"clean": True} and event.actor_name == "console"


def test_a_flipped_byte_is_caught_and_named(app: Flask, stored: list[str]) -> None:
    path = file_of(app, stored[1])
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    result = verify(app)
    assert result.exit_code == 1
    assert f"[checksum] {rendition_key(app, stored[1])}: SHA-256" in result.stdout
    assert f"of {stored[1]} r1" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("NOT clean: 1 problem(s) (1 checksum)")


def test_a_deleted_file_is_missing(app: Flask, stored: list[str]) -> None:
    key = rendition_key(app, stored[0])
    file_of(app, stored[0]).unlink()
    result = verify(app)
    assert result.exit_code == 1
    assert f"[missing] {key}: the renditions row of {stored[0]} r1 names this file" in result.stdout
    assert "(1 missing)" in result.stdout


def test_a_stray_file_and_a_leftover_temporary_file_are_reported_as_such(app: Flask,
                                                                         stored: list[str]) -> None:
    folder = file_of(app, stored[0]).parent
    old_layout = Path(app.instance_path) / "renditions" / "CP" / "2026"
    old_layout.mkdir(parents=True)
    (old_layout / "CP-2026-000099.r1.archival.pdf").write_bytes(b"%PDF-1.7 stray")
    with app.app_context():
        stray = file_store().put(b"%PDF-1.7 stray by content").key
    (folder / ".writing-abc123").write_bytes(b"half")
    result = verify(app)
    assert result.exit_code == 1
    assert "[extra] CP/2026/CP-2026-000099.r1.archival.pdf: no renditions row" in result.stdout
    assert f"[extra] {stray}: no renditions row names this file" in result.stdout
    temporary = (folder / ".writing-abc123").relative_to(Path(app.instance_path) / "renditions").as_posix()
    assert f"[temp] {temporary}: a temporary file" in result.stdout
    assert "(2 extra, 1 temp)" in result.stdout


def test_an_edited_audit_row_breaks_the_chain(app: Flask, stored: list[str]) -> None:
    with app.app_context(), services().db.transaction() as session:
        session.execute(text("DROP TRIGGER audit_events_no_update"))
        session.execute(text("UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 5"))
    result = verify(app)
    assert result.exit_code == 1
    assert "[audit] event seq=5" in result.stdout and "edited" in result.stdout


def test_a_deleted_record_leaves_a_code_gap_no_tombstone_explains(app: Flask) -> None:
    codes = [new_complaint(app) for _ in range(4)]  # no copies rendered: the rows alone
    with app.app_context(), services().db.transaction() as session:
        for code in codes[1:3]:
            record_id = session.scalar(select(Record.id).where(Record.code == code))
            session.execute(delete(RecordRevision).where(RecordRevision.record_id == record_id))
            session.execute(delete(Rendition).where(Rendition.record_id == record_id))
            session.execute(delete(Record).where(Record.id == record_id))
    result = verify(app)
    assert result.exit_code == 1
    assert f"[code-gap] {codes[1]} … {codes[2]} (2 codes): minted, but neither" in result.stdout
    assert codes[0] not in result.stdout and codes[3] not in result.stdout


def test_the_service_returns_the_report_and_checks_who_asks(app: Flask, stored: list[str]) -> None:
    key = rendition_key(app, stored[2])
    file_of(app, stored[2]).unlink()
    with app.app_context():
        s = services()
        store = file_store()
        report = verify_archive(s.db, s.clock, store, actor=actor_of(app, "auditor"))
        assert [(p.kind, p.subject) for p in report.problems] == [("missing", key)]
        assert report.files_checked == 3 and not report.clean
        with pytest.raises(PermissionDenied):
            verify_archive(s.db, s.clock, store, actor=actor_of(app, "clerk"))
