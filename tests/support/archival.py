"""Reading what filing gave a record for the 档号 tests (tests/archive/test_archival_codes*.py):
its archival reference, the counters, the audit events naming them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from archive.models import ArchivalCounter, Record
from core.audit.models import AuditEvent
from core.web import services

#: The tests' frozen clocks carry microseconds, as every real clock does.
MICRO_START = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


#: A fixture's params for the same test on SQLite (the ``app`` fixture) and PostgreSQL (``pg_app``).
ENGINES = ["app", pytest.param("pg_app", marks=pytest.mark.postgres)]


def archival_code_of(app: Flask, code: str) -> str | None:
    with app.app_context(), services().db.reading() as session:
        return session.scalar(select(Record.archival_code).where(Record.code == code))


def archival_codes(app: Flask) -> dict[str, str | None]:
    """Record code → 档号 of every record."""
    with app.app_context(), services().db.reading() as session:
        return dict(session.execute(select(Record.code, Record.archival_code)).all())


def counters(app: Flask) -> dict[tuple[str, str, int, str, str], int]:
    with app.app_context(), services().db.reading() as session:
        return {(c.fonds, c.category, c.year, c.retention, c.organisation): c.value
                for c in session.scalars(select(ArchivalCounter))}


def events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context(), services().db.reading() as session:
        found = list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                     .order_by(AuditEvent.id)))
        session.expunge_all()
        return found
