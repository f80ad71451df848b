"""One complaint from registration to closure in a real browser: the clerk registers it, the
supervisor finds it in the inbox, countersigns and classifies it, the clerk investigates and
answers, the supervisor closes it with the customer's acceptance; every page passes axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.journeys import assert_accessible, sign_in

pytestmark = pytest.mark.browser
CODE = "CP-2026-000001"


def register(page: Page, base: str) -> None:
    page.goto(f"{base}/forms/CP/new")
    page.get_by_label("电话", exact=True).check()
    page.get_by_label("受理时间").fill("2026-03-02 09:00")
    page.get_by_label("客户名称").fill("上海恒丰贸易有限公司")
    page.locator("#phone").fill("138 0013 8000")
    page.get_by_label("投诉内容").fill("外包装破损，部分产品表面有划痕。")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("h1")).to_have_text(CODE)


def take(page: Page, action: str) -> None:
    """Open an action from the record page's "what you can do" buttons."""
    page.locator("main").get_by_role("link", name=action, exact=True).click()
    expect(page.locator("h1")).to_have_text(action)


def test_a_complaint_from_registration_to_closure(live_server, new_page, artifacts):
    clerk = new_page("zh-CN")
    sign_in(clerk, live_server, "clerk")
    register(clerk, live_server)

    boss = new_page("zh-CN")
    sign_in(boss, live_server, "supervisor")
    expect(boss.locator(".main-nav .count")).to_have_text("1")
    boss.locator(".main-nav").get_by_role("link", name=re.compile("^待办")).click()
    assert_accessible(boss, "inbox")
    expect(boss.locator("#countersign")).to_contain_text(CODE)  # also ready to countersign in bulk
    boss.locator("#tasks").get_by_role("link", name=CODE).click()
    boss.get_by_role("button", name="主管阅签").click()
    expect(boss.locator("[role=status]")).to_contain_text("主管阅签：已完成。")
    expect(boss.locator("main")).to_contain_text("Supervisor (supervisor)")

    take(boss, "分类定级")
    assert_accessible(boss, "classify page")
    boss.get_by_role("button", name="分类定级").click()  # nothing chosen yet
    expect(boss.locator("#error-summary")).to_contain_text("异常原因类别")
    boss.get_by_label("质量异常", exact=True).check()
    boss.get_by_label("二级（需协调部门）").check()
    boss.get_by_label("责任部门").select_option("CS")
    boss.get_by_role("button", name="分类定级").click()
    expect(boss.locator(".summary-list--meta")).to_contain_text("已分类")

    clerk.reload()
    take(clerk, "调查与改善对策")
    clerk.get_by_label("调查情况").fill("到货抽检 50 件，12 件外箱压损。")
    clerk.get_by_role("button", name="调查与改善对策").click()
    take(clerk, "回复客户")
    clerk.get_by_label("发生原因").fill("运输途中堆压。")
    clerk.get_by_label("改善对策").fill("外箱加护角，限高堆放。")
    clerk.get_by_label("处理结果回复").fill("已电话告知客户并补发 12 件。")
    clerk.get_by_role("button", name="回复客户").click()
    expect(clerk.locator(".summary-list--meta")).to_contain_text("已回复客户")

    boss.reload()
    take(boss, "结案")
    boss.get_by_role("button", name="结案").click()  # the customer's acceptance is required
    expect(boss.locator("#error-summary")).to_contain_text("客户确认结案")
    boss.get_by_label("客户确认结案").check()
    boss.get_by_role("button", name="结案").click()
    expect(boss.locator(".summary-list--meta")).to_contain_text("已结案")
    history = boss.locator("table.history tbody tr")
    expect(history).to_have_count(6)
    expect(history.nth(2)).to_contain_text("二级（需协调部门）")  # the classification's changes
    boss.screenshot(path=str(artifacts / "cp-closed-zh.png"), full_page=True)
    assert_accessible(boss, "closed record with history")
