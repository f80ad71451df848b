"""Revealing personal data in a real browser: the archivist reads a complaint masked, asks to
see it with a reason, reads it whole once and masked again on the record page; the auditor
finds the reveal in their list. In Chinese and English, at phone width, accessible."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.journeys import assert_accessible, sign_in
from tests.support.lifecycle import new_complaint

pytestmark = pytest.mark.browser

NAME, PHONE = "欧阳明华", "13912345679"
WORDS = {"zh-CN": ("显示个人信息", "个人信息显示记录"),
         "en": ("Show personal data", "Reveals of personal data")}


def no_overflow(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_archivist_reveals_and_the_auditor_sees_it(app, live_server, new_page, artifacts, locale):  # type: ignore[no-untyped-def]
    code = new_complaint(app, customer_name=NAME, phone=PHONE)
    show, listed = WORDS[locale]
    page = new_page(locale)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "archivist")
    page.goto(f"{live_server}/records/{code}")
    expect(page.locator("main")).to_contain_text("欧***")
    expect(page.locator("main")).not_to_contain_text(NAME)
    page.screenshot(path=str(artifacts / f"reveal-record-{locale}.png"), full_page=True)
    page.get_by_role("link", name=show).click()
    assert_accessible(page, f"reveal form ({locale})")
    assert no_overflow(page)
    page.locator("button[type=submit].button").click()  # no reason given
    expect(page.locator(".error-summary a[href='#reason']")).to_be_visible()
    assert_accessible(page, f"reveal form with its error ({locale})")
    page.screenshot(path=str(artifacts / f"reveal-error-{locale}.png"), full_page=True)
    page.locator("#reason").fill("诉讼冻结前核实客户身份")
    page.locator("button[type=submit].button").click()
    expect(page.locator("main")).to_contain_text(NAME)
    expect(page.locator("main")).to_contain_text(PHONE)
    assert_accessible(page, f"revealed ({locale})")
    assert no_overflow(page)
    page.screenshot(path=str(artifacts / f"revealed-{locale}.png"), full_page=True)
    page.goto(f"{live_server}/records/{code}")
    expect(page.locator("main")).not_to_contain_text(NAME)

    auditor = new_page(locale)
    auditor.set_viewport_size({"width": 390, "height": 844})
    sign_in(auditor, live_server, "auditor")
    auditor.goto(f"{live_server}/archive/")
    auditor.get_by_role("link", name=listed).click()
    expect(auditor.locator("main")).to_contain_text("诉讼冻结前核实客户身份")
    expect(auditor.locator("main")).to_contain_text(code)
    assert_accessible(auditor, f"reveals ({locale})")
    assert no_overflow(auditor)
    auditor.screenshot(path=str(artifacts / f"reveals-{locale}.png"), full_page=True)
