"""Every query the record page runs is served by an index (issue 16), on SQLite.

The statements are captured while each role opens a complaint with eleven revisions, and no
plan may read a table that grows with the archive whole (tests/support/query_plans.py). The
PostgreSQL twin is tests/core/test_postgres_record_page_queries.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from archive.records import get_record
from core.outbox.models import OutboxItem
from core.outbox.queue import pending_for
from core.web import services
from forms.pdf.archival import archival_status
from tests.support.instance import actor_of, login
from tests.support.query_plans import long_history, plan_of, scanned_tables, statements


@pytest.mark.parametrize("role", ["clerk", "supervisor", "archivist", "auditor"])
def test_the_record_page_reads_nothing_whole_for_any_role(app, role, monkeypatch):
    code = long_history(app)
    # The navigation's inbox count is forms/inbox.py's and is checked there.
    monkeypatch.setitem(app.jinja_env.globals, "inbox_count", lambda: 0)
    client = app.test_client()
    login(client, role)
    with statements(app) as captured:
        page = client.get(f"/records/{code}")
    assert page.status_code == 200 and code in page.text and "第 5 次勘误" in page.text
    assert captured and scanned_tables(app, captured) == {}


def test_a_records_pending_outbox_rows_are_found_by_topic_and_subject(app):
    code = long_history(app)
    with statements(app) as captured, app.app_context():
        pending = pending_for(services().db, "pdf.archival", code)
    assert len(pending) == 11  # one archival copy queued per revision, none made in tests
    lookup = next(s for s in captured if OutboxItem.__tablename__ in s[0])
    assert "ix_outbox_topic_subject" in plan_of(app, *lookup)


def test_a_refused_record_page_reads_nothing_whole(app, monkeypatch):
    """Another department's clerk: the record, then whether an access grant opens it to them."""
    code = long_history(app)
    monkeypatch.setitem(app.jinja_env.globals, "inbox_count", lambda: 0)
    client = app.test_client()
    login(client, "sales")
    with statements(app) as captured:
        page = client.get(f"/records/{code}")
    assert page.status_code == 403 and "第 5 次勘误" not in page.text
    assert any("access_grants" in sql for sql, _ in captured)
    assert scanned_tables(app, captured) == {}


def test_the_archival_copys_status_is_read_in_one_transaction(app):
    code = long_history(app)
    begun: list[str] = []
    with app.app_context():
        s = services()
        view = get_record(s.db, s.clock, actor_of(app, "clerk"), code)

        def count(*_args: Any) -> None:
            begun.append("BEGIN")

        event.listen(s.db.engine, "begin", count)
        try:
            status = archival_status(s.db, view)
        finally:
            event.remove(s.db.engine, "begin", count)
    assert status.stored is None and status.pending and status.last_error is None
    assert begun == ["BEGIN"]  # the stored copies and the queued ones, together
