"""``archive move-files --from FOLDER``: an instance's files moved from its folder into a bucket of
the suite's Swift after FILE_STORE was switched to "s3"; then ``archive verify`` is clean on the
bucket, the record's copy downloads from it, and a second run copies nothing. Refusals (the
configured folder itself, no folder) and failures (other bytes already under a key) exit 1
saying why. The copying itself, between two folders, for any files (hypothesis)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from archive import moving
from archive.folder_store import FolderStore
from archive.stores import FOLDER, file_store
from core.audit.models import AuditEvent
from core.clock import FrozenClock
from core.web import services
from tests.support.archive_cli import archive_cli as cli
from tests.support.file_stores import rendition_keys
from tests.support.instance import make_app
from tests.support.lifecycle import new_complaint, work_outbox
from tests.support.s3_fixtures import S3Bucket


@pytest.fixture
def moved_app(app: Flask, instance_dir: Path, clock: FrozenClock, s3_bucket: S3Bucket) -> Iterator[Flask]:
    """The same instance (database and folder) after FILE_STORE was switched to a fresh bucket."""
    database = f"sqlite:///{instance_dir / 'dossier.sqlite3'}"
    application = make_app(database, clock, **s3_bucket.config("office"))
    yield application
    with application.app_context():
        services().db.dispose()




def moved_events(app: Flask) -> list[dict[str, object]]:
    with app.app_context(), services().db.reading() as session:
        return list(session.scalars(select(AuditEvent.detail)
                                    .where(AuditEvent.action == "archive.files.moved")))


@pytest.mark.s3
def test_files_move_from_the_folder_into_the_bucket(app: Flask, moved_app: Flask, instance_dir: Path,
                                                     s3_bucket: S3Bucket, token_for) -> None:  # type: ignore[no-untyped-def]
    codes = [new_complaint(app) for _ in range(3)]
    assert "6 done, 0 failed" in work_outbox(app)  # a PDF and an index entry each
    keys = [key for code in codes for key in rendition_keys(app, code)]
    folder = instance_dir / FOLDER
    assert sorted(FolderStore(folder).keys()) == sorted(keys)
    assert cli(moved_app, "verify").exit_code == 1  # the bucket lacks every file the rows name

    moved = cli(moved_app, "move-files", "--from", str(folder), "--by", "archivist")
    assert moved.exit_code == 0, moved.output
    assert "3 copied, 0 already there, 0 failed" in moved.output
    assert sorted(file_store(moved_app).keys()) == sorted(keys)
    verified = cli(moved_app, "verify")
    assert verified.exit_code == 0, verified.output
    download = moved_app.test_client().get(f"/api/v1/records/{codes[0]}/archival",
                                           headers=token_for("archivist"))
    assert download.status_code == 200 and download.data == FolderStore(folder).get(keys[0])

    again = cli(moved_app, "move-files", "--from", str(folder))
    assert again.exit_code == 0 and "0 copied, 3 already there, 0 failed" in again.output
    assert sorted(FolderStore(folder).keys()) == sorted(keys)  # the folder is left as it was
    events = moved_events(moved_app)
    assert [(e["copied"], e["already"], e["failed"]) for e in events] == [(3, 0, 0), (0, 3, 0)]
    assert events[0]["from"] == str(folder) and "s3://" in str(events[0]["to"])


@pytest.mark.s3
def test_other_bytes_under_a_key_fail_and_exit_1(app: Flask, moved_app: Flask, instance_dir: Path) -> None:
    [code] = [new_complaint(app)]
    work_outbox(app)
    [key] = rendition_keys(app, code)
    file_store(moved_app).put_at(key, b"not the archival copy")
    failed = cli(moved_app, "move-files", "--from", str(instance_dir / FOLDER))
    assert failed.exit_code == 1
    assert f"FAILED {key}: " in failed.output and "other bytes" in failed.output
    assert "0 copied, 0 already there, 1 failed" in failed.output
    [event] = moved_events(moved_app)
    assert event["failed"] == 1 and list(event["failures"]) == [key]  # type: ignore[call-overload]


def test_the_configured_folder_and_a_missing_folder_are_refused(app: Flask, instance_dir: Path) -> None:
    itself = cli(app, "move-files", "--from", str(instance_dir / FOLDER))
    assert itself.exit_code == 1 and "is the configured file store itself" in itself.output
    assert "Traceback" not in itself.output
    missing = cli(app, "move-files", "--from", str(instance_dir / "no-such-folder"))
    assert missing.exit_code == 1 and "is not a folder" in missing.output
    assert moved_events(app) == []


KEYS = st.from_regex(r"(sha256/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{8}"
                     r"|[A-Z]{2}/20[0-9]{2}/[a-z0-9][a-z0-9.-]{0,11})", fullmatch=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.dictionaries(KEYS, st.binary(max_size=2000), max_size=6),
       there=st.sets(st.integers(0, 5), max_size=3))
def test_any_files_are_copied_under_their_keys(app: Flask, files: dict[str, bytes], there: set[int]) -> None:
    """Whatever the keys and bytes, and whichever of them the target already holds: every file is
    in the target with its bytes, counted once as copied or already there."""
    with tempfile.TemporaryDirectory() as old, tempfile.TemporaryDirectory() as new, app.app_context():
        source, target = FolderStore(Path(old)), FolderStore(Path(new))
        for key, data in files.items():
            source.put_at(key, data)
        held = {key for i, key in enumerate(sorted(files)) if i in there}
        for key in held:
            target.put_at(key, files[key])
        report = moving.move_files(services().db, services().clock, source, target)
        assert report.clean and (report.copied, report.already) == (len(files) - len(held), len(held))
        assert {key: target.get(key) for key in list(target.keys())} == files
