"""Deleting stored files after the transaction that removed their rows has committed (a
destruction, an anonymisation): the rows go first, so a rollback never loses a file; a crash
before the files go leaves files without rows, which the retried task removes (and
``archive verify`` would name)."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from archive.renditions import instance_store
from core.outbox.queue import Task, enqueue

PURGE_TOPIC = "archive.purge_files"
log = logging.getLogger(__name__)


def enqueue_purge(session: Session, *, subject: str, at: datetime, paths: list[str]) -> None:
    """Queue the deletion of rendition files (store-relative paths), in the caller's transaction."""
    if paths:
        enqueue(session, topic=PURGE_TOPIC, subject=subject, at=at, payload={"paths": paths})


def handle(task: Task) -> None:
    """Outbox handler: delete the files; one already gone is fine (a retried task)."""
    store = instance_store(current_app.instance_path)
    for relative in task.payload.get("paths", []):
        path = store.path_of(relative)
        path.unlink(missing_ok=True)
        log.info("deleted %s (%s)", relative, task.subject)
