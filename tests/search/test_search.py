"""Searching through the app: records indexed after commit by the outbox, found by words, names,
codes, phones and filters, only within the user's scope, on the page and through the API."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.clock import FrozenClock
from core.web import services
from tests.support.lifecycle import submit_cp, work_outbox
from tests.support.search_api import found


@pytest.fixture
def indexed(app: Flask, clock: FrozenClock) -> dict[str, str]:
    """Three CS complaints and one SALES complaint on different days, indexed by the outbox."""
    codes = {"scratch": submit_cp(app, customer_name="上海恒丰贸易", complaint="外包装破损，表面有划痕",
                                  contact_person="王小明", phone="13800138000", order_no="SO-2026-0815")}
    clock.advance(days=1)
    codes["late"] = submit_cp(app, customer_name="苏州精工", complaint="Late delivery, boxes damaged",
                              phone="13912345678")
    clock.advance(days=1)
    codes["sales"] = submit_cp(app, "sales", customer_name="杭州远大", complaint="表面有划痕，要求退货",
                               phone="13700001111")
    assert "6 done, 0 failed" in work_outbox(app)  # three PDFs, three index entries
    return codes


def test_words_names_numbers_and_codes_find_their_records(app, indexed, token_for):  # type: ignore[no-untyped-def]
    client, admin = app.test_client(), token_for("admin")
    scratch, late, sales = indexed["scratch"], indexed["late"], indexed["sales"]
    assert sorted(found(client, "划痕", admin)) == sorted([scratch, sales])
    assert found(client, "破损 划痕", admin) == [scratch]  # every word must match
    assert found(client, "外包装破损", admin) == [scratch]  # a phrase
    assert found(client, "王小明", admin) == [scratch]  # a name inside a field
    assert found(client, "恒", admin) == [scratch]  # a single character
    assert found(client, "damage", admin) == [late]  # stemmed, case-folded English
    assert found(client, "13800138000", admin) == [scratch]  # a phone, whole
    assert found(client, "8000", admin) == [scratch]  # …and by its tail
    assert found(client, "0815", admin) == [scratch]  # an order number's tail
    assert found(client, scratch, admin) == [scratch]  # a code, exact
    assert sorted(found(client, "CP-2026-", admin)) == sorted(indexed.values())  # a code prefix
    assert found(client, "不存在的词", admin) == []


def test_filters_sort_paging_and_dates(app, indexed, token_for):  # type: ignore[no-untyped-def]
    client, admin = app.test_client(), token_for("admin")
    newest = client.get("/api/v1/search?form=CP&year=2026&sort=newest", headers=admin).json
    assert [h["code"] for h in newest["hits"]] == [indexed["sales"], indexed["late"], indexed["scratch"]]
    assert newest["facets"]["department"] == {"CS": 2, "SALES": 1}
    assert newest["facets"]["form"] == {"CP": 3} and newest["facets"]["year"] == {"2026": 3}
    page2 = client.get("/api/v1/search?sort=newest&per_page=2&page=2", headers=admin).json
    assert page2["total"] == 3 and [h["code"] for h in page2["hits"]] == [indexed["scratch"]]
    # submitted 2026-03-02, -03 and -04 at 09:30 Shanghai time
    day = client.get("/api/v1/search?from=2026-03-03&to=2026-03-03", headers=admin).json
    assert [h["code"] for h in day["hits"]] == [indexed["late"]]
    dept = client.get("/api/v1/search?q=划痕&department=SALES", headers=admin).json
    assert [h["code"] for h in dept["hits"]] == [indexed["sales"]]
    assert "<mark>划痕</mark>" in dept["hits"][0]["snippet"]


def test_a_user_never_sees_records_outside_their_scope(app, indexed, token_for):  # type: ignore[no-untyped-def]
    client = app.test_client()
    sales = client.get("/api/v1/search?q=划痕", headers=token_for("sales")).json
    assert [h["code"] for h in sales["hits"]] == [indexed["sales"]] and sales["total"] == 1
    assert sales["facets"]["department"] == {"SALES": 1}  # counts too
    clerk = client.get("/api/v1/search?department=SALES", headers=token_for("clerk")).json
    assert clerk["total"] == 0 and clerk["hits"] == [] and clerk["facets"]["department"] == {}
    with app.app_context(), services().db.reading() as session:
        events = session.execute(select(AuditEvent.actor_name, AuditEvent.detail)
                                 .where(AuditEvent.action == "search")).all()
    assert ("sales", "划痕", 1) in [(name, d["q"], d["total"]) for name, d in events]


@pytest.mark.parametrize(("query", "field"), [
    ("year=26", "year"), ("from=2026-13-01", "from"), ("from=2026-03-05&to=2026-03-01", "from"),
    ("sort=oldest", "sort"), ("page=0", "page"), ("per_page=500", "per_page"), ("form=cp;drop", "form"),
    ("q=" + "字" * 201, "q"),
])
def test_bad_parameters_are_400_naming_the_parameter(app, indexed, token_for, query, field):  # type: ignore[no-untyped-def]
    response = app.test_client().get(f"/api/v1/search?{query}", headers=token_for("admin"))
    assert response.status_code == 400 and field in response.json["fields"], response.json


def test_without_an_index_search_says_so(app, token_for, logged_in):  # type: ignore[no-untyped-def]
    response = app.test_client().get("/api/v1/search?q=x", headers=token_for("admin"))
    assert response.status_code == 503 and "search rebuild" in response.json["error"]
    page = logged_in("clerk").get("/search?q=x")
    assert page.status_code == 503 and "索引" in page.get_data(as_text=True)
    assert app.test_client().get("/api/v1/search?q=x").status_code == 401


def test_the_page_in_chinese_and_english(app, indexed, logged_in):  # type: ignore[no-untyped-def]
    clerk = logged_in("clerk")
    page = clerk.get("/search?q=划痕").get_data(as_text=True)
    assert indexed["scratch"] in page and indexed["sales"] not in page
    assert "客户抱怨处理表" in page and "客户服务部" in page  # facet labels, not codes
    assert "<mark>划痕</mark>" in page
    empty = clerk.get("/search?q=不存在的词", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "0 records found" in empty and "two characters are enough" in empty
    bad = clerk.get("/search?from=yesterday")
    assert bad.status_code == 400 and "提交日期自：须为日期" in bad.get_data(as_text=True)
    assert clerk.get("/search").status_code == 200  # the empty form


def test_check_finds_missing_stale_and_orphaned_entries_and_repair_fixes_them(app, indexed, clock):  # type: ignore[no-untyped-def]
    from search.indexing import SearchDocument, put, remove
    from search.store import instance_search_store

    ix = instance_search_store(app.instance_path).open()
    remove(ix, [indexed["late"]])
    put(ix, [SearchDocument("CP-2026-999999", "CP", 2026, "submitted", "CS", clock.now(), 1, "ghost")])
    put(ix, [SearchDocument(indexed["sales"], "CP", 2026, "submitted", "SALES", clock.now(), 7, "old")])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"missing: 1 ({indexed['late']})" in result.output
    assert f"stale: 1 ({indexed['sales']})" in result.output
    assert "orphaned: 1 (CP-2026-999999)" in result.output
    repaired = runner.invoke(args=["search", "check", "--repair"])
    assert repaired.exit_code == 0 and "matches the database" in repaired.output
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def test_a_record_whose_indexing_died_is_indexed_by_the_retry(app, indexed, clock, token_for):  # type: ignore[no-untyped-def]
    from core.outbox import queue

    code = submit_cp(app, complaint="说明书缺失")
    with app.app_context():
        s = services()
        queue.claim(s.db, s.clock, "worker-killed-mid-task", topics=frozenset({"search.index"}))
    work_outbox(app)  # renders the PDF; the index row is still leased to the dead worker
    admin = token_for("admin")
    assert found(app.test_client(), "说明书", admin) == []
    assert app.test_cli_runner().invoke(args=["search", "check"]).exit_code == 1  # missing, and said
    clock.advance(minutes=5, seconds=1)  # the lease runs out
    assert "1 done, 0 failed" in work_outbox(app)
    assert found(app.test_client(), "说明书", admin) == [code]


def test_a_locked_index_fails_the_step_which_is_retried(app, indexed, clock, monkeypatch, token_for):  # type: ignore[no-untyped-def]
    from search import indexing
    from search.store import instance_search_store

    monkeypatch.setattr(indexing, "WRITER_WAIT_SECONDS", 0.3)
    code = submit_cp(app, complaint="颜色不符")
    holder = instance_search_store(app.instance_path).open().writer()  # another writer holds the lock
    try:
        output = work_outbox(app)
    finally:
        holder.cancel()
    assert "1 done, 1 failed" in output and "IndexBusy" in output
    clock.advance(seconds=31)
    assert "1 done, 0 failed" in work_outbox(app)
    assert found(app.test_client(), "颜色", token_for("admin")) == [code]


def test_an_index_of_another_schema_version_is_rebuilt(app, indexed, token_for):  # type: ignore[no-untyped-def]
    from search.store import VERSION_FILE, instance_search_store

    store = instance_search_store(app.instance_path)
    folder = store.current_dir()
    (folder / VERSION_FILE).write_text("0")
    assert "schema version 0" in (store.problem() or "")
    submit_cp(app, complaint="尺寸偏大")
    work_outbox(app)
    assert store.problem() is None and store.current_dir() != folder
    assert len(found(app.test_client(), "CP-2026-", token_for("admin"))) == 4


def test_init_builds_the_index_of_a_fresh_instance(app, token_for):  # type: ignore[no-untyped-def]
    code = submit_cp(app, complaint="包装受潮")  # a record from before search existed
    first = app.test_cli_runner().invoke(args=["init"])
    assert "the search index has not been built; building it" in first.output
    assert found(app.test_client(), "受潮", token_for("admin")) == [code]
    assert "Search index is up to date." in app.test_cli_runner().invoke(args=["init"]).output


def test_rebuild_with_two_writer_processes_keeps_every_record_findable(app, indexed, token_for):  # type: ignore[no-untyped-def]
    from search.store import instance_search_store

    store = instance_search_store(app.instance_path)
    before = store.current_dir()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "rebuild", "--processes", "2"])
    assert result.exit_code == 0 and "Search index rebuilt: 3 record(s)" in result.output
    assert store.current_dir() != before and not before.exists()  # switched, the old build removed
    client, admin = app.test_client(), token_for("admin")
    assert sorted(found(client, "CP-2026-", admin)) == sorted(indexed.values())
    assert found(client, "外包装破损", admin) == [indexed["scratch"]]
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    refused = runner.invoke(args=["search", "rebuild", "--processes", "0"])
    assert refused.exit_code == 2 and "'--processes': 0 is not in the range" in refused.output
