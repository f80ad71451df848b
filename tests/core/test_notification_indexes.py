"""The notifications table is read by index where it is read often (migration 0032): a
person's list newest first without sorting all their rows, the deadline tick's keys of events
already told from the index alone, the admins' refused e-mails from a partial index. The plans
are those of the queries the code runs (captured as they execute), on SQLite here and on
PostgreSQL in test_notifications_postgres; the migration goes down and up again over rows."""

from __future__ import annotations

from alembic import command
from flask import Flask
from sqlalchemy import inspect, text

from core import db_schema
from core.notifications.service import listing, refusals
from core.web import services
from forms.deadline_notices import already_told
from tests.support.notifications import notes_of, notification_plans, some_notifications

NEW = {"ix_notifications_recipient_newest", "ix_notifications_event_key", "ix_notifications_refused"}


def test_the_list_is_read_newest_first_from_its_index(app: Flask) -> None:
    uid = some_notifications(app)
    [plan] = notification_plans(app, lambda session: listing(session, uid))
    assert "ix_notifications_recipient_newest" in plan and "TEMP B-TREE" not in plan, plan


def test_the_ticks_told_keys_come_from_the_index_alone(app: Flask) -> None:
    some_notifications(app)
    [plan] = notification_plans(app, already_told)
    assert "COVERING INDEX ix_notifications_event_key" in plan, plan


def test_the_refused_list_reads_the_partial_index(app: Flask) -> None:
    some_notifications(app)
    plan = " ; ".join(notification_plans(app, refusals))
    assert "ix_notifications_refused" in plan, plan


def test_the_migration_goes_down_and_up_again_keeping_the_rows(app: Flask) -> None:
    some_notifications(app)
    before = [(n.id, n.key) for n in notes_of(app, "supervisor")]
    with app.app_context():
        db = services().db
        command.downgrade(db_schema.alembic_config(db), "-1")  # this migration only
        assert NEW.isdisjoint(i["name"] for i in inspect(db.engine).get_indexes("notifications"))
        db_schema.upgrade(db)
        assert db_schema.is_current(db)
        names = {i["name"] for i in inspect(db.engine).get_indexes("notifications")}
        with db.engine.connect() as connection:
            partial = connection.execute(text(
                "SELECT sql FROM sqlite_master WHERE name = 'ix_notifications_refused'")).scalar()
    assert names >= NEW and "WHERE email_error IS NOT NULL" in (partial or "")
    assert [(n.id, n.key) for n in notes_of(app, "supervisor")] == before
