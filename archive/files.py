"""What a file store offers: write-once files addressed by their content, on any storage.

Stored files (archival PDF/A renditions today, attachments and signatures next) are kept by the
SHA-256 of their bytes: :meth:`FileStore.put` returns the key (``sha256/ab/cd/abcd…``) that the
database row keeps, and writing the same bytes again is the same key and changes nothing. A key
is never rewritten. A row is what commits a file: the file is written first and the row after,
so a crash in between leaves at most an unreferenced file, which ``archive verify`` names.

Two stores, chosen by ``FILE_STORE`` in the instance config: the instance folder (default; a
temporary name then a rename, so it is safe on a shared mount such as NFS) and any service that
speaks the S3 API (boto3: Aliyun OSS, Tencent COS, Ceph, MinIO, OpenStack Swift, AWS). Keys that
are not content keys (rows written before the stores had content keys: ``CP/2026/<code>.r1.
archival.pdf``) are still read, checked and deleted by the same methods.

Nothing outside the stores touches their storage: no caller builds a path or a URL from a key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from core.errors import ServiceUnreachable

#: A content key: the algorithm, two levels of fan-out, the whole digest.
CONTENT_KEY = re.compile(r"sha256/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")
#: Keys are relative, forward-slashed, without "." or ".." segments (checked by :func:`check_key`).
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
#: Reading and hashing go in blocks of this size (a file is never held whole to check it).
CHUNK = 1024 * 1024


class FileMissing(LookupError):
    """The store holds nothing under this key."""


class StoreUnavailable(ServiceUnreachable):
    """The storage cannot be reached or refuses us (connection refused, access denied, no such
    bucket): one name for callers to catch whatever the store, saying what failed and where.
    A page or API call that meets it answers 503 with a message in the reader's language
    (:mod:`core.errors`); the cause goes to the log, not to the reader."""


class WriteOnceViolation(FileExistsError):
    """``put_at`` was given other bytes for a key that already holds a file: a stored file is
    never rewritten (declared here so callers catch one name whatever the store)."""


class BadKey(ValueError):
    """A key that could leave the store (``..``, an absolute path) or is not a key at all."""


@dataclass(frozen=True)
class StoredFile:
    key: str
    sha256: str
    size: int


def content_key(sha256: str) -> str:
    """The key of the bytes whose SHA-256 is ``sha256`` (lower-case hex)."""
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def key_for(data: bytes) -> StoredFile:
    digest = hashlib.sha256(data).hexdigest()
    return StoredFile(content_key(digest), digest, len(data))


def check_key(key: str) -> str:
    """``key`` if it is a safe relative key, else :class:`BadKey` (a tampered row never reads
    outside the store)."""
    parts = key.split("/")
    if not key or len(key) > 512 or not all(_SEGMENT.fullmatch(part) for part in parts):
        raise BadKey(f"not a stored file's key: {key!r}")
    return key


class FileStore(Protocol):
    """One instance's stored files."""

    #: "folder" or "s3", as the instance config names it.
    name: str

    def describe(self) -> str:
        """Where the files are, for messages (``/srv/dossier/instance/files``, ``s3://bucket/prefix``)."""

    def put(self, data: bytes) -> StoredFile:
        """Store ``data`` under its content key (nothing is written if that key already holds it)."""

    def put_at(self, key: str, data: bytes) -> None:
        """Store ``data`` under a key an import or restore brings (the key its rows name)."""

    def get(self, key: str) -> bytes:
        """The whole file (:class:`FileMissing` if there is none)."""

    def chunks(self, key: str) -> Iterator[bytes]:
        """The file in blocks of at most :data:`CHUNK` bytes, for hashing and copying out."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the file; one already gone is fine (a retried disposal)."""

    def keys(self) -> Iterator[str]:
        """Every stored file's key, in no particular order (``archive verify``'s list)."""

    def leftovers(self) -> Iterator[str]:
        """What interrupted writes left (temporary files, unfinished uploads): safe to delete,
        never a stored file."""

    def is_empty(self) -> bool:
        """True when the store holds no file (an import or restore goes only into an empty one)."""
