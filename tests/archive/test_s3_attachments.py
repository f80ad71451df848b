"""Files on records in an instance whose store is S3 (issue 19), against the real Swift the suite
starts: a photo submitted through the API is an object under the instance's prefix with its
thumbnail, served by the file route, checked by ``archive verify`` (an object overwritten in the
bucket is named with its record and file), and nothing of it is read from the instance folder."""

from __future__ import annotations

import base64
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from archive.files import content_key
from core.auth import accounts
from core.clock import FrozenClock
from core.web import services
from tests.support.instance import VALID_CP, login, make_app
from tests.support.s3_fixtures import S3Bucket
from tests.support.upload_samples import photo_jpeg

pytestmark = pytest.mark.s3
PREFIX = "office-files"


@pytest.fixture
def s3_app(template_db: Path, instance_dir: Path, clock: FrozenClock, s3_bucket: S3Bucket) -> Iterator[Flask]:
    database = instance_dir / "dossier.sqlite3"
    shutil.copy(template_db, database)
    application = make_app(f"sqlite:///{database}", clock, **s3_bucket.config(PREFIX))
    yield application
    with application.app_context():
        services().db.dispose()


def test_a_photo_is_an_object_in_the_bucket_served_and_verified(s3_app: Flask, s3_bucket: S3Bucket) -> None:
    with s3_app.app_context():
        token = accounts.create_token(services().db, services().clock, "clerk", "s3")
    client = s3_app.test_client()
    name, body = photo_jpeg()
    made = client.post("/api/v1/records", headers={"Authorization": f"Bearer {token}"}, json={
        "form": "CP", "data": {**VALID_CP, "defect_photos": [
            {"name": name, "content_base64": base64.b64encode(body).decode()}]}})
    assert made.status_code == 201, made.json
    [photo] = made.json["data"]["defect_photos"]
    key = f"{PREFIX}/{content_key(photo['sha256'])}"
    stored = s3_bucket.client.get_object(Bucket=s3_bucket.name, Key=key)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == photo["sha256"]
    assert not (Path(s3_app.instance_path) / "renditions").exists()  # nothing in the folder
    login(client, "clerk")
    served = client.get(f"/records/{made.json['code']}/files/{photo['sha256']}")
    assert served.status_code == 200 and served.data == stored
    assert s3_app.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"]).exit_code == 0
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key=key, Body=b"tampered")
    report = s3_app.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"])
    named = f"{made.json['code']}, field defect_photos, file “IMG_0001.jpg”"
    assert report.exit_code != 0 and named in report.output
