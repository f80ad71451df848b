"""On PostgreSQL a record's read leaves the audit chain head unlocked while it reads (issue 16).

The head row is locked from an append until its transaction commits; a read that appended inside
the transaction it read in held it for the whole read, so every other audited request waited.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import select

from archive import records
from archive.records import get_record
from core.audit.models import AuditEvent
from core.web import services
from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of

pytestmark = pytest.mark.postgres


def head_is_free(dsn: str) -> bool:
    """Whether another transaction could lock the chain head now (an append could start)."""
    with psycopg.connect(dsn) as other:
        try:
            other.execute("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE NOWAIT")
            return True
        except psycopg.errors.LockNotAvailable:
            return False
        finally:
            other.rollback()


def test_a_record_is_read_with_the_chain_head_free_and_audited_once(pg_app, pg_server, monkeypatch):
    with pg_app.app_context():
        db = services().db
        code = submit(db, services().clock, services().zone, actor_of(pg_app, "clerk"), "CP", VALID_CP).code
        dsn = pg_server.dsn(db.engine.url.database)
    seen_free: list[bool] = []
    building = records.record_view

    def record_view_watching_the_head(*args: Any, **kwargs: Any) -> Any:
        seen_free.append(head_is_free(dsn))
        return building(*args, **kwargs)

    monkeypatch.setattr(records, "record_view", record_view_watching_the_head)
    with pg_app.app_context():
        view = get_record(db, services().clock, actor_of(pg_app, "supervisor"), code)
        with db.reading() as session:
            read = [(e.actor_name, e.object_id, e.detail) for e in
                    session.scalars(select(AuditEvent).filter_by(action="record.read"))]
    assert view.code == code and seen_free == [True]
    assert read == [("supervisor", code, {"via": "web"})]
