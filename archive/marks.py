"""A person's own signature or stamp image (issue 19), kept on their profile and printed beside
their name where they signed (the filler) or countersigned (the supervisor) a copy.

The upload is checked by content (:func:`archive.uploads.check_upload`: an image, re-encoded
without metadata), stored through the file store by its SHA-256 before the row that names it is
written (a row commits a file), and every change is in the audit trail (``user.mark.set`` with
the SHA-256 before and after, ``user.mark.removed``). A person changes only their own mark: the
services take the acting user, never a username to act on. An image no row names any more is
deleted from the store after the commit, unless another person's row names the same bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.files import FileMissing, FileStore
from archive.uploads import Kind, Limits, UploadRefused, check_upload
from core.audit import trail
from core.auth.models import User, UserMark
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database
from core.problems import FieldProblems

log = logging.getLogger(__name__)

#: A signature or stamp is a small picture: one image of at most 900 KB, which fits in the app's
#: 1 MiB request body with the page's other fields (the global CSRF check reads the body before
#: any view could raise the limit, so a page cannot take more than MAX_CONTENT_LENGTH).
MARK_LIMITS = Limits(kinds=frozenset({Kind.IMAGE}), max_bytes=900 * 1024, max_files=1, max_pixels=12_000_000)
MARK_KINDS = {"signature": _l("Handwritten signature"), "stamp": _l("Personal stamp")}


class InvalidMark(FieldProblems):
    """The mark cannot be kept as sent; ``errors`` by field (``image``, ``kind``)."""


@dataclass(frozen=True)
class Mark:
    username: str
    kind: str
    sha256: str
    key: str
    media_type: str
    size: int
    updated_at: datetime


@dataclass(frozen=True)
class MarkImage:
    """What a printed copy needs of a mark: its bytes and their type, by SHA-256."""

    sha256: str
    media_type: str
    data: bytes


def mark_of(db: Database, actor: Actor) -> Mark | None:
    with db.reading() as session:
        return _marks(session, [actor.username]).get(actor.username)


def keep_mark(db: Database, clock: Clock, store: FileStore, actor: Actor, kind: str,
              file_name: str, data: bytes) -> Mark:
    """``actor``'s mark replaced by the image sent (checked by content, stored, audited)."""
    if kind not in MARK_KINDS:
        raise InvalidMark({"kind": str(_l("Choose a handwritten signature or a stamp."))})
    try:
        checked = check_upload(file_name, data, MARK_LIMITS)
    except UploadRefused as refused:
        raise InvalidMark({"image": refused.message()}) from refused
    stored = store.put(checked.data)  # the file first: a row only ever names a stored file
    now = clock.now()
    with db.transaction() as session:
        row = session.get(UserMark, actor.user_id)
        before = (row.sha256, row.key) if row is not None else None
        if row is None:
            row = UserMark(user_id=actor.user_id)
            session.add(row)
        row.kind, row.sha256, row.key = kind, stored.sha256, stored.key
        row.media_type, row.size, row.updated_at = checked.media_type, stored.size, now
        trail.append(session, at=now, actor=actor, action="user.mark.set", object_type="user",
                     object_id=actor.username,
                     detail={"kind": kind, "sha256": stored.sha256, "before": before and before[0]})
        unnamed = _unnamed(session, before)
    _forget(store, unnamed)
    return Mark(actor.username, kind, stored.sha256, stored.key, checked.media_type, stored.size, now)


def remove_mark(db: Database, clock: Clock, store: FileStore, actor: Actor) -> bool:
    """``actor``'s mark removed (audited); False when there was none."""
    with db.transaction() as session:
        row = session.get(UserMark, actor.user_id)
        if row is None:
            return False
        before = (row.sha256, row.key)
        session.delete(row)
        trail.append(session, at=clock.now(), actor=actor, action="user.mark.removed", object_type="user",
                     object_id=actor.username, detail={"sha256": before[0]})
        unnamed = _unnamed(session, before)
    _forget(store, unnamed)
    return True


def mark_images(db: Database, store: FileStore,
                signed: Mapping[str, datetime | None]) -> dict[str, MarkImage]:
    """The marks of the people in ``signed`` (username: when they signed) that they already had
    when they signed, with their bytes, for printing. A mark set or replaced after the signature
    is left out: beside a signature it says the person stamped it, and a reprint must not claim
    a stamp that was not there (nor change when the profile does). A mark whose file is missing
    is left out too (the copy prints the name alone) rather than failing the print; a store that
    cannot be reached is :class:`archive.files.StoreUnavailable` (a 503 page)."""
    wanted = sorted(name for name, at in signed.items() if name and at is not None)
    if not wanted:
        return {}
    with db.reading() as session:
        marks = _marks(session, wanted)
    images = {}
    for username, mark in marks.items():
        when = signed[username]
        if when is None or mark.updated_at > when:
            continue
        try:
            images[username] = MarkImage(mark.sha256, mark.media_type, store.get(mark.key))
        except FileMissing:  # archive verify names it; the copy prints the name alone
            log.warning("the mark of %s (%s) is missing from the file store", username, mark.key)
    return images


def _marks(session: Session, usernames: list[str]) -> dict[str, Mark]:
    rows = session.execute(select(User.username, UserMark).join(UserMark, UserMark.user_id == User.id)
                           .where(User.username.in_(usernames)))
    return {name: Mark(name, row.kind, row.sha256, row.key, row.media_type, row.size, row.updated_at)
            for name, row in rows}


def _unnamed(session: Session, before: tuple[str, str] | None) -> str | None:
    """The store key of the image a row named ``before`` (SHA-256, key) if no row names those
    bytes now: its file can be deleted once the change is committed."""
    if before is None:
        return None
    session.flush()
    still = session.scalar(select(UserMark.user_id).where(UserMark.sha256 == before[0]).limit(1))
    return None if still is not None else before[1]


def _forget(store: FileStore, key: str | None) -> None:
    if key is not None:
        store.delete(key)
