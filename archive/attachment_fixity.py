"""``archive verify`` for attachments: every file a record's field names, read back and hashed.

Each attachments row is checked against the store: the original's SHA-256 and size (a missing
or altered object is named with the record, the field and the file's name), and its thumbnail's
presence and content key (a thumbnail is stored by content, so its key carries its SHA-256).
Objects shared by several rows (the same bytes attached twice) are read once. The keys found are
returned, so the check for *extra* files does not report attachments as unreferenced; an object
put for a submission that was then refused or rolled back is named there (no row names it).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from archive.attachment_models import Attachment
from archive.files import CONTENT_KEY, BadKey, FileMissing, FileStore, content_key
from archive.models import Record
from core.db import Base

HASH_THREADS = 4
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
#: A finding: (kind, subject, detail), as archive.fixity.Problem takes them.
Finding = tuple[str, str, str]


def digest_of(store: FileStore, key: str) -> tuple[str, int] | None:
    """The stored object's SHA-256 and size, or None if it is not there."""
    digest, size = hashlib.sha256(), 0
    try:
        for block in store.chunks(key):
            digest.update(block)
            size += len(block)
    except (FileMissing, BadKey):
        return None
    return digest.hexdigest(), size


#: The forms package's drafts, read by name (the archive does not import the forms package, as
#: archive export reads the form versions): a saved draft's files are stored, not yet a record's.
DRAFTS = "drafts"


def draft_keys(session: Session) -> set[str]:
    """The store keys of the files saved drafts name (``{"sha256": …}`` anywhere in their data), so
    ``archive verify`` does not call a draft's photo unreferenced."""
    table = Base.metadata.tables.get(DRAFTS)
    if table is None:
        return set()
    found: set[str] = set()
    for data in session.scalars(select(table.c.data)):
        found.update(content_key(digest) for digest in _digests(data))
    return found


def _digests(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        digest = value.get("sha256")
        if isinstance(digest, str) and SHA256_HEX.fullmatch(digest):
            yield digest
        for item in value.values():
            yield from _digests(item)
    elif isinstance(value, list):
        for item in value:
            yield from _digests(item)


def attachment_objects(session: Session) -> int:
    """How many objects :func:`check_attachments` reads (originals and thumbnails, each once)."""
    originals = session.scalar(select(func.count(distinct(Attachment.key)))) or 0
    thumbnails = session.scalar(select(func.count(distinct(Attachment.thumbnail_key)))) or 0
    return originals + thumbnails


def check_attachments(session: Session, store: FileStore, progress: Callable[[int], None]
                      ) -> tuple[set[str], list[Finding], int, int]:
    """(keys checked, findings, files read, bytes read) over every attachments row."""
    rows = session.execute(select(Record.code, Attachment.field, Attachment.name, Attachment.key,
                                  Attachment.sha256, Attachment.size, Attachment.thumbnail_key)
                           .join(Record, Attachment.record_id == Record.id)
                           .order_by(Record.code, Attachment.id)).all()
    keys = sorted({row.key for row in rows} | {row.thumbnail_key for row in rows if row.thumbnail_key})
    with ThreadPoolExecutor(HASH_THREADS) as pool:
        found = dict(zip(keys, pool.map(lambda key: digest_of(store, key), keys), strict=True))
    progress(len(keys))
    findings: list[Finding] = []
    for row in rows:
        of = f"{row.code}, field {row.field}, file “{row.name}”"
        actual = found[row.key]
        if actual is None:
            findings.append(("missing", row.key, f"the attachment of {of} is not in the store"))
        elif actual != (row.sha256, row.size):
            findings.append(("checksum", row.key, f"SHA-256 {actual[0]} ({actual[1]} bytes) differs from "
                                                  f"the stored {row.sha256} ({row.size} bytes) of {of}"))
        if row.thumbnail_key:
            findings.extend(_thumbnail(row.thumbnail_key, found[row.thumbnail_key], of))
    return set(keys), findings, len(keys), sum(digest[1] for digest in found.values() if digest)


def _thumbnail(key: str, actual: tuple[str, int] | None, of: str) -> list[Finding]:
    if actual is None:
        return [("missing", key, f"the thumbnail of {of} is not in the store")]
    match = CONTENT_KEY.fullmatch(key)
    if match and match.group(3) != actual[0]:
        return [("checksum", key, f"the thumbnail of {of} does not hash to its key ({actual[0]})")]
    return []
