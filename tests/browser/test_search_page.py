"""An archivist searches in Chinese, narrows by a facet, pages through; the page passes axe."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import expect

from core.web import services
from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of
from tests.support.journeys import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_search_facet_and_snippet(app: Flask, live_server, new_page, artifacts):  # type: ignore[no-untyped-def]
    with app.app_context():
        s = services()
        for username, text in (("clerk", "外包装破损，表面有划痕"), ("sales", "表面有划痕，要求退货"),
                               ("clerk", "延迟交货")):
            submit(s.db, s.clock, s.zone, actor_of(app, username), "CP", {**VALID_CP, "complaint": text})
    assert "0 failed" in app.test_cli_runner().invoke(args=["outbox", "run", "--once"]).output

    page = new_page("zh-CN")
    sign_in(page, live_server, "archivist")
    page.get_by_role("link", name="搜索").click()
    assert_accessible(page, "empty search page")
    page.get_by_label("关键词、姓名、档案编号、电话或订单号").fill("划痕")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".results")).to_contain_text("共找到 2 条记录")
    expect(page.locator(".snippet mark").first).to_have_text("划痕")
    page.screenshot(path=str(artifacts / "search-zh.png"), full_page=True)
    assert_accessible(page, "search results")
    page.locator(".facets").get_by_role("link", name="销售部").click()
    expect(page.locator(".results")).to_contain_text("共找到 1 条记录")
    expect(page.locator(".hits")).to_contain_text("CP-2026-000002")
    page.locator(".facets").get_by_role("link", name="取消").click()
    expect(page.locator(".results")).to_contain_text("共找到 2 条记录")
    expect(page.get_by_label("关键词、姓名、档案编号、电话或订单号")).to_have_value("划痕")
