"""The office calendar page in a real Chromium, in Chinese and English, at phone width (390 px)
and on a desktop: an administrator opens it from the admin navigation, marks the day a complaint
is due as a holiday and sees its deadline move (the page names and links the record, whose page
shows the new deadline), is told what is wrong with hours typed the wrong way round, and checks a
schedule file before importing it. Every page: no sideways scrolling, no serious axe finding.

The complaint counts working time under a CP version this test registers (the shipped CP's own
clock does not matter here)."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import expect

from forms.working_time import install
from tests.support.calendar import register_working_cp, working_complaint
from tests.support.journeys import DESKTOP, PHONE, check, signed_in

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {"nav": "办公日历", "save_day": "保存这一天", "moved": "期限已重新计算", "save": "保存",
              "wednesday": "星期三", "backwards": "开始时间必须早于结束时间", "check": "检查文件",
              "import": "导入 1 天", "set": "已按文件设置 1 天。", "name": "名称"},
    "en": {"nav": "Office calendar", "save_day": "Save the day", "moved": "Deadlines re-scheduled",
           "save": "Save", "wednesday": "Wednesday", "backwards": "the start must be before the end",
           "check": "Check the file", "import": "Import 1 day(s)", "set": "1 day(s) from the file are set.",
           "name": "Name"},
}


@pytest.fixture(autouse=True)
def _process_calendar_back() -> object:
    yield
    install(None)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_an_admin_marks_a_holiday_and_the_deadline_moves(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts, tmp_path, locale, size) -> None:
    words, shot = WORDS[locale], f"calendar-{locale}-{size['width']}"
    register_working_cp(app)
    code = working_complaint(app, "2026-03-02T09:00:00.250000+08:00")  # due 15:00 that Monday
    page = signed_in(new_page, live_server, "admin", locale, size)
    page.locator("nav.main-nav").get_by_role("link", name=words["nav"]).click()
    expect(page).to_have_url(f"{live_server}/admin/calendar")
    expect(page.locator("#month-10")).to_contain_text("国庆节")
    check(page, artifacts, shot)

    page.locator("#day").fill("2026-03-02")
    page.get_by_label(words["name"], exact=True).fill("停电")
    page.get_by_role("button", name=words["save_day"]).click()
    panel = page.locator(".panel--ok")
    expect(panel).to_contain_text(words["moved"])
    expect(panel.get_by_role("link", name=code)).to_be_visible()
    expect(page.locator("#month-3")).to_contain_text("停电")
    check(page, artifacts, f"{shot}-moved")
    panel.get_by_role("link", name=code).click()
    expect(page).to_have_url(f"{live_server}/records/{code}")
    expect(page.locator("main")).to_contain_text("2026-03-03 15:00")  # the next working day

    page.goto(f"{live_server}/admin/calendar")
    page.locator("#hours-2").fill("12:00-09:00")
    page.get_by_role("button", name=f"{words['save']} {words['wednesday']}").click()
    expect(page.locator("#error-summary")).to_contain_text("12:00-09:00")
    expect(page.locator("#hours-2-error")).to_contain_text(words["backwards"])
    check(page, artifacts, f"{shot}-refused")

    schedule = tmp_path / "2027.csv"
    schedule.write_text("date,kind,name\n2027-01-01,holiday,元旦\n", encoding="utf-8")
    page.locator("#file").set_input_files(str(schedule))
    page.get_by_role("button", name=words["check"]).click()
    expect(page.locator("main table")).to_contain_text("元旦")
    check(page, artifacts, f"{shot}-preview")
    page.get_by_role("button", name=words["import"]).click()
    expect(page.locator(".notice--success")).to_contain_text(words["set"])
    expect(page.locator("#month-1")).to_contain_text("元旦")
    check(page, artifacts, f"{shot}-imported")
