"""Issue 15 items 8 and 14 in a real browser, in Chinese and English, at desktop and phone width:
a refused sign-in says how long to wait, the admin unlocks it on the sign-in delays page; a phone
typed in groups finds its record and a code typed alone opens the record."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from core.web import services
from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of
from tests.support.journeys import assert_accessible, sign_in

pytestmark = pytest.mark.browser
SIZES = [("zh-CN", 1280), ("en", 1280), ("zh-CN", 390), ("en", 390)]


def fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def try_password(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("button[type=submit].button").click()


@pytest.mark.parametrize(("locale", "width"), SIZES)
def test_a_delay_is_explained_and_an_admin_lifts_it(app, live_server, new_page, artifacts, locale, width):  # type: ignore[no-untyped-def]
    zh = locale.startswith("zh")
    page = new_page(locale)
    page.set_viewport_size({"width": width, "height": 844})
    for _ in range(5):
        try_password(page, live_server, "clerk", "wrong-password")
    try_password(page, live_server, "clerk", "still-wrong")
    expect(page.locator(".error-summary")).to_contain_text("请等待 2 秒" if zh else "Wait 2 seconds")
    assert fits(page)
    assert_accessible(page, "refused sign-in")
    page.screenshot(path=str(artifacts / f"sign-in-wait-{locale}-{width}.png"), full_page=True)

    admin = new_page(locale)
    admin.set_viewport_size({"width": width, "height": 844})
    sign_in(admin, live_server, "admin")
    admin.get_by_role("link", name="登录延迟" if zh else "Sign-in delays").click()
    table = admin.locator("table.table")
    expect(table).to_contain_text("clerk")
    expect(table).to_contain_text("127.0.0.1")
    admin.screenshot(path=str(artifacts / f"sign-in-delays-{locale}-{width}.png"), full_page=True)
    assert fits(admin)
    assert_accessible(admin, "sign-in delays")
    table.locator("tr", has_text="clerk").get_by_role("button").click()
    expect(admin.locator("main")).to_contain_text("已解除" if zh else "Unlocked")
    expect(admin.locator("table.table")).not_to_contain_text("clerk")

    sign_in(page, live_server, "clerk")  # at once, no waiting


@pytest.mark.parametrize(("locale", "width"), SIZES)
def test_a_phone_in_groups_finds_and_a_code_opens_the_record(app: Flask, live_server, new_page, artifacts,  # type: ignore[no-untyped-def]
                                                             locale, width):
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP",
                      {**VALID_CP, "phone": "13912345679", "order_no": "SO-2026-88417"}).code
        submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP", VALID_CP)
    assert "0 failed" in app.test_cli_runner().invoke(args=["outbox", "run", "--once"]).output
    page = new_page(locale)
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, live_server, "clerk")
    page.goto(f"{live_server}/search")
    box = page.locator("#q")
    box.fill("139 1234 5679")
    page.locator("form.search-form button[type=submit]").click()
    expect(page.locator(".hits .hit")).to_have_count(1)
    expect(page.locator(".hits")).to_contain_text(code)
    assert fits(page)
    assert_accessible(page, "search by phone")
    page.screenshot(path=str(artifacts / f"search-phone-{locale}-{width}.png"), full_page=True)
    page.locator("#q").fill("SO-2026-88417")
    page.locator("form.search-form button[type=submit]").click()
    expect(page.locator(".snippet mark").first).to_have_text("SO-2026-88417")
    page.locator("#q").fill(code.lower().replace("-000001", "-1"))
    page.locator("form.search-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/records/{code}")
