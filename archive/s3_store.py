"""Stored files in a bucket of any service that speaks the S3 API (``FILE_STORE = "s3"``).

The store talks only to ``S3_ENDPOINT_URL`` (boto3 with SigV4; path-style addressing by default,
which every S3-compatible service accepts, virtual-hosted on request). Objects sit under
``S3_PREFIX`` so several instances can share a bucket without seeing each other's files.

Integrity in transit: every upload carries ``Content-MD5`` (each part of a multipart upload its
own), which AWS, OSS, COS, Ceph, MinIO and Swift all check and refuse with BadDigest. Swift 2.30
accepts a wrong ``x-amz-checksum-sha256`` without a word (seen in the tests' server), so the
SHA-256 goes along only as metadata, and boto3's own flexible checksums are off
(``when_required``): several S3-compatible services refuse their headers. Whatever the service,
reading back checks the SHA-256 (``archive verify``).

Every failure of the service (refused connection, wrong credentials, missing bucket) becomes
:class:`archive.files.StoreUnavailable` saying what failed and where; a missing key is
:class:`archive.files.FileMissing`, as in the folder store; other bytes for a taken key
:class:`archive.files.WriteOnceViolation`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from archive.files import (
    CHUNK,
    FileMissing,
    StoredFile,
    StoreUnavailable,
    WriteOnceViolation,
    check_key,
    key_for,
)
from archive.s3_settings import S3Settings

#: Bytes above this go up in parts of PART_SIZE (one request for anything smaller).
MULTIPART_THRESHOLD = 16 * 1024 * 1024
PART_SIZE = 8 * 1024 * 1024
MISSING_CODES = {"404", "NoSuchKey", "NotFound"}
#: What an operator should check, by the service's error code (a HEAD's answer has only its status).
HINTS = dict.fromkeys(("403", "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId"),
                      "access denied: check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and the bucket's "
                      "permissions") | {"NoSuchBucket": "no such bucket: check S3_BUCKET (the bucket "
                                        "must exist; Dossier does not create it)"}


class S3Store:
    """One instance's stored files: the objects under ``prefix/`` in ``bucket``."""

    name = "s3"

    def __init__(self, settings: S3Settings) -> None:
        self.settings = settings
        self._root = f"{settings.prefix}/" if settings.prefix else ""
        self._bucket_seen = False
        session = boto3.session.Session(aws_access_key_id=settings.access_key,
                                        aws_secret_access_key=settings.secret_key,
                                        region_name=settings.region)
        self._client = session.client("s3", endpoint_url=settings.endpoint, config=Config(
            signature_version="s3v4", s3={"addressing_style": settings.addressing_style},
            request_checksum_calculation="when_required", response_checksum_validation="when_required",
            connect_timeout=5, read_timeout=60, retries={"mode": "standard", "max_attempts": 3}))

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> S3Store:
        """The store the app config describes (``core.config.ConfigError`` naming a bad setting)."""
        return cls(S3Settings.from_config(config))

    def describe(self) -> str:
        return f"s3://{self.settings.bucket}/{self.settings.prefix} ({self.settings.endpoint})"

    def put(self, data: bytes) -> StoredFile:
        stored = key_for(data)
        if not self.exists(stored.key):
            self._upload(stored.key, data, stored.sha256)
        return stored

    def put_at(self, key: str, data: bytes) -> None:
        """Write once: the same bytes again change nothing, different ones are refused."""
        digest = hashlib.sha256(data).hexdigest()
        head = self._head(check_key(key))
        if head is None:
            self._upload(key, data, digest)
        elif self._sha256_of(key, head) != digest:
            raise WriteOnceViolation(f"{key} in {self.describe()} already holds other bytes; "
                                     "stored files are never rewritten")

    def get(self, key: str) -> bytes:
        return b"".join(self.chunks(key))

    def chunks(self, key: str) -> Iterator[bytes]:
        with self._service(f"reading {key}", key):
            body = self._client.get_object(Bucket=self.settings.bucket, Key=self._name(key))["Body"]
        with contextlib.closing(body), self._service(f"reading {key}", key):
            yield from body.iter_chunks(CHUNK)

    def exists(self, key: str) -> bool:
        return self._head(check_key(key)) is not None

    def delete(self, key: str) -> None:
        with self._service(f"deleting {key}"):
            self._client.delete_object(Bucket=self.settings.bucket, Key=self._name(key))

    def keys(self) -> Iterator[str]:
        for page in self._pages("list_objects_v2", "listing the stored files"):
            for item in page.get("Contents", ()):
                yield item["Key"][len(self._root):]

    def leftovers(self) -> Iterator[str]:
        """Unfinished multipart uploads (``key (unfinished upload ID)``): never a stored file."""
        for page in self._pages("list_multipart_uploads", "listing unfinished uploads"):
            for upload in page.get("Uploads", ()):
                yield f"{upload['Key'][len(self._root):]} (unfinished upload {upload['UploadId']})"

    def abort_leftovers(self) -> int:
        """Abort every unfinished upload under the prefix; how many there were."""
        aborted = 0
        for page in self._pages("list_multipart_uploads", "listing unfinished uploads"):
            for upload in page.get("Uploads", ()):
                with self._service(f"aborting the upload of {upload['Key']}"):
                    self._client.abort_multipart_upload(Bucket=self.settings.bucket, Key=upload["Key"],
                                                        UploadId=upload["UploadId"])
                aborted += 1
        return aborted

    def is_empty(self) -> bool:
        with self._service("listing the stored files"):
            page = self._client.list_objects_v2(Bucket=self.settings.bucket, Prefix=self._root, MaxKeys=1)
        return not page.get("KeyCount", len(page.get("Contents", ())))

    # -- the service ---------------------------------------------------------------------------

    def _name(self, key: str) -> str:
        return self._root + check_key(key)

    @contextlib.contextmanager
    def _service(self, what: str, key: str | None = None) -> Iterator[None]:
        """Service errors as StoreUnavailable (a missing ``key`` as FileMissing)."""
        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            if key is not None and code in MISSING_CODES:
                raise FileMissing(f"no stored file {key} in {self.describe()}") from None
            if key is None and code == "404":
                code = "NoSuchBucket"  # head_bucket's bare 404
            detail = f"{code} {error.get('Message') or ''}".strip()
            hint = f" ({HINTS[code]})" if code in HINTS else ""
            raise StoreUnavailable(f"{what} failed at {self.describe()}: {detail}{hint}") from exc
        except BotoCoreError as exc:
            raise StoreUnavailable(f"{what} failed at {self.describe()}: {exc}") from exc

    def _head(self, key: str) -> dict[str, Any] | None:
        """The object's HEAD, or None when there is none (and the bucket exists: a HEAD answers
        a bare 404 for a missing bucket too, which must not read as "no such file")."""
        try:
            with self._service(f"looking up {key}", key):
                return self._client.head_object(Bucket=self.settings.bucket, Key=self._name(key))
        except FileMissing:
            self._check_bucket()
            return None

    def _check_bucket(self) -> None:
        if not self._bucket_seen:
            with self._service(f"opening the bucket {self.settings.bucket!r}"):
                self._client.head_bucket(Bucket=self.settings.bucket)
            self._bucket_seen = True

    def _sha256_of(self, key: str, head: dict[str, Any]) -> str:
        recorded = head.get("Metadata", {}).get("sha256")
        if recorded:
            return recorded
        digest = hashlib.sha256()
        for block in self.chunks(key):
            digest.update(block)
        return digest.hexdigest()

    def _pages(self, operation: str, what: str) -> Iterator[dict[str, Any]]:
        with self._service(what):
            yield from self._client.get_paginator(operation).paginate(
                Bucket=self.settings.bucket, Prefix=self._root)

    def _upload(self, key: str, data: bytes, sha256: str) -> None:
        target = dict(Bucket=self.settings.bucket, Key=self._name(key), Metadata={"sha256": sha256})
        with self._service(f"storing {key}"):
            if len(data) <= MULTIPART_THRESHOLD:
                self._client.put_object(Body=data, ContentMD5=_md5(data), **target)
            else:
                self._upload_parts(target, data)

    def _upload_parts(self, target: dict[str, Any], data: bytes) -> None:
        upload_id = self._client.create_multipart_upload(**target)["UploadId"]
        where = {"Bucket": target["Bucket"], "Key": target["Key"], "UploadId": upload_id}
        try:
            parts = []
            for number, start in enumerate(range(0, len(data), PART_SIZE), start=1):
                part = data[start:start + PART_SIZE]
                answer = self._client.upload_part(Body=part, ContentMD5=_md5(part), PartNumber=number,
                                                  **where)
                parts.append({"PartNumber": number, "ETag": answer["ETag"]})
            self._client.complete_multipart_upload(MultipartUpload={"Parts": parts}, **where)
        except BaseException:
            with contextlib.suppress(ClientError, BotoCoreError):
                self._client.abort_multipart_upload(**where)
            raise


def _md5(data: bytes) -> str:
    """Content-MD5: the service's integrity check of what it received (not a content address)."""
    return base64.b64encode(hashlib.md5(data).digest()).decode("ascii")  # noqa: S324
