"""A clerk files a complaint in Chinese through a real browser, and the page passes axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.journeys import assert_accessible, sign_in

pytestmark = pytest.mark.browser
COMPLAINT = "收到的第二批货物外包装破损，部分产品表面有划痕。"


def test_clerk_files_a_complaint_in_chinese(live_server, new_page, artifacts):
    page = new_page("zh-CN")
    page.goto(f"{live_server}/login")
    expect(page.locator("h1")).to_have_text("登录")
    assert_accessible(page, "login page")
    sign_in(page, live_server)

    page.get_by_role("link", name="客户抱怨处理表").click()
    expect(page.locator("h1")).to_have_text("客户抱怨处理表")
    assert_accessible(page, "empty complaint form")
    page.get_by_label("电话", exact=True).check()
    page.get_by_label("受理时间").fill("2026-03-02 09:00")
    page.get_by_label("客户名称").fill("上海恒丰贸易有限公司")
    page.get_by_label("投诉内容").fill(COMPLAINT)
    page.get_by_role("button", name="提交").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("出现以下问题")
    expect(summary.locator('a[href="#phone"]')).to_have_text("联系电话：此项必填。")
    expect(page.locator("#group-phone")).to_have_class("form-group form-group--error")
    expect(page.locator("#phone-error")).to_contain_text("此项必填。")
    expect(page.locator('label[for="phone"]')).to_contain_text("联系电话")
    expect(page.get_by_label("电话", exact=True)).to_be_checked()  # everything typed is kept
    expect(page.get_by_label("受理时间")).to_have_value("2026-03-02 09:00")
    expect(page.get_by_label("客户名称")).to_have_value("上海恒丰贸易有限公司")
    expect(page.get_by_label("投诉内容")).to_have_value(COMPLAINT)
    expect(page.locator("#phone")).to_have_value("")
    expect(summary).to_be_focused()  # keyboard and screen-reader users hear the problem first
    page.screenshot(path=str(artifacts / "cp-missing-phone-zh.png"), full_page=True)
    assert_accessible(page, "complaint form with errors")

    summary.locator('a[href="#phone"]').click()
    expect(page.locator("#phone")).to_be_focused()
    page.keyboard.type("138 0013 8000")
    page.get_by_role("button", name="提交").click()

    # the browser keeps the #phone fragment across the redirect; the path is what matters
    expect(page).to_have_url(re.compile(rf"^{live_server}/records/CP-2026-000001(#.*)?$"))
    expect(page.locator("h1")).to_have_text("CP-2026-000001")
    expect(page.locator("[role=status]")).to_contain_text("已提交，记录编号为 CP-2026-000001。")
    expect(page.locator("main")).to_contain_text("13800138000")
    expect(page.locator("main")).to_contain_text(COMPLAINT)
    page.screenshot(path=str(artifacts / "cp-record-zh.png"), full_page=True)
    assert_accessible(page, "record page")


def test_the_same_form_in_english(live_server, new_page, artifacts):
    page = new_page("zh-CN")
    sign_in(page, live_server)
    page.goto(f"{live_server}/forms/CP/new")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Customer Complaint Handling")
    # "Phone" alone is also the first channel radio; the phone field's label reads "Phone ※"
    expect(page.locator('label[for="phone"]')).to_contain_text("Phone")
    expect(page.get_by_role("textbox", name="Phone (required)")).to_be_visible()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#error-summary")).to_contain_text("There is a problem")
    expect(page.locator('#error-summary a[href="#phone"]')).to_have_text(
        "Phone: This field is required.")
    page.screenshot(path=str(artifacts / "cp-errors-en.png"), full_page=True)
    assert_accessible(page, "English complaint form with errors")


def test_save_draft_and_add_a_visit_row_by_keyboard(live_server, new_page):
    page = new_page("en-US")
    sign_in(page, live_server)
    page.goto(f"{live_server}/forms/RS/new")
    page.get_by_label("Policy number").fill("P20240315001")
    page.get_by_role("button", name="Add a row").press("Enter")
    expect(page.locator('input[name="visits-1-visit_date"]')).to_be_visible()
    expect(page.get_by_label("Policy number")).to_have_value("P20240315001")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("[role=status]")).to_contain_text("Draft saved")
    page.goto(f"{live_server}/forms")
    draft = page.locator("tr", has_text="P20240315001")  # the draft named by what was typed
    draft.get_by_role("link", name="Renewal Collection Service Register").click()
    expect(page.get_by_label("Policy number")).to_have_value("P20240315001")
