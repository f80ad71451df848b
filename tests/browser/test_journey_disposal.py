"""Disposal on a real clock in a real browser (issue 15, item 1: an approved destruction list
answered 500 whenever its approval time had fractions of a second, i.e. always on a real clock).
The system clock runs throughout; it is moved on past the record's last day, as the years would.
A filed complaint; the archivist reads its last day in the catalogue and, after it, proposes it
for destruction; an admin, signing in, approves the list, names the archivist and an auditor as
its witnesses, who each confirm on their own page, and executes it from its page; the worker
files the destruction register; the record's page is its tombstone. Every page passes axe and
fits a phone's width (390 px)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from core.web import services
from tests.support.destruction import witnessed_in_browser
from tests.support.journeys import PHONE, MovedSystemClock, check, file_records, signed_in
from tests.support.lifecycle import close_complaint, new_complaint

pytestmark = pytest.mark.browser


@pytest.fixture
def clock() -> MovedSystemClock:
    return MovedSystemClock()


def office_section(page: Page, link: str) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="档案").click()
    page.get_by_role("navigation", name="档案").get_by_role("link", name=link, exact=True).click()


def test_an_approved_destruction_list_is_executed_on_the_system_clock(  # type: ignore[no-untyped-def]
        app: Flask, clock: MovedSystemClock, live_server, new_page, artifacts) -> None:
    code = new_complaint(app)
    close_complaint(app, code)
    file_records(app)

    archivist = signed_in(new_page, live_server, "archivist", "zh-CN", PHONE)
    office_section(archivist, "案卷目录")
    archivist.get_by_label("表单", exact=True).fill("CP")
    archivist.get_by_label("年度", exact=True).fill(code.split("-")[1])
    archivist.get_by_role("button", name="显示").click()
    check(archivist, artifacts, "disposal-catalogue")
    retention = archivist.locator("table tbody tr").filter(has_text=code).locator("td").nth(6).inner_text()
    last_day = date.fromisoformat(re.search(r"\d{4}-\d{2}-\d{2}$", retention).group())  # type: ignore[union-attr]
    with app.app_context():
        after = datetime.combine(last_day + timedelta(days=1), time(9, 15), tzinfo=services().zone)
    clock.advance(seconds=(after - clock.now()).total_seconds())  # still running, microseconds and all

    office_section(archivist, "销毁")
    expect(archivist.get_by_label(code)).to_be_checked()
    check(archivist, artifacts, "disposal-due")
    archivist.get_by_label("鉴定意见").fill("到期客诉，无冻结")
    archivist.get_by_role("button", name="提出销毁清单").click()
    expect(archivist.locator("h1")).to_have_text(re.compile(r"^销毁清单 DL-\d+$"))
    listed = archivist.locator("h1").inner_text().split()[-1]
    check(archivist, artifacts, "disposal-proposed")

    admin = signed_in(new_page, live_server, "admin", "zh-CN", PHONE)
    office_section(admin, "销毁")
    check(admin, artifacts, "disposal-lists")
    admin.get_by_role("link", name=listed).click()
    check(admin, artifacts, "disposal-list-to-decide")
    admin.get_by_role("button", name="批准").click()
    expect(admin.locator("#list-state")).to_have_text("已批准待执行")
    check(admin, artifacts, "disposal-approved")
    auditor = signed_in(new_page, live_server, "auditor", "zh-CN", PHONE)
    witnessed_in_browser(admin, admin.url, {"archivist": archivist, "auditor": auditor})
    check(admin, artifacts, "disposal-witnessed")
    admin.get_by_role("button", name="执行销毁").click()
    expect(admin.locator("[role=status]")).to_contain_text("销毁清单已执行，销毁清册为 DD-")
    expect(admin.locator("table tbody tr").filter(has_text=code)).to_contain_text("已销毁")
    check(admin, artifacts, "disposal-executed")

    file_records(app)  # the files go; the destruction register's archival copy is made and filed
    archivist.goto(f"{live_server}/records/{code}")
    expect(archivist.locator("h1")).to_have_text(f"{code} 已销毁")
    check(archivist, artifacts, "disposal-tombstone")
