"""Legal holds in a real browser, in Chinese and English, at desktop and phone width (390 px):
the archivist adds codes with typos (the valid one is added, each refused one is named with its
reason and kept to correct), searches by choosing form and year from lists, and the record page
says the record is held."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from archive import holds
from core.web import services
from tests.support.instance import actor_of
from tests.support.journeys import assert_accessible, sign_in
from tests.support.lifecycle import new_complaint, work_outbox

pytestmark = pytest.mark.browser

TEXT = {
    "zh-CN": {"add_label": "按编号加入记录", "add": "加入冻结",
              "added": "已加入冻结的档案 1 份：CP-2026-000001。",
              "refused": ["CP-2026-099999：没有这份档案", "XX：不是档案编号"], "form": "表单", "year": "年度",
              "form_option": "CP 客户抱怨处理表", "find": "查找", "found": "找到 1 条记录",
              "banner": "冻结中（法律保全）"},
    "en": {"add_label": "Add records by code", "add": "Add to the hold",
           "added": "1 record added to the hold: CP-2026-000001.",
           "refused": ["CP-2026-099999: no such record", "XX: not a record code"], "form": "Form",
           "year": "Year", "form_option": "CP Customer Complaint Handling", "find": "Find",
           "found": "1 record found.", "banner": "Under legal hold"},
}


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


@pytest.mark.parametrize(("locale", "width"), [("zh-CN", 1280), ("en", 1280), ("zh-CN", 390), ("en", 390)])
def test_an_archivist_adds_codes_searches_from_lists_and_sees_the_banner(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts, locale, width) -> None:
    t = TEXT[locale]
    code = new_complaint(app)
    work_outbox(app)
    with app.app_context():
        s = services()
        hold = holds.create_hold(s.db, s.clock, actor_of(app, "archivist"), name="诉讼 2026-03",
                                 reason="客户起诉", owner="archivist")
    page = new_page(locale)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, "archivist")
    page.goto(f"{live_server}/archive/holds")
    expect(page.locator("table")).to_contain_text("诉讼 2026-03")
    _fits(page)
    assert_accessible(page, f"the legal holds ({locale}, {width} px)")
    page.goto(f"{live_server}/archive/holds/{hold.id}")

    page.get_by_label(t["add_label"]).fill(f"{code} CP-2026-99999 XX")
    page.get_by_role("button", name=t["add"]).click()
    expect(page.locator("[role=status]")).to_contain_text(t["added"])
    for refused in t["refused"]:
        expect(page.locator(".error-summary")).to_contain_text(refused)
        expect(page.locator("#codes-error")).to_contain_text(refused)
    # the summary takes the focus, as on the front office's pages, so a screen reader starts there
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.get_by_label(t["add_label"])).to_have_value("CP-2026-099999 XX")
    expect(page.locator("ul.codes")).to_have_text(code)
    _fits(page)
    assert_accessible(page, f"a hold, two codes refused ({locale}, {width} px)")
    page.screenshot(path=str(artifacts / f"hold-refused-{locale}-{width}.png"), full_page=True)

    page.get_by_label(t["form"], exact=True).select_option(label=t["form_option"])
    page.get_by_label(t["year"], exact=True).select_option("2026")
    page.get_by_role("button", name=t["find"]).click()
    expect(page.locator("#found-count")).to_contain_text(t["found"])
    expect(page.get_by_label(t["form"], exact=True)).to_have_value("CP")
    expect(page.get_by_label(t["year"], exact=True)).to_have_value("2026")
    _fits(page)
    assert_accessible(page, f"a hold's search by form and year ({locale}, {width} px)")
    page.screenshot(path=str(artifacts / f"hold-search-{locale}-{width}.png"), full_page=True)

    page.locator("ul.codes").get_by_role("link", name=code).click()
    banner = page.locator("#hold-banner")
    expect(banner).to_contain_text(t["banner"])
    expect(banner.get_by_role("link", name="诉讼 2026-03")).to_be_visible()
    box = banner.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width  # (the history table is not this test's)
    assert_accessible(page, f"a held record's page ({locale}, {width} px)")
    page.screenshot(path=str(artifacts / f"hold-banner-{locale}-{width}.png"), full_page=True)
