"""Deleting stored files after the transaction that removed their rows has committed (a
destruction, an anonymisation): the rows go first, so a rollback never loses a file; a crash
before the files go leaves files without rows, which the retried task removes (and
``archive verify`` would name).

Files are kept by their content (:mod:`archive.files`): two rows holding the same bytes would
name one key. ``renditions.path`` is unique, so today they cannot, but the handler still keeps a
key that a renditions row names when it runs (a row stored again since the task was queued),
and one an attachments row names (the same photo attached to another record meanwhile)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.attachment_models import Attachment
from archive.models import Rendition
from archive.stores import file_store
from core.outbox.queue import Task, enqueue
from core.web import services

PURGE_TOPIC = "archive.purge_files"
BATCH = 500
log = logging.getLogger(__name__)


def enqueue_purge(session: Session, *, subject: str, at: datetime, paths: list[str]) -> None:
    """Queue the deletion of rendition files (their store keys), in the caller's transaction."""
    if paths:
        enqueue(session, topic=PURGE_TOPIC, subject=subject, at=at, payload={"paths": paths})


def handle(task: Task) -> None:
    """Outbox handler: delete the files no renditions row names; one already gone is fine (a
    retried task)."""
    store, keys = file_store(), list(task.payload.get("paths", []))
    named: set[str] = set()
    with services().db.reading() as session:
        for start in range(0, len(keys), BATCH):
            batch = keys[start:start + BATCH]
            named.update(session.scalars(select(Rendition.path).where(Rendition.path.in_(batch))))
            # attachments are shared by content: the same photo may have been attached since
            named.update(session.scalars(select(Attachment.key).where(Attachment.key.in_(batch))))
            named.update(session.scalars(select(Attachment.thumbnail_key).where(
                Attachment.thumbnail_key.in_(batch))))
    for key in keys:
        if key in named:
            log.info("kept %s (%s): a renditions or attachments row names it", key, task.subject)
            continue
        store.delete(key)
        log.info("deleted %s (%s)", key, task.subject)
