"""Overdue complaints on the system clock with nothing but the web server running (no worker,
no `workflow tick`, no cron), in a real browser (issue 15, items 3 and 4): the clerk registers
three complaints: one received eleven days ago (the supervisor classifies it level 2: eight
working hours), one received hours ago and not classified (the strictest limit, five working
hours, runs from receipt; the receipt time is the latest whole hour back from six hours whose
deadline has passed: tests/support/complaint_deadlines.received_late) and one just now, saved
as a draft first and found again in the list of drafts. The supervisor's inbox puts the two late
ones first, each marked overdue, the record page and the department's list mark them, and the
statistics count two overdue of three. Every page passes axe; Chinese on a desk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from core.clock import SystemClock, local
from core.web import services
from tests.support.complaint_deadlines import received_late
from tests.support.journeys import DESKTOP, check, signed_in, take

pytestmark = pytest.mark.browser


@pytest.fixture
def clock() -> SystemClock:
    return SystemClock()


def register(page: Page, base: str, received: str, customer: str, *, draft_first: bool = False) -> str:
    """Register a complaint; with ``draft_first``, save it as a draft, find it in the list of
    drafts by its customer and date, and submit it from there."""
    page.goto(f"{base}/forms/CP/new")
    page.get_by_label("电话", exact=True).check()
    page.locator("#received_at").fill(received)
    page.locator("#customer_name").fill(customer)
    page.locator("#phone").fill("138 0013 8000")
    page.locator("#complaint").fill("外包装破损。")
    if draft_first:
        page.get_by_role("button", name="保存草稿").click()
        expect(page.locator("[role=status]")).to_contain_text("草稿已保存")
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="表单").click()
        draft = page.locator("table tbody tr").filter(has_text=customer)
        expect(draft).to_contain_text(received[:10])  # told apart by customer and date
        draft.get_by_role("link").first.click()
        expect(page.locator("#customer_name")).to_have_value(customer)
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("[role=status]")).to_contain_text("已提交")
    return page.locator("h1").inner_text()


def test_late_complaints_show_as_overdue_with_no_job_run(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts) -> None:
    with app.app_context():
        now = local(SystemClock().now(), services().zone)
    typed = "%Y-%m-%d %H:%M"
    clerk = signed_in(new_page, live_server, "clerk", "zh-CN", DESKTOP)
    eleven_days = register(clerk, live_server, (now - timedelta(days=11)).strftime(typed), "上海恒丰")
    hours_ago = register(clerk, live_server, received_late(now).strftime(typed), "苏州宏达")
    just_now = register(clerk, live_server, now.strftime(typed), "杭州远航", draft_first=True)

    boss = signed_in(new_page, live_server, "supervisor", "zh-CN", DESKTOP)
    boss.goto(f"{live_server}/records/{eleven_days}")
    take(boss, "分类定级")
    boss.get_by_label("质量异常", exact=True).check()
    boss.get_by_label("二级（需协调部门）").check()
    boss.locator("#responsible_department").select_option("CS")
    boss.locator("form.record-form button[type=submit]").click()
    expect(boss.locator(".summary-list--meta .tag--overdue")).to_have_text("逾期")

    boss.get_by_role("navigation", name="主导航").get_by_role("link", name="待办", exact=False).first.click()
    rows = boss.locator("#tasks tbody tr")
    expect(rows).to_have_count(3)
    for position, (code, late) in enumerate([(eleven_days, True), (hours_ago, True), (just_now, False)]):
        expect(rows.nth(position)).to_contain_text(code)
        expect(rows.nth(position).locator(".tag--overdue")).to_have_count(1 if late else 0)
    check(boss, artifacts, "overdue-inbox")

    boss.goto(f"{live_server}/records/{hours_ago}")  # not classified, yet overdue
    expect(boss.locator(".summary-list--meta .tag--overdue")).to_have_text("逾期")
    check(boss, artifacts, "overdue-record")
    boss.goto(f"{live_server}/records?scope=department")
    for code, late in [(eleven_days, True), (hours_ago, True), (just_now, False)]:
        row = boss.locator("table tbody tr").filter(has_text=code)
        expect(row.locator(".tag--overdue")).to_have_count(1 if late else 0)
    check(boss, artifacts, "overdue-list")
    boss.goto(f"{live_server}/stats/complaints")
    overdue = boss.locator(".summary-list--meta div").filter(has_text="逾期").locator("dd")
    expect(overdue).to_have_text("2 (66.7%)")
    check(boss, artifacts, "overdue-statistics")
