"""Record lists on a real PostgreSQL server (issue 16): the same pages, totals and "more" as on
SQLite, and each scope's page of ids can be read from an index in the list's order (with
sorting discouraged, the plan still has no sort: an index gives the order)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import text

from archive import record_lists
from archive.record_lists import RecordFilters, find_records, list_records
from core.clock import FrozenClock
from core.web import services
from tests.support.instance import actor_of
from tests.support.lifecycle import submit_complaints
from tests.support.query_plans import every_statement

pytestmark = pytest.mark.postgres


def plan_nodes(plan: dict) -> list[dict]:  # type: ignore[type-arg]
    return [plan, *(node for child in plan.get("Plans", []) for node in plan_nodes(child))]


LIST_INDEXES = {"ix_records_submitter_newest", "ix_records_department_newest", "ix_records_newest"}


@pytest.mark.parametrize(("username", "mine", "filters"), [
    ("clerk", True, None), ("clerk", False, None), ("supervisor", False, None), ("archivist", False, None),
    ("archivist", True, None), ("auditor", False, RecordFilters(form="CP", state="registered")),
    ("auditor", False, RecordFilters(submitter="clerk", year=2026)),
])
def test_each_scope_reads_its_page_from_an_index_without_sorting(  # type: ignore[no-untyped-def]
        pg_app: Flask, clock: FrozenClock, username, mine, filters) -> None:
    """Which of the list indexes PostgreSQL takes depends on its statistics (at 100,000 rows:
    the scope's own, checked by hand with EXPLAIN ANALYZE); that one of them gives the order is
    what does not."""
    clock.current = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
    submit_complaints(pg_app, clock, "clerk", 3)
    actor = actor_of(pg_app, username)
    with pg_app.app_context():
        s = services()
        with every_statement(pg_app) as seen:
            if filters is None:
                list_records(s.db, s.clock, actor, mine=mine, page=2, per_page=2)
            else:
                find_records(s.db, s.clock, actor, filters)
        queries = [(sql, params) for sql, params in seen
                   if sql.lstrip().startswith("SELECT records.id") and "ORDER BY" in sql]
        assert queries
        with s.db.engine.connect() as connection:
            connection.execute(text("SET enable_sort = off"))
            connection.execute(text("SET enable_incremental_sort = off"))
            for sql, params in queries:
                raw = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}", params).scalar_one()
                nodes = plan_nodes((json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"])
                assert not any(n["Node Type"] in ("Sort", "Incremental Sort") for n in nodes), nodes
                assert LIST_INDEXES & {n.get("Index Name") for n in nodes}, nodes


def test_pages_totals_and_more_as_on_sqlite(pg_app: Flask, clock: FrozenClock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(record_lists, "COUNT_CAP", 5)
    clock.current = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
    codes = submit_complaints(pg_app, clock, "clerk", 9)
    actor = actor_of(pg_app, "clerk")
    with pg_app.app_context():
        s = services()
        pages = [list_records(s.db, s.clock, actor, mine=True, page=n, per_page=2) for n in range(1, 7)]
    assert [r.code for p in pages for r in p.items] == codes[::-1]  # ties in time by id, each once
    more, last = (True, True), (False, False)  # (more, has_next)
    assert [(p.total, p.more, p.has_next) for p in pages] == [
        (5, *more), (5, *more), (6, *more), (8, *more), (9, *last), (9, *last)]
