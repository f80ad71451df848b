"""The year's transfer from an instance whose files live in S3 (the real Swift the suite starts):
the archival copies are streamed out of the bucket, checked against their rows, and a copy
missing from the bucket is named before anything is written."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from archive.models import Record, Rendition
from archive.transfer_package import verify_package
from core.clock import FrozenClock
from core.web import services
from tests.support.instance import make_app
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox
from tests.support.s3_fixtures import S3Bucket

pytestmark = pytest.mark.s3

PREFIX = "office-t"


@pytest.fixture
def s3_app(template_db: Path, instance_dir: Path, clock: FrozenClock, s3_bucket: S3Bucket) -> Iterator[Flask]:
    database = instance_dir / "dossier.sqlite3"
    shutil.copy(template_db, database)
    application = make_app(f"sqlite:///{database}", clock, **s3_bucket.config(PREFIX))
    yield application
    with application.app_context():
        services().db.dispose()


def test_a_year_is_transferred_out_of_the_bucket(s3_app: Flask, s3_bucket: S3Bucket, tmp_path: Path) -> None:
    codes = [new_complaint(s3_app) for _ in range(2)]
    for code in codes:
        close_complaint(s3_app, code)
    work_outbox(s3_app)
    assert not (Path(s3_app.instance_path) / "renditions").exists() or \
        not any((Path(s3_app.instance_path) / "renditions").rglob("*.pdf"))  # nothing on local disk
    out = tmp_path / "from-s3"
    runner = s3_app.test_cli_runner()
    result = runner.invoke(args=["archive", "transfer", "--lang", "en", "--year", "2026", "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    with s3_app.app_context(), services().db.reading() as session:
        rows = session.execute(select(Record.archival_code, Rendition.path, Rendition.sha256)
                               .join(Rendition, Rendition.record_id == Record.id)
                               .where(Rendition.kind == "archival",
                                      Rendition.revision == Record.filed_revision)).all()
    for reference, key, sha256 in rows:
        stored = s3_bucket.client.get_object(Bucket=s3_bucket.name, Key=f"{PREFIX}/{key}")["Body"].read()
        packed = (out / "records" / reference / f"{reference}.pdf").read_bytes()
        assert packed == stored and hashlib.sha256(packed).hexdigest() == sha256
    assert verify_package(out).files == len(manifest["files"])
    reference, key, _sha = rows[0]
    s3_bucket.client.delete_object(Bucket=s3_bucket.name, Key=f"{PREFIX}/{key}")
    missing = runner.invoke(args=["archive", "transfer", "--lang", "en", "--year", "2026",
                                  "--out", str(tmp_path / "again")])
    assert missing.exit_code == 1 and reference in missing.output
    assert "missing from the file store" in missing.output
    assert not (tmp_path / "again").exists()
