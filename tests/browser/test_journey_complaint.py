"""A complaint (CP) from registration to filing in a real browser, on the system clock, as the
people who do each step, each signing in through the login page (issue 15, "journey tests"):
the clerk registers it (its answer is due on the strictest limit until classified); the
supervisor returns it for an order number; the clerk sees why and completes it; the supervisor
classifies it; the clerk investigates and answers the customer; the supervisor closes it and
countersigns it from the inbox; the outbox worker stores the PDF/A and files it; the records
office finds it in the catalogue. Every page passes axe and fits its width; once in Chinese on a
desk and once in English at phone width on the system clock, and once more in Chinese at phone
width on a frozen clock whose time carries microseconds."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from core.clock import Clock, FrozenClock, SystemClock, local
from core.web import services
from tests.support.complaint_deadlines import complaint_due
from tests.support.journeys import DESKTOP, PHONE, check, file_records, sign_in, signed_in, take

pytestmark = pytest.mark.browser

TEXT = {
    "zh-CN": {"form": "客户抱怨处理表", "channel": "电话", "submit": "提交",
              "submitted": "已提交，记录编号为",
              "due": "答复期限", "inbox": "待办", "return": "退回补充", "complete": "补充后重新提交",
              "classify": "分类定级", "quality": "质量异常", "level": "二级（需协调部门）",
              "investigate": "调查与改善对策", "respond": "回复客户", "close": "结案",
              "accepted": "客户确认结案", "closed": "已结案", "registered": "已登记",
              "signed": "已阅签：", "archive": "档案", "catalogue": "案卷目录", "form_label": "表单",
              "year": "年度", "show": "显示", "nav": "主导航"},
    "en": {"form": "Customer Complaint Handling", "channel": "Phone", "submit": "Submit",
           "submitted": "Submitted. The record code is", "due": "Answer due", "inbox": "Inbox",
           "return": "Return for completion", "complete": "Resubmit after completion",
           "classify": "Classify", "quality": "Quality abnormality",
           "level": "Level 2 (needs other departments)",
           "investigate": "Investigation and corrective action", "respond": "Respond to the customer",
           "close": "Close", "accepted": "Customer accepted the closure", "closed": "Closed",
           "registered": "Registered", "signed": "Countersigned: ", "archive": "Archive",
           "catalogue": "Catalogue", "form_label": "Form", "year": "Year", "show": "Show",
           "nav": "Main"},
}


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> Clock:
    """The system clock; or, asked for ``"frozen"``, a clock stopped at a time with microseconds."""
    if getattr(request, "param", "system") == "frozen":
        return FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC))
    return SystemClock()


def to_inbox(page: Page, t: dict[str, str]) -> None:
    nav = page.get_by_role("navigation", name=t["nav"])
    nav.get_by_role("link", name=re.compile(f"^{t['inbox']}")).click()


def open_from_inbox(page: Page, t: dict[str, str], code: str) -> None:
    to_inbox(page, t)
    page.locator("#tasks").get_by_role("link", name=code).click()
    expect(page.locator("h1")).to_have_text(code)


def submit_step(page: Page) -> None:
    page.locator("form.record-form button[type=submit]").click()


@pytest.mark.parametrize(("locale", "size", "clock"), [
    pytest.param("zh-CN", DESKTOP, "system", id="zh-desk-system-clock"),
    pytest.param("en", PHONE, "system", id="en-phone-system-clock"),
    pytest.param("zh-CN", PHONE, "frozen", id="zh-phone-frozen-clock-with-microseconds"),
], indirect=["clock"])
def test_a_complaint_from_registration_to_the_catalogue(  # type: ignore[no-untyped-def]
        app: Flask, clock: Clock, live_server, new_page, artifacts, locale, size) -> None:
    t = TEXT[locale]
    tag = f"cp-{locale}-{size['width']}-{type(clock).__name__}"
    with app.app_context():
        zone = services().zone
    now = local(clock.now(), zone)

    clerk = new_page(locale)
    clerk.set_viewport_size(size)
    clerk.goto(f"{live_server}/login")
    check(clerk, artifacts, f"{tag}-login")
    sign_in(clerk, live_server, "clerk")
    clerk.get_by_role("link", name=t["form"]).click()
    check(clerk, artifacts, f"{tag}-fill")
    clerk.get_by_label(t["channel"], exact=True).check()
    clerk.locator("#received_at").fill(now.strftime("%Y-%m-%d %H:%M"))
    clerk.locator("#customer_name").fill("上海恒丰贸易有限公司")
    clerk.locator("#phone").fill("138 0013 8000")
    clerk.locator("#complaint").fill("外包装破损，部分产品表面有划痕。")
    clerk.get_by_role("button", name=t["submit"], exact=True).click()
    expect(clerk.locator("h1")).to_have_text(re.compile(rf"^CP-{now.year}-\d{{6}}$"))
    code = clerk.locator("h1").inner_text()
    expect(clerk.locator("[role=status]")).to_contain_text(t["submitted"])
    received = now.replace(second=0, microsecond=0)
    # the strictest limit (5 working hours: CP v6), unclassified
    due = local(complaint_due(received), zone).strftime("%Y-%m-%d %H:%M")
    expect(clerk.locator(".summary-list--meta")).to_contain_text(due)
    check(clerk, artifacts, f"{tag}-registered")

    boss = signed_in(new_page, live_server, "supervisor", locale, size)
    open_from_inbox(boss, t, code)
    check(boss, artifacts, f"{tag}-inbox-record")
    take(boss, t["return"])
    check(boss, artifacts, f"{tag}-return")
    boss.locator("#reason").fill("订单号漏填，请补充。")
    submit_step(boss)
    expect(boss.locator("main")).to_contain_text("订单号漏填，请补充。")

    open_from_inbox(clerk, t, code)
    expect(clerk.locator("main")).to_contain_text("订单号漏填，请补充。")  # why it came back
    check(clerk, artifacts, f"{tag}-returned-record")
    take(clerk, t["complete"])
    expect(clerk.locator(".panel--warning")).to_contain_text("订单号漏填，请补充。")
    check(clerk, artifacts, f"{tag}-complete")
    clerk.locator("#order_no").fill("SO-2026-88417")
    submit_step(clerk)
    expect(clerk.locator(".summary-list--meta")).to_contain_text(t["registered"])

    open_from_inbox(boss, t, code)
    take(boss, t["classify"])
    expect(boss.locator(".record-context")).to_contain_text("SO-2026-88417")
    check(boss, artifacts, f"{tag}-classify")
    boss.get_by_label(t["quality"], exact=True).check()
    boss.get_by_label(t["level"]).check()
    boss.locator("#responsible_department").select_option("CS")
    submit_step(boss)
    due = local(complaint_due(received, "2"), zone).strftime("%Y-%m-%d %H:%M")  # level 2: 8 working hours
    expect(boss.locator(".summary-list--meta")).to_contain_text(due)

    open_from_inbox(clerk, t, code)
    take(clerk, t["investigate"])
    check(clerk, artifacts, f"{tag}-investigate")
    clerk.locator("#investigation").fill("到货抽检 50 件，12 件外箱压损。")
    submit_step(clerk)
    take(clerk, t["respond"])
    check(clerk, artifacts, f"{tag}-respond")
    clerk.locator("#root_cause").fill("运输途中堆压。")
    clerk.locator("#corrective_action").fill("外箱加护角，限高堆放。")
    clerk.locator("#customer_reply").fill("已电话告知客户并补发 12 件。")
    submit_step(clerk)

    open_from_inbox(boss, t, code)
    take(boss, t["close"])
    check(boss, artifacts, f"{tag}-close")
    boss.get_by_label(t["accepted"]).check()
    submit_step(boss)
    expect(boss.locator(".summary-list--meta")).to_contain_text(t["closed"])
    check(boss, artifacts, f"{tag}-closed")
    to_inbox(boss, t)
    boss.locator(f"#sign-{code}").check()
    check(boss, artifacts, f"{tag}-countersign")
    boss.locator("#countersign button[type=submit]").click()
    expect(boss.locator("[role=status]")).to_contain_text(t["signed"] + code)

    file_records(app)  # the worker `serve` starts: the PDF/A is stored and the record filed
    archivist = signed_in(new_page, live_server, "archivist", locale, size)
    archivist.get_by_role("navigation", name=t["nav"]).get_by_role("link", name=t["archive"]).click()
    archivist.get_by_role("navigation", name=t["archive"]).get_by_role(
        "link", name=t["catalogue"], exact=True).click()
    archivist.get_by_label(t["form_label"], exact=True).fill("CP")
    archivist.get_by_label(t["year"], exact=True).fill(str(now.year))
    archivist.get_by_role("button", name=t["show"]).click()
    entry = archivist.locator("table tbody tr").filter(has_text=code)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(now.strftime("%Y-%m-%d"))
    check(archivist, artifacts, f"{tag}-catalogue")
    entry.get_by_role("link", name=code).click()
    expect(archivist.locator(".code-hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    check(archivist, artifacts, f"{tag}-filed-record")
