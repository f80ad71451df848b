"""Waiting for the customer in a real Chromium at phone width (390 px), in Chinese and English: the
clerk opens the action from the record page, is told a reason is needed, gives one, and the record
page says the deadline is paused and since when; the inbox says the same; then the customer's
answer restarts it. Every page fits the width with no serious axe finding."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import expect

from core.web import services
from forms.submission import submit
from forms.workflow import act
from tests.support.instance import VALID_CP, actor_of
from tests.support.journeys import PHONE, check, signed_in, take

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {"wait": "等待客户补充资料", "state": "待客户补充资料", "paused": "已暂停计时",
              "since": "自 2026-03-02 09:30 起", "answered": "客户已补充资料", "reason": "此操作须填写理由",
              "inbox": "待办"},
    "en": {"wait": "Wait for the customer", "state": "Waiting for the customer", "paused": "Paused",
           "since": "since 2026-03-02 09:30", "answered": "The customer has answered",
           "reason": "A reason is required", "inbox": "Inbox"},
}


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_clerk_pauses_and_restarts_the_deadline_on_a_phone(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts, locale) -> None:
    words, shot = WORDS[locale], f"pause-{locale}"
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP", dict(VALID_CP)).code
        act(s.db, s.clock, s.zone, actor_of(app, "supervisor"), code, "classify",
            fields={"cause_class": "quality", "level": "1", "responsible_department": "CS"})
    page = signed_in(new_page, live_server, "clerk", locale, PHONE)
    page.goto(f"{live_server}/records/{code}")
    take(page, words["wait"])
    check(page, artifacts, f"{shot}-action")
    page.locator("form.record-form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(words["reason"])
    page.locator("#reason").fill("请客户寄回不良样品和发票复印件")
    page.locator("form.record-form button[type=submit]").click()
    meta = page.locator(".summary-list--meta")
    expect(meta).to_contain_text(words["state"])
    expect(page.locator("#deadline-paused")).to_contain_text(words["paused"])
    expect(page.locator("#deadline-paused")).to_contain_text(words["since"])
    check(page, artifacts, f"{shot}-record")
    page.get_by_role("navigation").get_by_role("link", name=words["inbox"], exact=False).first.click()
    row = page.locator("#tasks tbody tr").filter(has_text=code)
    expect(row).to_contain_text(words["paused"])
    check(page, artifacts, f"{shot}-inbox")
    row.get_by_role("link", name=words["answered"]).click()
    page.locator("#investigation").fill("样品已收到，复检中")
    page.locator("form.record-form button[type=submit]").click()
    expect(page.locator("#deadline-paused")).to_have_count(0)
    expect(meta).to_contain_text("2026-03-02 15:00")  # nothing waited: the clock did not move
    check(page, artifacts, f"{shot}-answered")
