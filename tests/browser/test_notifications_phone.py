"""A returned record's filler sees the notice in the app at phone width (390 px), in Chinese
and English, in a real Chromium: the unread count in the header, the sentence with the record's
code linking to the record, marking it read; no sideways scrolling, no serious axe finding."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import expect

from core.web import services
from forms.submission import submit
from forms.workflow import act
from tests.support.instance import VALID_CP, actor_of
from tests.support.journeys import PHONE, check, signed_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("locale", "sentence", "mark_read", "heading"), [
    ("zh-CN", "已退回给您补充", "标为已读", "通知"),
    ("en", "was returned to you for completion", "Mark read", "Notifications"),
])
def test_the_filler_of_a_returned_record_sees_the_notice_on_a_phone(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts, locale, sentence, mark_read, heading) -> None:
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP", VALID_CP).code
        act(s.db, s.clock, s.zone, actor_of(app, "supervisor"), code, "return", reason="缺少订单号")
    page = signed_in(new_page, live_server, "clerk", locale, PHONE)
    link = page.locator("nav.main-nav a[href='/notifications']")
    expect(link.locator(".count")).to_have_text("1")
    link.click()
    expect(page.locator("h1")).to_have_text(heading)
    notice = page.locator("li.notification--unread")
    expect(notice).to_contain_text(f"{code} {sentence}")
    check(page, artifacts, f"notifications-{locale}")
    notice.get_by_role("button", name=mark_read).click()
    expect(page.locator("li.notification--unread")).to_have_count(0)
    expect(page.locator("nav.main-nav a[href='/notifications'] .count")).to_have_count(0)
    page.get_by_role("link", name=f"{code} {sentence}").click()
    expect(page).to_have_url(f"{live_server}/records/{code}")
    check(page, artifacts, f"notifications-record-{locale}")
