"""The privacy notice on the fill page at phone width (390 px), in Chinese and English, in a real
Chromium: the notice's title, version and purpose on screen, the full text one click away to
read to the customer, nothing running off the side, no serious axe finding; and the record
submitted from the page shows the notice it was submitted under."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import expect

from core.web import services
from forms.notice_files import NOTICE_DIR, load_notices
from forms.privacy_notices import register_notices
from tests.support.journeys import PHONE, assert_accessible, signed_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("locale", "title", "purpose", "opener", "rights", "channel"), [
    ("zh-CN", "客户服务个人信息告知书", "受理、调查和答复您的投诉", "告知书全文（向客户宣读）",
     "您的权利", "电话"),
    ("en", "Customer service privacy notice", "To receive, investigate and answer",
     "Read the full notice to the customer", "Your rights", "Phone"),
])
def test_the_notice_on_the_fill_page_fits_a_phone(app: Flask, live_server, new_page, artifacts,  # type: ignore[no-untyped-def]
                                                   locale, title, purpose, opener, rights, channel) -> None:
    with app.app_context():
        register_notices(services().db, services().clock, load_notices(NOTICE_DIR)[0])
    page = signed_in(new_page, live_server, "clerk", locale, PHONE)
    page.goto(f"{live_server}/forms/CP/new")
    notice = page.locator("section.privacy-notice")
    expect(notice.locator("h2")).to_contain_text(title)
    expect(notice).to_contain_text(purpose)
    full_text = notice.locator("details p", has_text=rights)
    expect(full_text).to_be_hidden()
    notice.get_by_text(opener).click()
    expect(full_text).to_be_visible()
    page.screenshot(path=str(artifacts / f"phone-{locale}-privacy-notice.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow} px wider than the phone"
    box = notice.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert_accessible(page, f"fill page with its privacy notice ({locale})")

    page.get_by_label(channel, exact=True).check()
    page.locator("#received_at").fill("2026-03-02 09:00")
    page.locator("#customer_name").fill("测试客户")
    page.locator("#phone").fill("138 0013 8000")
    page.locator("#complaint").fill("划痕")
    page.locator("button[value=submit]").click()
    expect(page.locator("section.privacy-notice")).to_contain_text("customer-service v1")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert_accessible(page, f"record page with its privacy notice ({locale})")
