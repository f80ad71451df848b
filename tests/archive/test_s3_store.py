"""The S3 file store against a real S3 server: OpenStack Swift with s3api, started by the suite.

The promises every store keeps run in tests/archive/test_file_store_contract.py (its "s3" kind);
here is what only a remote store has: large objects in parts, read in blocks; unfinished uploads
as leftovers; two instances isolated by their prefixes in one bucket; content uploaded once with
our SHA-256 as metadata; and one clear StoreUnavailable for a service that is unreachable,
refuses the credentials or has no such bucket.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from archive.files import CHUNK, FileMissing, StoreUnavailable, WriteOnceViolation, content_key
from archive.s3_store import MULTIPART_THRESHOLD, S3Store
from tests.support import swift_server
from tests.support.postgres import free_port
from tests.support.s3_fixtures import S3Bucket

pytestmark = pytest.mark.s3

LEGACY_KEY = "CP/2026/CP-2026-000001.r1.archival.pdf"


def store_in(bucket: S3Bucket, prefix: str = "", **changes: str) -> S3Store:
    return S3Store.from_config({**bucket.config(prefix), **changes})


def test_put_stores_the_bytes_under_their_content_key_once(s3_bucket: S3Bucket) -> None:
    store = store_in(s3_bucket, "office")
    data = b"%PDF-1.7 archival rendition\n" * 100
    stored = store.put(data)
    assert stored.key == content_key(hashlib.sha256(data).hexdigest())
    assert (stored.sha256, stored.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert store.get(stored.key) == data and store.exists(stored.key)
    head = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=f"office/{stored.key}")
    assert head["Metadata"]["sha256"] == stored.sha256
    first_written = head["LastModified"]
    assert store.put(data) == stored
    again = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=f"office/{stored.key}")
    assert again["LastModified"] == first_written  # not uploaded again
    assert list(store.keys()) == [stored.key]


def test_missing_files_and_deletion(s3_bucket: S3Bucket) -> None:
    store = store_in(s3_bucket)
    stored = store.put(b"to be disposed of")
    absent = content_key("0" * 64)
    assert not store.exists(absent)
    with pytest.raises(FileMissing, match=absent):
        store.get(absent)
    with pytest.raises(FileMissing):
        list(store.chunks(absent))
    store.delete(stored.key)
    store.delete(stored.key)  # a retried disposal
    store.delete(absent)
    assert not store.exists(stored.key) and store.is_empty()


def test_put_at_writes_once_and_takes_keys_of_older_rows(s3_bucket: S3Bucket) -> None:
    store = store_in(s3_bucket, "restored")
    store.put_at(LEGACY_KEY, b"first")
    store.put_at(LEGACY_KEY, b"first")  # the same bytes again: nothing changes
    with pytest.raises(WriteOnceViolation, match="never rewritten"):
        store.put_at(LEGACY_KEY, b"other bytes")
    assert store.get(LEGACY_KEY) == b"first"
    # An object written without our metadata (another tool) is compared by its bytes.
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key="restored/plain/file.pdf", Body=b"plain")
    store.put_at("plain/file.pdf", b"plain")
    with pytest.raises(WriteOnceViolation):
        store.put_at("plain/file.pdf", b"PLAIN")
    assert sorted(store.keys()) == [LEGACY_KEY, "plain/file.pdf"]


def test_a_large_file_goes_up_in_parts_and_comes_back_in_blocks(s3_bucket: S3Bucket) -> None:
    store = store_in(s3_bucket, "big")
    data = os.urandom(MULTIPART_THRESHOLD + 3 * 1024 * 1024 + 17)
    stored = store.put(data)
    head = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=f"big/{stored.key}")
    assert head["ETag"].strip('"').endswith("-3")  # a multipart object of three parts
    assert head["ContentLength"] == len(data) and head["Metadata"]["sha256"] == stored.sha256
    blocks = list(store.chunks(stored.key))
    assert all(len(block) <= CHUNK for block in blocks) and len(blocks) >= len(data) // CHUNK
    assert hashlib.sha256(b"".join(blocks)).hexdigest() == stored.sha256
    assert list(store.leftovers()) == []


def test_unfinished_uploads_are_leftovers_not_files(s3_bucket: S3Bucket) -> None:
    store, neighbour = store_in(s3_bucket, "one"), store_in(s3_bucket, "two")
    started = s3_bucket.client.create_multipart_upload(Bucket=s3_bucket.name,
                                                       Key=f"one/{content_key('a' * 64)}")
    s3_bucket.client.create_multipart_upload(Bucket=s3_bucket.name, Key="two/elsewhere")
    assert list(store.leftovers()) == [f"{content_key('a' * 64)} (unfinished upload {started['UploadId']})"]
    assert list(store.keys()) == [] and store.is_empty()
    assert store.abort_leftovers() == 1
    assert list(store.leftovers()) == [] and len(list(neighbour.leftovers())) == 1


def test_prefixes_keep_two_instances_apart_in_one_bucket(s3_bucket: S3Bucket) -> None:
    first, second, top = store_in(s3_bucket, "site-a"), store_in(s3_bucket, "site-b/"), store_in(s3_bucket)
    mine = first.put(b"only in a")
    assert not second.exists(mine.key) and second.is_empty() and list(second.keys()) == []
    with pytest.raises(FileMissing):
        second.get(mine.key)
    second.delete(mine.key)
    assert first.get(mine.key) == b"only in a"
    theirs = second.put(b"only in b")
    assert list(first.keys()) == [mine.key] and list(second.keys()) == [theirs.key]
    assert sorted(top.keys()) == sorted([f"site-a/{mine.key}", f"site-b/{theirs.key}"])
    assert second.describe() == f"s3://{s3_bucket.name}/site-b ({s3_bucket.server.endpoint})"


def test_an_unreachable_service_is_one_clear_error(s3_bucket: S3Bucket) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    store = store_in(s3_bucket, "x", S3_ENDPOINT_URL=nobody)
    for action in (lambda: store.put(b"data"), lambda: store.get(content_key("1" * 64)),
                   lambda: store.exists(LEGACY_KEY), lambda: list(store.keys()), store.is_empty):
        with pytest.raises(StoreUnavailable, match=f"failed at s3://{s3_bucket.name}/x \\({nobody}\\)"):
            action()


@pytest.mark.parametrize("credentials", [{"S3_SECRET_ACCESS_KEY": "wrong"},
                                         {"S3_ACCESS_KEY_ID": "test:nobody", "S3_SECRET_ACCESS_KEY": "x"}])
def test_refused_credentials_are_one_clear_error(s3_bucket: S3Bucket, credentials: dict[str, str]) -> None:
    store = store_in(s3_bucket, **credentials)
    for action in (lambda: store.put(b"data"), lambda: store.exists(LEGACY_KEY), lambda: list(store.keys())):
        with pytest.raises(StoreUnavailable, match="access denied: check S3_ACCESS_KEY_ID"):
            action()


def test_a_missing_bucket_is_one_clear_error_not_missing_files(s3_bucket: S3Bucket) -> None:
    store = store_in(s3_bucket, S3_BUCKET="no-such-bucket")
    for action in (lambda: store.exists(LEGACY_KEY), lambda: store.put(b"data"), lambda: list(store.keys()),
                   lambda: store.get(LEGACY_KEY)):
        with pytest.raises(StoreUnavailable, match=r"no-such-bucket.*no such bucket: check S3_BUCKET"):
            action()


@pytest.mark.parametrize(("python", "says"), [
    (Path("/nonexistent/python3"), "not found"),
    (Path(sys.executable), "OpenStack Swift is not installed"),  # the virtualenv's: no Swift there
])
def test_without_swift_the_server_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, python: Path,
                                                         says: str) -> None:
    monkeypatch.setattr(swift_server, "SYSTEM_PYTHON", python)
    with pytest.raises(swift_server.SwiftUnavailable, match=rf"{says}.*run \./bootstrap\.sh setup"):
        swift_server.start_server()
