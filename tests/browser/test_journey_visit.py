"""A visit registration (VR) from the front desk to filing in a real browser, on the system clock,
at phone width (390 px), each person signing in through the login page (issue 15, "journey
tests"): a clerk registers two visits; a clerk of another department registering the first
customer's phone is warned before anything is filed (whose claim, until when) and decides to
submit anyway, and the record's note names the holder without opening the other department's
record; the supervisor opens the day's register from the inbox, confirms one row and leaves the
other, countersigns the confirmed one on its page; the outbox worker stores the PDF/A and files
it; the records office finds it in the catalogue. Every page passes axe and fits its width; in
Chinese at phone width (390 px) and in English on a desk."""

from __future__ import annotations

import calendar
import re
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from core.clock import SystemClock, local
from core.web import services
from tests.support.journeys import DESKTOP, PHONE, check, file_records, signed_in, take

pytestmark = pytest.mark.browser

TEXT = {
    "zh-CN": {"submit": "提交", "anyway": "仍然提交", "warned": "该客户已由 Clerk 登记认领，有效期至 {until}",
              "note": "该客户已由 Clerk 先行登记，其认领有效期至 {until}", "elsewhere": "其他部门",
              "nav": "主导航", "inbox": "待办", "day": "确认当日来访登记", "confirm": "确认所勾选的登记",
              "confirmed": "已确认", "countersign": "主管阅签", "countersigned": "主管阅签：已完成。"},
    "en": {"submit": "Submit", "anyway": "Submit anyway", "warned": "claimed by Clerk until {until}",
           "note": "registered earlier by Clerk, whose claim runs until {until}",
           "elsewhere": "in another department", "nav": "Main", "inbox": "Inbox",
           "day": "Confirm the day's visit registrations", "confirm": "Confirm the ticked registrations",
           "confirmed": "Confirmed:", "countersign": "Countersign", "countersigned": "Countersign: done."},
}


@pytest.fixture
def clock() -> SystemClock:
    return SystemClock()


