"""Attachments travel with the archive (issue 19): ``archive export`` carries each record's
attachment rows and every object once with its checksum, ``archive import`` puts them back under
the same keys (``archive verify`` clean, the same bytes), and ``archive backup`` / ``restore``
bring them back after the instance is wiped."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from archive.attachment_models import Attachment
from archive.models import Record
from archive.retention import ensure_defaults
from archive.stores import file_store
from core import db_schema
from core.auth import accounts
from core.auth.departments import ensure_default_departments
from core.clock import FrozenClock
from core.web import services
from forms import versions
from forms.spec.library import load_or_fail
from tests.support.attachments import stored_files
from tests.support.instance import PASSWORD, make_app
from tests.support.lifecycle import close_complaint, submit_cp, work_outbox
from tests.support.upload_samples import clean_pdf, photo_jpeg, png_with_text


def _attachments(app: Flask) -> list[tuple]:
    """Every attachment by record code, as an instance-independent tuple, with its bytes."""
    with app.app_context(), services().db.reading() as session:
        rows = session.execute(select(Record.code, Attachment.field, Attachment.sha256, Attachment.key,
                                      Attachment.name, Attachment.media_type, Attachment.size,
                                      Attachment.revision, Attachment.thumbnail_key)
                               .join(Record, Record.id == Attachment.record_id)
                               .order_by(Record.code, Attachment.id)).all()
        store = file_store()
        return [(*row, store.get(row.key), store.get(row.thumbnail_key)) for row in rows]


@pytest.fixture
def source(app: Flask) -> Flask:
    """A filed complaint with two photos, and an open one sharing the first photo."""
    shared = photo_jpeg()
    filed = submit_cp(app, defect_photos=stored_files(app, shared, ("scratch.png", png_with_text()[1])))
    close_complaint(app, filed)
    submit_cp(app, defect_photos=stored_files(app, shared))
    work_outbox(app)
    return app


@pytest.fixture
def target(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
           clock: FrozenClock) -> Iterator[Flask]:
    """A new instance as `flask init` leaves it."""
    folder = tmp_path_factory.mktemp("target")
    monkeypatch.setenv("DOSSIER_INSTANCE", str(folder))
    application = make_app(f"sqlite:///{folder}/dossier.sqlite3", clock)
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


def test_export_then_import_carries_every_attachment_with_its_checksum(
        source: Flask, target: Flask, tmp_path: Path) -> None:
    out = tmp_path / "export"
    exported = source.test_cli_runner().invoke(args=["archive", "export", "--lang", "en", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    manifest = json.loads((out / "manifest.json").read_text())
    paths = [entry["path"] for entry in manifest["files"]]
    assert len(paths) == len(set(paths))  # the shared photo is one object in the export
    attached = _attachments(source)
    assert len(attached) == 3 and {f"renditions/{row[3]}" for row in attached} <= set(paths)
    imported = target.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
    assert imported.exit_code == 0, imported.output
    verified = target.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"])
    assert verified.exit_code == 0 and verified.stdout.startswith("clean:"), verified.output
    assert _attachments(target) == attached


def test_an_attachment_changed_in_the_export_is_refused_and_nothing_imported(
        source: Flask, target: Flask, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert source.test_cli_runner().invoke(args=["archive", "export",
                                                 "--lang", "en", "--out", str(out)]).exit_code == 0
    key = _attachments(source)[0][3]
    (out / "renditions" / key).write_bytes(clean_pdf(1)[1])
    imported = target.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
    assert imported.exit_code != 0 and key in imported.output
    assert _attachments(target) == []


def test_backup_wipe_restore_brings_the_attachments_back(source: Flask, tmp_path: Path) -> None:
    attached = _attachments(source)
    backup = source.test_cli_runner().invoke(args=["archive", "backup",
                                                   "--lang", "en", "--out", str(tmp_path / "backup")])
    assert backup.exit_code == 0, backup.output
    instance = Path(source.instance_path)
    with source.app_context():
        services().db.dispose()
    for name in ("dossier.sqlite3", "dossier.sqlite3-wal", "dossier.sqlite3-shm"):
        (instance / name).unlink(missing_ok=True)
    shutil.rmtree(instance / "renditions")
    restored = source.test_cli_runner().invoke(args=["archive", "restore",
                                                     "--lang", "en", str(tmp_path / "backup")])
    assert restored.exit_code == 0, restored.output
    verified = source.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"])
    assert verified.exit_code == 0 and verified.stdout.startswith("clean:"), verified.output
    assert _attachments(source) == attached
