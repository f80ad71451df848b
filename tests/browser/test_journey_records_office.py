"""The records office's day in a real browser, on the system clock, each person signing in through
the login page (issue 15, "journey tests"): a complaint is filed by the worker; the archivist
places a legal hold from the office's pages, adds the record by its code and opens it from the
hold, whose page says it is held (the customer's name masked: the archivist has no need of it);
the auditor finds the record by typing its code into the search, reads it masked, reveals its
personal fields with a stated reason, and finds the reveal in the office's list of reveals.
In Chinese on a desk and in English at phone width; every page passes axe and fits."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from core.clock import SystemClock
from tests.support.journeys import DESKTOP, PHONE, check, file_records, signed_in
from tests.support.lifecycle import close_complaint, new_complaint

pytestmark = pytest.mark.browser
NAME, PHONE_NO = "欧阳明华", "13912345679"

TEXT = {
    "zh-CN": {"nav": "主导航", "archive": "档案", "holds": "冻结", "name": "名称", "reason": "理由",
              "place": "设立冻结", "add_label": "按编号加入记录", "add": "加入冻结",
              "banner": "冻结中（法律保全）", "search": "搜索", "show": "显示个人信息",
              "reveals": "个人信息显示记录"},
    "en": {"nav": "Main", "archive": "Archive", "holds": "Legal holds", "name": "Name", "reason": "Reason",
           "place": "Place the hold", "add_label": "Add records by code", "add": "Add to the hold",
           "banner": "Under legal hold", "search": "Search", "show": "Show personal data",
           "reveals": "Reveals of personal data"},
}


@pytest.fixture
def clock() -> SystemClock:
    return SystemClock()


def office_section(page: Page, t: dict[str, str], link: str) -> None:
    page.get_by_role("navigation", name=t["nav"]).get_by_role("link", name=t["archive"]).click()
    page.get_by_role("navigation", name=t["archive"]).get_by_role("link", name=link, exact=True).click()


@pytest.mark.parametrize(("locale", "size"), [("zh-CN", DESKTOP), ("en", PHONE)])
def test_a_hold_is_placed_and_a_record_revealed_with_a_reason(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts, locale, size) -> None:
    t, tag = TEXT[locale], f"office-{locale}-{size['width']}"
    code = new_complaint(app, customer_name=NAME, phone=PHONE_NO)
    close_complaint(app, code)
    file_records(app)

    archivist = signed_in(new_page, live_server, "archivist", locale, size)
    office_section(archivist, t, t["holds"])
    check(archivist, artifacts, f"{tag}-holds")
    archivist.get_by_label(t["name"], exact=True).fill("诉讼 2026-12")
    archivist.get_by_label(t["reason"], exact=True).fill("客户起诉，保全相关记录")
    archivist.get_by_role("button", name=t["place"]).click()
    archivist.get_by_label(t["add_label"]).fill(code)
    archivist.get_by_role("button", name=t["add"]).click()
    check(archivist, artifacts, f"{tag}-hold")
    archivist.locator("ul.codes").get_by_role("link", name=code).click()
    banner = archivist.locator("#hold-banner")
    expect(banner).to_contain_text(t["banner"])
    expect(banner.get_by_role("link", name="诉讼 2026-12")).to_be_visible()
    expect(archivist.locator("main")).not_to_contain_text(NAME)
    check(archivist, artifacts, f"{tag}-held-record")

    auditor = signed_in(new_page, live_server, "auditor", locale, size)
    expect(auditor.locator(".who")).to_have_text("Auditor")  # no department, no dangling "·"
    auditor.get_by_role("navigation", name=t["nav"]).get_by_role("link", name=t["search"]).click()
    check(auditor, artifacts, f"{tag}-search")
    auditor.locator("#q").fill(code.lower())  # typed in a hurry: lower case
    auditor.locator("form[role=search] button[type=submit]").click()
    expect(auditor.locator("h1")).to_have_text(code)  # an exact code goes straight to the record
    expect(auditor.locator("#hold-banner")).to_contain_text(t["banner"])
    expect(auditor.locator("main")).to_contain_text("欧***")
    expect(auditor.locator("main")).not_to_contain_text(PHONE_NO)
    check(auditor, artifacts, f"{tag}-auditor-record")
    auditor.get_by_role("link", name=t["show"]).click()
    check(auditor, artifacts, f"{tag}-reveal-form")
    auditor.locator("#reason").fill("年度合规审计，核对客户身份")
    auditor.locator("button[type=submit].button").click()
    expect(auditor.locator("main")).to_contain_text(NAME)
    expect(auditor.locator("main")).to_contain_text(PHONE_NO)
    check(auditor, artifacts, f"{tag}-revealed")
    office_section(auditor, t, t["reveals"])
    expect(auditor.locator("main")).to_contain_text("年度合规审计，核对客户身份")
    expect(auditor.locator("main")).to_contain_text(code)
    expect(auditor.locator("main")).not_to_contain_text(NAME)
    check(auditor, artifacts, f"{tag}-reveals")