def a_month_after(day: date) -> date:
    """The same day of the next month, or that month's last day (DOMAIN.md: 有效期一个月)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def register(page: Page, base: str, t: dict[str, str], day: str, name: str, phone: str, staff: str) -> None:
    page.goto(f"{base}/forms/VR/new")
    page.locator("#visit_date").fill(day)
    page.locator("#customer_name").fill(name)
    page.locator("#phone").fill(phone)
    page.locator("#needs").fill("三居室，预算 300 万")
    page.locator("#receiving_staff").select_option(staff)
    page.get_by_role("button", name=t["submit"], exact=True).click()


@pytest.mark.parametrize(("locale", "size"), [("zh-CN", PHONE), ("en", DESKTOP)])
def test_a_visit_is_registered_warned_confirmed_countersigned_and_filed(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts, locale, size) -> None:
    t, tag = TEXT[locale], f"vr-{locale}-{size['width']}"
    with app.app_context():
        today = local(SystemClock().now(), services().zone).date()
    until = a_month_after(today).isoformat()  # the claim's last day
    year = today.year

    clerk = signed_in(new_page, live_server, "clerk", locale, size)
    register(clerk, live_server, t, today.isoformat(), "周女士", "137 0000 1111", "clerk")
    expect(clerk.locator("h1")).to_have_text(f"VR-{year}-000001")
    check(clerk, artifacts, f"{tag}-registered")
    register(clerk, live_server, t, today.isoformat(), "吴先生", "137 0000 2222", "clerk")
    expect(clerk.locator("h1")).to_have_text(f"VR-{year}-000002")

    sales = signed_in(new_page, live_server, "sales", locale, size)
    register(sales, live_server, t, today.isoformat(), "周女士", "13700001111", "sales")
    warning = sales.locator("#confirm-warning")
    expect(warning).to_contain_text(t["warned"].format(until=until))
    expect(sales.locator("h1")).not_to_have_text(re.compile("^VR-"))  # nothing filed yet
    check(sales, artifacts, f"{tag}-warned")
    sales.get_by_role("button", name=t["anyway"]).click()
    expect(sales.locator("h1")).to_have_text(f"VR-{year}-000003")
    note = sales.locator(".panel--warning").filter(has_text=t["note"].format(until=until))
    expect(note).to_contain_text(f"VR-{year}-000001")
    expect(note).to_contain_text(t["elsewhere"])
    expect(note.get_by_role("link")).to_have_count(0)  # the other department's record is not opened
    check(sales, artifacts, f"{tag}-conflict-note")

    boss = signed_in(new_page, live_server, "supervisor", locale, size)
    nav = boss.get_by_role("navigation", name=t["nav"])
    nav.get_by_role("link", name=re.compile(f"^{t['inbox']}")).click()
    check(boss, artifacts, f"{tag}-inbox")
    boss.get_by_role("link", name=t["day"]).click()
    expect(boss.locator("#day")).to_have_value(today.isoformat())
    first, second = f"VR-{year}-000001", f"VR-{year}-000002"
    expect(boss.locator(f"#confirm-{first}")).to_be_checked()
    expect(boss.locator(f"#confirm-{second}")).to_be_checked()
    expect(boss.locator(f"#confirm-VR-{year}-000003")).to_have_count(0)  # another department's
    expect(boss.locator("main")).to_contain_text("周女士")  # their department's: they need the name
    check(boss, artifacts, f"{tag}-day-register")
    boss.locator(f"#confirm-{second}").uncheck()  # to be asked about first
    boss.get_by_role("button", name=t["confirm"]).click()
    expect(boss.locator("body")).to_contain_text(t["confirmed"])
    expect(boss.locator(f"#confirm-{second}")).to_be_visible()
    expect(boss.locator(f"#confirm-{first}")).to_have_count(0)
    check(boss, artifacts, f"{tag}-day-register-after")

    boss.goto(f"{live_server}/records/{first}")
    boss.get_by_role("button", name=t["countersign"]).click()
    expect(boss.locator("[role=status]")).to_contain_text(t["countersigned"])
    check(boss, artifacts, f"{tag}-countersigned")

    file_records(app)
    archivist = signed_in(new_page, live_server, "archivist", locale, size)
    archivist.goto(f"{live_server}/archive/catalogue?form=VR&year={year}")
    entries = archivist.locator("table tbody tr")
    expect(entries).to_have_count(1)
    expect(entries).to_contain_text(first)
    check(archivist, artifacts, f"{tag}-catalogue")


def test_a_corrected_phone_takes_the_claim_with_it(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts) -> None:
    """Issue 15, item 6: the clerk corrects a customer's phone (勘误); the old number is free for
    a colleague to register, the new one is claimed and warned about."""
    t = TEXT["zh-CN"]
    with app.app_context():
        today = local(SystemClock().now(), services().zone).date()
    year = today.year
    clerk = signed_in(new_page, live_server, "clerk", "zh-CN", DESKTOP)
    register(clerk, live_server, t, today.isoformat(), "吴先生", "137 0000 2222", "clerk")
    expect(clerk.locator("h1")).to_have_text(f"VR-{year}-000001")
    take(clerk, "勘误")
    clerk.locator("#phone").fill("137 0000 3333")
    clerk.locator("#reason").fill("客户更换了手机号码")
    clerk.locator("form.record-form button[type=submit]").click()
    expect(clerk.locator("table.history tbody tr").last.locator("ins")).to_have_text("13700003333")
    check(clerk, artifacts, "vr-corrected")

    sales = signed_in(new_page, live_server, "sales", "zh-CN", DESKTOP)
    register(sales, live_server, t, today.isoformat(), "吴先生", "13700002222", "sales")
    expect(sales.locator("h1")).to_have_text(f"VR-{year}-000002")  # the old number: no one's now
    expect(sales.locator(".panel--warning")).to_have_count(0)
    register(sales, live_server, t, today.isoformat(), "吴先生", "13700003333", "sales")
    expect(sales.locator("#confirm-warning")).to_contain_text("该客户已由 Clerk 登记认领")
    check(sales, artifacts, "vr-corrected-number-warned")
