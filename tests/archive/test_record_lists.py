"""Record lists at any size (issue 16): a page's ids come from an index in the list's order (no
sort of the scope), listed rows are loaded without their JSON data, and the scope is counted
only up to a cap; pages past the cap say "more than N" and page on by "next", the last page
knows its exact total, and a page past the end still leads to the last page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from archive import record_lists
from archive.record_lists import RecordFilters, find_records, list_records
from core.audit.models import AuditEvent
from core.clock import FrozenClock
from core.web import services
from tests.support.instance import actor_of
from tests.support.lifecycle import submit_complaints
from tests.support.query_plans import every_statement

MOMENT = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
EN = {"Accept-Language": "en"}


def plans_of_page_queries(app: Flask, run) -> list[str]:  # type: ignore[no-untyped-def]
    """SQLite's plan of each statement that reads a list's page of ids while ``run()`` lists."""
    with every_statement(app) as seen:
        run()
    queries = [(sql, params) for sql, params in seen
               if sql.lstrip().startswith("SELECT records.id") and "ORDER BY" in sql]
    assert queries, "no page query ran"
    with app.app_context(), services().db.reading() as session:
        connection = session.connection()
        return [" / ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
                for sql, params in queries]


@pytest.fixture(autouse=True)
def _microseconds(clock: FrozenClock) -> None:
    clock.current = MOMENT


#: A filter on the form or the code's year is checked in the index (covering); one on the state
#: or on being overdue reads the rows the index yields, in order, until the page is full.
@pytest.mark.parametrize(("username", "mine", "filters", "index"), [
    ("clerk", True, None, "COVERING INDEX ix_records_submitter_newest"),  # mine (in my department)
    ("clerk", False, None, "COVERING INDEX ix_records_department_newest"),  # the department's list
    ("supervisor", False, None, "COVERING INDEX ix_records_department_newest"),
    ("archivist", False, None, "COVERING INDEX ix_records_newest"),  # the records office: everyone's
    ("archivist", True, None, "COVERING INDEX ix_records_submitter_newest"),
    ("auditor", False, RecordFilters(department="CS"), "COVERING INDEX ix_records_department_newest"),
    ("auditor", False, RecordFilters(submitter="clerk"), "COVERING INDEX ix_records_submitter_newest"),
    ("auditor", False, RecordFilters(form="AR", year=2026), "COVERING INDEX ix_records_newest"),
    ("clerk", False, RecordFilters(form="CP", year=2026), "COVERING INDEX ix_records_department_newest"),
    ("clerk", False, RecordFilters(state="registered", year=2026), "INDEX ix_records_department_newest"),
    ("auditor", False, RecordFilters(form="CP", overdue=True), "INDEX ix_records_newest"),
])
def test_a_page_of_ids_is_read_from_an_index_in_the_lists_order(  # type: ignore[no-untyped-def]
        app, clock, username, mine, filters, index) -> None:
    submit_complaints(app, clock, "clerk", 3)
    actor = actor_of(app, username)
    with app.app_context():
        s = services()
        if filters is None:
            plans = plans_of_page_queries(app, lambda: list_records(s.db, s.clock, actor, mine=mine, page=2,
                                                                    per_page=2))
        else:
            plans = plans_of_page_queries(app, lambda: find_records(s.db, s.clock, actor, filters))
    for plan in plans:
        assert index in plan and "TEMP B-TREE" not in plan, plan


def test_listed_records_are_loaded_without_their_data(app: Flask, clock: FrozenClock) -> None:
    submit_complaints(app, clock, "clerk", 3)
    actor = actor_of(app, "clerk")
    with app.app_context():
        s = services()
        with every_statement(app) as seen:
            listed = list_records(s.db, s.clock, actor, mine=True)
    assert [r.title for r in listed.items] == ["上海恒丰 · 划痕"] * 3
    assert all(r.data == {} for r in listed.items)
    assert listed.items[0].submitted_by == "clerk" and listed.items[0].department_code == "CS"
    selects = [sql for sql, _ in seen if sql.lstrip().startswith("SELECT")]
    assert selects and not any("records.data" in sql for sql in selects), selects


def test_the_scope_is_counted_up_to_the_cap_and_pages_say_more(  # type: ignore[no-untyped-def]
        app, clock, monkeypatch) -> None:
    monkeypatch.setattr(record_lists, "COUNT_CAP", 5)
    codes = submit_complaints(app, clock, "clerk", 13)
    newest_first = codes[::-1]
    actor = actor_of(app, "clerk")
    with app.app_context():
        s = services()

        def page(number: int) -> record_lists.ListPage:
            return list_records(s.db, s.clock, actor, mine=True, page=number, per_page=2)
        first, third, last, past = page(1), page(3), page(7), page(8)
        walked = [r.code for n in range(1, 8) for r in page(n).items]
    assert walked == newest_first  # newest first, ties by id, each record once
    assert (first.total, first.more, first.has_next, first.pages) == (5, True, True, 3)  # "more than 5"
    assert (third.total, third.more, third.has_next) == (6, True, True)  # past the cap: up to this page
    assert (last.total, last.more, last.has_next, last.pages) == (13, False, False, 7)  # the last page knows
    assert (past.items, past.total, past.more, past.pages) == ((), 13, False, 7)  # leads to page 7
    with app.app_context(), services().db.reading() as session:
        audited = list(session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "record.list")
                                       .order_by(AuditEvent.seq)))
    assert audited[0] == {"mine": True, "page": 1, "codes": newest_first[:2]}
    assert audited[2] == {"mine": True, "page": 7, "codes": newest_first[12:]}


def test_the_page_says_more_than_the_cap_and_pages_on(  # type: ignore[no-untyped-def]
        app, clock, logged_in, monkeypatch) -> None:
    monkeypatch.setattr(record_lists, "COUNT_CAP", 5)
    codes = submit_complaints(app, clock, "clerk", 25)
    clerk = logged_in("clerk")
    first = clerk.get("/records").text
    assert "超过 20 条记录" in first and "第 1 页" in first  # twenty shown: already past the cap
    assert "共 2 页" not in first
    assert 'rel="next" href="/records?scope=mine&amp;page=2"' in first and codes[-1] in first
    english = clerk.get("/records", headers=EN).text
    assert "More than 20 records" in english and "Page 1<" in english
    second = clerk.get("/records?page=2").text  # the last page: the exact total, no "next"
    assert "共 25 条记录" in second and "第 2 页，共 2 页" in second and 'rel="next"' not in second
    assert codes[0] in second and codes[-1] not in second
    past = clerk.get("/records?page=9")
    assert past.status_code == 302 and past.headers["Location"] == "/records?scope=mine&page=2"


def test_the_api_says_more_and_links_the_next_page(app, clock, client, token_for, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(record_lists, "COUNT_CAP", 5)
    codes = submit_complaints(app, clock, "clerk", 7)
    headers = token_for("auditor")
    first = client.get("/api/v1/records?per_page=3&form=CP", headers=headers).json
    assert (first["total"], first["more"], first["pages"]) == (5, True, 2)
    assert first["next"] == "/api/v1/records?per_page=3&form=CP&page=2"
    walked, answer = [], first
    while True:
        walked += [r["code"] for r in answer["records"]]
        if answer["next"] is None:
            break
        answer = client.get(answer["next"], headers=headers).json
    assert walked == codes[::-1] and (answer["total"], answer["more"], answer["pages"]) == (7, False, 3)
