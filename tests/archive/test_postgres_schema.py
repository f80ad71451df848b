"""The migrations and the audit trail's guarantees on a real PostgreSQL server.

The same Alembic migrations that build the SQLite file must build a PostgreSQL schema that
matches the models, be safe to run again, and install the trigger that makes the database itself
refuse to rewrite audit events. Where the trigger is removed (an administrator with full rights),
the hash chain still finds the edited event.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DatabaseError

from core import db_schema
from core.audit import trail
from core.audit.models import AuditEvent, AuditHead
from core.clock import FrozenClock
from core.db import Base
from core.web import services
from forms.submission import submit
from tests.support.instance import actor_of, make_app

pytestmark = pytest.mark.postgres

COMPLAINT = {"channel": "phone", "received_at": "2026-03-02T09:00:00+08:00",
             "customer_name": "测试", "phone": "13800138000", "complaint": "划痕"}
CHANGE_ACTION = "UPDATE audit_events SET action = 'record.erased' WHERE seq = :seq"
DELETE_EVENT = "DELETE FROM audit_events WHERE seq = :seq"


def schema_snapshot(app: Flask) -> dict[str, Any]:
    """Tables with their columns, indexes, unique keys and foreign keys, plus triggers."""
    with app.app_context():
        engine = services().db.engine
        inspector = inspect(engine)
        tables = {
            name: (
                [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)],
                sorted(i["name"] for i in inspector.get_indexes(name)),
                sorted(u["name"] for u in inspector.get_unique_constraints(name)),
                sorted(f["name"] for f in inspector.get_foreign_keys(name)),
            )
            for name in inspector.get_table_names()
        }
        with engine.connect() as connection:
            triggers = sorted(connection.execute(text(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
    return {"tables": tables, "triggers": triggers}


def submit_complaints(app: Flask, count: int) -> list[str]:
    clerk = actor_of(app, "clerk")
    with app.app_context():
        s = services()
        return [submit(s.db, s.clock, s.zone, clerk, "CP", COMPLAINT).code for _ in range(count)]


def verify_chain(app: Flask) -> tuple[int, trail.ChainBreak | None]:
    with app.app_context(), services().db.reading() as session:
        return trail.verify(session)


def event_seq(app: Flask, action: str, object_id: str) -> int:
    with app.app_context(), services().db.reading() as session:
        return session.scalar(select(AuditEvent.seq).filter_by(action=action, object_id=object_id))


def execute(app: Flask, statement: str, **params: Any) -> None:
    with app.app_context(), services().db.transaction() as session:
        session.execute(text(statement), params)


# --- migrations ----------------------------------------------------------------------------------

def test_migrations_build_the_models_schema_and_running_them_again_changes_nothing(
        pg_url, instance_dir):
    app = make_app(pg_url, FrozenClock(datetime(2026, 3, 2, 1, 30, tzinfo=UTC)))
    with app.app_context():
        db = services().db
        assert db.dialect == "postgresql"
        assert not db_schema.is_current(db)
        assert inspect(db.engine).get_table_names() == []
        db_schema.upgrade(db)
        assert db_schema.is_current(db)
        with db.engine.connect() as connection:
            drift = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                     Base.metadata)
        assert drift == [], f"the migrations and the models disagree on PostgreSQL: {drift}"
        with db.reading() as session:
            head = session.execute(select(AuditHead.seq, AuditHead.hash)).one()
        assert tuple(head) == (0, "0" * 64)
    first = schema_snapshot(app)
    assert set(first["tables"]) == {*Base.metadata.tables, "alembic_version"}
    assert "audit_events_append_only" in first["triggers"]

    with app.app_context():
        db_schema.upgrade(services().db)
        assert db_schema.is_current(services().db)
    assert schema_snapshot(app) == first
    with app.app_context():
        services().db.dispose()


def test_init_twice_on_a_used_database_keeps_everything(pg_app):
    codes = submit_complaints(pg_app, 3)
    before = schema_snapshot(pg_app)
    runner = pg_app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["init"])
        assert result.exit_code == 0, result.output
        assert "0 new version(s)" in result.output
    assert schema_snapshot(pg_app) == before
    with pg_app.app_context():
        assert db_schema.is_current(services().db)
    assert submit_complaints(pg_app, 1) == ["CP-2026-000004"]
    assert verify_chain(pg_app)[1] is None
    assert codes == ["CP-2026-000001", "CP-2026-000002", "CP-2026-000003"]


# --- the audit chain -----------------------------------------------------------------------------

def test_audit_chain_verifies_after_submissions(pg_app):
    submit_complaints(pg_app, 12)
    checked, broken = verify_chain(pg_app)
    with pg_app.app_context(), services().db.reading() as session:
        stored = session.scalar(select(func.count()).select_from(AuditEvent))
        head_seq = session.scalar(select(AuditHead.seq))
        submits = session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "record.submit"))
    assert broken is None
    assert checked == stored == head_seq
    assert submits == 12
    result = pg_app.test_cli_runner().invoke(args=["audit", "verify", "--lang", "en"])
    assert result.exit_code == 0 and f"OK: {stored} events" in result.output


@pytest.mark.parametrize("statement", [CHANGE_ACTION, DELETE_EVENT], ids=["update", "delete"])
def test_the_database_refuses_to_change_or_delete_audit_events(pg_app, statement):
    code = submit_complaints(pg_app, 1)[0]
    seq = event_seq(pg_app, "record.submit", code)
    with pytest.raises(DatabaseError, match="audit events are append-only"):
        execute(pg_app, statement, seq=seq)
    assert event_seq(pg_app, "record.submit", code) == seq
    assert verify_chain(pg_app)[1] is None


def test_the_database_refuses_to_truncate_audit_events(pg_app):
    refused = False
    try:
        execute(pg_app, "TRUNCATE audit_events")
    except DatabaseError as exc:
        refused = "append-only" in str(exc)
    assert refused, "TRUNCATE audit_events went through"


def test_a_truncated_trail_is_detected(pg_app):
    """Someone with the table owner's rights can drop the trigger; verify still notices."""
    submit_complaints(pg_app, 2)
    execute(pg_app, "DROP TRIGGER audit_events_no_truncate ON audit_events")
    execute(pg_app, "TRUNCATE audit_events")
    checked, broken = verify_chain(pg_app)
    assert checked == 0 and broken is not None and "chain head" in broken.reason


