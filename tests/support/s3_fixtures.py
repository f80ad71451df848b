"""A real S3 server (OpenStack Swift with s3api) for the whole test session, a fresh bucket per test.

Registered for every package by the root ``tests/conftest.py`` (``pytest_plugins``). Tests that
use it carry the ``s3`` marker (added here if a test forgot it), so ``pytest -m "not s3"`` leaves
the server unstarted. Without Swift installed the tests fail with the command that installs it;
they are never skipped silently.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config

from archive.s3_store import S3Store
from tests.support.swift_server import SwiftServer, SwiftUnavailable, start_server

S3_FIXTURES = {"s3_server", "s3_bucket", "s3_config"}
_numbers = itertools.count(1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if S3_FIXTURES & set(getattr(item, "fixturenames", ())) and not item.get_closest_marker("s3"):
            item.add_marker(pytest.mark.s3)


@dataclass(frozen=True)
class S3Bucket:
    """A bucket of the session's server, with a client to look at (or tamper with) it directly."""

    server: SwiftServer
    name: str

    @property
    def client(self) -> Any:
        return s3_client(self.server)

    def config(self, prefix: str = "") -> dict[str, str]:
        """App settings for a file store in this bucket (``create_app`` overrides)."""
        return {"FILE_STORE": "s3", "S3_ENDPOINT_URL": self.server.endpoint, "S3_BUCKET": self.name,
                "S3_PREFIX": prefix, "S3_REGION": self.server.region,
                "S3_ACCESS_KEY_ID": self.server.access_key, "S3_SECRET_ACCESS_KEY": self.server.secret_key}


def s3_client(server: SwiftServer) -> Any:
    return boto3.client("s3", endpoint_url=server.endpoint, region_name=server.region,
                        aws_access_key_id=server.access_key, aws_secret_access_key=server.secret_key,
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))


def interrupt_upload(store: S3Store, key: str, data: bytes) -> None:
    """What an upload of ``data`` under ``key`` killed half-way leaves: a multipart upload with one
    part sent and never completed (a put below the multipart size leaves nothing)."""
    settings = store.settings
    client = boto3.client("s3", endpoint_url=settings.endpoint, region_name=settings.region,
                          aws_access_key_id=settings.access_key, aws_secret_access_key=settings.secret_key,
                          config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    name = f"{settings.prefix}/{key}" if settings.prefix else key
    started = client.create_multipart_upload(Bucket=settings.bucket, Key=name)
    client.upload_part(Bucket=settings.bucket, Key=name, UploadId=started["UploadId"], PartNumber=1,
                       Body=data[: len(data) // 2])


def new_bucket(server: SwiftServer) -> S3Bucket:
    """A new, empty bucket on ``server`` (names are never reused within a session)."""
    bucket = S3Bucket(server, f"dossier-test-{next(_numbers)}")
    s3_client(server).create_bucket(Bucket=bucket.name)
    return bucket


@pytest.fixture(scope="session")
def s3_server() -> Iterator[SwiftServer]:
    problem = None
    try:
        server = start_server()
    except SwiftUnavailable as exc:
        problem = str(exc)
    if problem:
        pytest.fail(problem, pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def s3_bucket(s3_server: SwiftServer) -> S3Bucket:
    """A fresh bucket on the session's Swift."""
    return new_bucket(s3_server)


@pytest.fixture
def s3_config(s3_bucket: S3Bucket) -> dict[str, str]:
    """App overrides for an S3 file store in a fresh bucket."""
    return s3_bucket.config()
