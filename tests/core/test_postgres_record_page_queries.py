"""Every query the record page runs is served by an index on PostgreSQL too (issue 16).

The SQLite twin and what is checked: tests/core/test_record_page_queries.py.
"""

from __future__ import annotations

import pytest

from core.outbox.queue import pending_for
from core.web import services
from tests.support.instance import login
from tests.support.query_plans import long_history, plan_of, scanned_tables, statements

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("role", ["clerk", "archivist"])  # department-scoped and organisation-wide
def test_the_record_page_reads_nothing_whole_on_postgresql(pg_app, role, monkeypatch):
    code = long_history(pg_app)
    monkeypatch.setitem(pg_app.jinja_env.globals, "inbox_count", lambda: 0)  # forms/inbox.py's
    client = pg_app.test_client()
    login(client, role)
    with statements(pg_app) as captured:
        page = client.get(f"/records/{code}")
    assert page.status_code == 200 and "第 5 次勘误" in page.text
    assert captured and scanned_tables(pg_app, captured) == {}


def test_a_records_pending_outbox_rows_are_found_by_index_on_postgresql(pg_app):
    code = long_history(pg_app)
    with statements(pg_app) as captured, pg_app.app_context():
        assert len(pending_for(services().db, "pdf.archival", code)) == 11
    lookup = next(s for s in captured if "FROM outbox" in s[0])
    assert "ix_outbox_topic_subject" in plan_of(pg_app, *lookup)
