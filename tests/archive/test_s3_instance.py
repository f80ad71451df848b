"""An instance whose files live in S3 (``FILE_STORE = "s3"``), driven end to end against the real
Swift the suite starts: archival PDFs stored as objects by the outbox, downloaded through the
record page, checked by ``archive verify`` (tampered and missing objects named), deleted by a
disposal, carried by export/import into another instance's bucket, and by backup/restore.
Nothing here reads the instance folder for a stored file: the bucket is looked at directly.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from archive import disposal
from archive.files import content_key
from archive.models import Rendition
from archive.s3_store import S3Store
from archive.stores import file_store
from core import db_schema
from core.auth import accounts
from core.auth.departments import ensure_default_departments
from core.clock import FrozenClock
from core.web import services
from forms import versions
from forms.registers import disposal_hooks
from forms.spec.library import load_or_fail
from tests.support.archive_cli import archive_cli as cli
from tests.support.archive_state import archive_state
from tests.support.destruction import witness
from tests.support.file_stores import rendition_key
from tests.support.instance import PASSWORD, actor_of, login, make_app
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox
from tests.support.s3_fixtures import S3Bucket, interrupt_upload, new_bucket

pytestmark = pytest.mark.s3

PREFIX = "office-a"
DAYS_TO_2030 = (date(2030, 1, 1) - date(2026, 3, 2)).days


@pytest.fixture
def s3_app(template_db: Path, instance_dir: Path, clock: FrozenClock, s3_bucket: S3Bucket) -> Iterator[Flask]:
    """A populated SQLite instance whose file store is ``PREFIX`` in a fresh bucket."""
    database = instance_dir / "dossier.sqlite3"
    shutil.copy(template_db, database)
    application = make_app(f"sqlite:///{database}", clock, **s3_bucket.config(PREFIX))
    yield application
    with application.app_context():
        services().db.dispose()


def objects(bucket: S3Bucket, prefix: str = PREFIX) -> dict[str, bytes]:
    """Every object under ``prefix/`` in the bucket, by store key."""
    listing = bucket.client.list_objects_v2(Bucket=bucket.name, Prefix=f"{prefix}/")
    return {item["Key"][len(prefix) + 1:]: bucket.client.get_object(Bucket=bucket.name, Key=item["Key"])
            ["Body"].read() for item in listing.get("Contents", ())}




def test_the_app_uses_the_configured_bucket(s3_app: Flask, s3_bucket: S3Bucket) -> None:
    store = file_store(s3_app)
    assert isinstance(store, S3Store)
    assert store.describe() == f"s3://{s3_bucket.name}/{PREFIX} ({s3_bucket.server.endpoint})"
    assert not (Path(s3_app.instance_path) / "renditions").exists()


def test_an_archival_pdf_is_an_object_and_downloads_from_the_record_page(
        s3_app: Flask, s3_bucket: S3Bucket) -> None:
    code = new_complaint(s3_app)
    assert "done, 0 failed" in work_outbox(s3_app)
    key = rendition_key(s3_app, code)
    stored = objects(s3_bucket)
    assert list(stored) == [key] and stored[key].startswith(b"%PDF-")
    assert not list((Path(s3_app.instance_path)).rglob("*.pdf"))  # nothing kept beside the database
    clerk = s3_app.test_client()
    login(clerk, "clerk")
    response = clerk.get(f"/records/{code}/archival.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == stored[key]


def test_verify_reads_every_object_and_names_tampered_missing_stray_and_unfinished_ones(
        s3_app: Flask, s3_bucket: S3Bucket) -> None:
    codes = [new_complaint(s3_app) for _ in range(3)]
    work_outbox(s3_app)
    clean = cli(s3_app, "verify")
    assert clean.exit_code == 0 and clean.stdout.startswith("clean: 3 files"), clean.output
    tampered, missing = rendition_key(s3_app, codes[0]), rendition_key(s3_app, codes[2])
    original = objects(s3_bucket)[tampered]
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key=f"{PREFIX}/{tampered}",
                                Body=original[:-1] + bytes([original[-1] ^ 1]))
    s3_bucket.client.delete_object(Bucket=s3_bucket.name, Key=f"{PREFIX}/{missing}")
    stray = content_key("e" * 64)
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key=f"{PREFIX}/{stray}", Body=b"%PDF-1.7 stray")
    interrupt_upload(file_store(s3_app), content_key("f" * 64), b"half" * 100)
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key="office-b/other-instance.pdf", Body=b"not ours")
    result = cli(s3_app, "verify")
    assert result.exit_code == 1, result.output
    assert f"[checksum] {tampered}" in result.stdout and f"[missing] {missing}" in result.stdout
    assert f"[extra] {stray}" in result.stdout
    assert f"[temp] {content_key('f' * 64)} (unfinished upload" in result.stdout
    assert "other-instance" not in result.stdout  # another prefix is another instance's
    assert "(1 checksum, 1 extra, 1 missing, 1 temp)" in result.stdout


def test_refused_credentials_make_verify_fail_with_one_clear_line(
        s3_app: Flask, s3_bucket: S3Bucket, clock: FrozenClock) -> None:
    new_complaint(s3_app)
    work_outbox(s3_app)
    broken = make_app(s3_app.config["DATABASE_URL"], clock,
                      **{**s3_bucket.config(PREFIX), "S3_SECRET_ACCESS_KEY": "wrong"})
    result = cli(broken, "verify")
    with broken.app_context():
        services().db.dispose()
    assert result.exit_code != 0
    assert "access denied: check S3_ACCESS_KEY_ID" in result.output, result.output
    assert "Traceback" not in result.output


def destroy(app: Flask, code: str) -> None:
    """Propose, approve and execute a destruction list of ``code``, then let the outbox purge."""
    with app.app_context():
        s = services()
        archivist = actor_of(app, "archivist")
        listed = disposal.propose(s.db, s.clock, s.zone, archivist, [code], "到期销毁")
        disposal.decide(s.db, s.clock, actor_of(app, "admin"), listed.id, approve=True)
        witness(app, listed.id)
        done = disposal.execute(s.db, s.clock, s.zone, archivist, listed.id,
                                disposal_hooks(s.db, s.clock, s.zone))
    assert dict(done.items) == {code: "destroyed"}
    work_outbox(app)


def test_disposal_deletes_the_objects(s3_app: Flask, s3_bucket: S3Bucket, clock: FrozenClock) -> None:
    kept, destroyed = new_complaint(s3_app), new_complaint(s3_app)
    for code in (kept, destroyed):
        close_complaint(s3_app, code)
    work_outbox(s3_app)
    destroyed_keys = {rendition_key(s3_app, destroyed, revision) for revision in range(1, 7)}
    assert destroyed_keys <= set(objects(s3_bucket))
    clock.advance(days=DAYS_TO_2030)
    destroy(s3_app, destroyed)
    left = set(objects(s3_bucket))
    assert not destroyed_keys & left and rendition_key(s3_app, kept) in left
    with s3_app.app_context(), services().db.reading() as session:
        assert set(session.scalars(select(Rendition.path))) == left  # the register's PDF too
    assert cli(s3_app, "verify").exit_code == 0


@pytest.fixture
def empty_s3_instance(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                      clock: FrozenClock, s3_server: Any) -> Iterator[Callable[[], tuple[Flask, S3Bucket]]]:
    """A new instance as ``flask init`` leaves it, its files in a bucket of its own."""
    made: list[Flask] = []

    def make() -> tuple[Flask, S3Bucket]:
        folder = tmp_path_factory.mktemp("second")
        monkeypatch.setenv("DOSSIER_INSTANCE", str(folder))
        bucket = new_bucket(s3_server)
        application = make_app(f"sqlite:///{folder}/dossier.sqlite3", clock, **bucket.config("office-b"))
        with application.app_context():
            s = services()
            db_schema.upgrade(s.db)
            ensure_default_departments(s.db)
            versions.register_specs(s.db, s.clock, load_or_fail())
            accounts.create_user(s.db, s.clock, username="admin", password=PASSWORD, role="admin",
                                 department_code="ARCHIVE")
        made.append(application)
        return application, bucket

    yield make
    for application in made:
        with application.app_context():
            services().db.dispose()


def test_export_then_import_into_another_instances_bucket(
        s3_app: Flask, s3_bucket: S3Bucket, empty_s3_instance: Callable[[], tuple[Flask, S3Bucket]],
        tmp_path: Path) -> None:
    code = new_complaint(s3_app)
    close_complaint(s3_app, code)
    work_outbox(s3_app)
    exported = cli(s3_app, "export", "--out", str(tmp_path / "export"))
    assert exported.exit_code == 0, exported.output
    target, target_bucket = empty_s3_instance()
    imported = cli(target, "import", str(tmp_path / "export"))
    assert imported.exit_code == 0, imported.output
    assert objects(target_bucket, "office-b") == objects(s3_bucket)
    assert archive_state(target) == archive_state(s3_app)
    verified = cli(target, "verify")
    assert verified.exit_code == 0 and verified.stdout.startswith("clean: 6 files"), verified.output


def test_backup_wipe_restore_through_the_bucket(s3_app: Flask, s3_bucket: S3Bucket, tmp_path: Path) -> None:
    codes = [new_complaint(s3_app) for _ in range(2)]
    work_outbox(s3_app)
    state, stored = archive_state(s3_app), objects(s3_bucket)
    result = cli(s3_app, "backup", "--out", str(tmp_path / "backup"))
    assert result.exit_code == 0, result.output
    with s3_app.app_context():
        services().db.dispose()
    for name in ("dossier.sqlite3", "dossier.sqlite3-wal", "dossier.sqlite3-shm"):
        (Path(s3_app.instance_path) / name).unlink(missing_ok=True)
    for key in stored:
        s3_bucket.client.delete_object(Bucket=s3_bucket.name, Key=f"{PREFIX}/{key}")
    assert objects(s3_bucket) == {}
    restored = cli(s3_app, "restore", str(tmp_path / "backup"))
    assert restored.exit_code == 0, restored.output
    assert objects(s3_bucket) == stored and archive_state(s3_app) == state
    assert len(stored) == len(codes)
    verified = cli(s3_app, "verify")
    assert verified.exit_code == 0 and verified.stdout.startswith("clean:"), verified.output