def test_an_event_edited_behind_the_triggers_back_is_found_at_its_seq(pg_app):
    codes = submit_complaints(pg_app, 5)
    seq = event_seq(pg_app, "record.submit", codes[2])
    execute(pg_app, "DROP TRIGGER audit_events_append_only ON audit_events")
    execute(pg_app, CHANGE_ACTION, seq=seq)
    checked, broken = verify_chain(pg_app)
    assert broken is not None
    assert broken.seq == seq and "edited" in broken.reason
    assert checked == seq - 1
    result = pg_app.test_cli_runner().invoke(args=["audit", "verify", "--lang", "en"])
    assert result.exit_code == 1 and f"BROKEN at event seq={seq} " in result.output


def test_an_edit_that_also_rewrites_its_own_hash_is_found_at_the_next_event(pg_app):
    codes = submit_complaints(pg_app, 5)
    seq = event_seq(pg_app, "record.submit", codes[1])
    execute(pg_app, "DROP TRIGGER audit_events_append_only ON audit_events")
    with pg_app.app_context(), services().db.transaction() as session:
        event = session.scalar(select(AuditEvent).filter_by(seq=seq))
        event.action = "record.erased"
        event.hash = trail.event_hash(
            seq=event.seq, at=event.at, actor_id=event.actor_id, actor_name=event.actor_name,
            action=event.action, object_type=event.object_type, object_id=event.object_id,
            detail=event.detail, prev_hash=event.prev_hash)
    checked, broken = verify_chain(pg_app)
    assert broken is not None
    assert broken.seq == seq + 1 and "previous-hash" in broken.reason
    assert checked == seq


def test_a_deleted_event_is_found_where_the_sequence_jumps(pg_app):
    codes = submit_complaints(pg_app, 4)
    seq = event_seq(pg_app, "record.submit", codes[1])
    execute(pg_app, "DROP TRIGGER audit_events_append_only ON audit_events")
    execute(pg_app, DELETE_EVENT, seq=seq)
    checked, broken = verify_chain(pg_app)
    assert broken is not None
    assert broken.seq == seq + 1 and "deleted" in broken.reason
    assert checked == seq - 1
