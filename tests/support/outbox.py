"""Outbox rows for tests: written as a service writes them, in one committed transaction."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask

from core.outbox import queue
from core.web import services


def enqueue_rows(app: Flask, topic: str, subjects: Iterable[str]) -> None:
    """One row of ``topic`` per subject, oldest first, due now on the app's clock."""
    with app.app_context():
        s = services()
        with s.db.transaction() as session:
            for subject in subjects:
                queue.enqueue(session, topic=topic, subject=subject, at=s.clock.now())


def pending_subjects(app: Flask) -> list[tuple[str, str]]:
    """(topic, subject) of every row not done yet, oldest first."""
    with app.app_context():
        return [(item.topic, item.subject) for item in queue.pending(services().db, limit=10_000)]
