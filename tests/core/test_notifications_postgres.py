"""Notifications on a real PostgreSQL server: the unique key holds (a producer run twice adds
one row), the events list is JSONB and the digest's and e-mail choice's reads work on it, and
the header's unread count is answered from its index, and so are the list newest first, the
deadline tick's told keys (from the index alone) and the admins' refused e-mails (migration
0032; the plans of the queries the code runs, sequential scans priced out)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text

from core.notifications import notify
from core.notifications.service import listing, mark_read, refusals, unread_count
from core.web import services
from forms.deadline_notices import already_told
from tests.support.notifications import (
    notification_plans,
    set_prefs,
    some_notifications,
    user_id,
    vacuum_analyze,
)

pytestmark = pytest.mark.postgres


def test_one_row_per_key_and_the_count_on_postgres(pg_app: Flask) -> None:
    uid = set_prefs(pg_app, "clerk", email="clerk@office.test", events=["record.returned"])
    with pg_app.app_context():
        s = services()
        for _ in range(2):
            with s.db.transaction() as session:
                notify(session, event="record.returned", recipients=[uid, user_id(pg_app, "sales")],
                       record_code="CP-2026-000001", at=s.clock.now(), key="returned|pg")
        with s.db.transaction() as session:
            assert unread_count(session, uid) == 1
            queued = session.execute(text("SELECT count(*) FROM outbox WHERE topic = 'notify.email'"))
            assert queued.scalar() == 1  # the clerk chose e-mail, sales did not
            assert mark_read(session, uid, None, s.clock.now()) == 1
            assert unread_count(session, uid) == 0
        vacuum_analyze(pg_app)
        with s.db.reading() as session:
            session.execute(text("SET enable_seqscan = off"))
            plan = "\n".join(session.execute(text(
                "EXPLAIN SELECT count(*) FROM notifications WHERE recipient_id = :u AND read_at IS NULL"),
                {"u": uid}).scalars())
    assert "ix_notifications_recipient_read" in plan


def test_the_list_the_ticks_keys_and_the_refusals_read_their_indexes_on_postgres(pg_app: Flask) -> None:
    uid = some_notifications(pg_app)
    vacuum_analyze(pg_app)
    [in_order] = notification_plans(pg_app, lambda session: listing(session, uid))
    assert "ix_notifications_recipient_newest" in in_order and "Sort" not in in_order, in_order
    [told] = notification_plans(pg_app, already_told)
    assert "Index Only Scan using ix_notifications_event_key" in told, told
    refused = " ; ".join(notification_plans(pg_app, refusals))
    assert "ix_notifications_refused" in refused, refused
