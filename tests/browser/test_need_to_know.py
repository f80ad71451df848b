"""Need-to-know in a real browser (issue 21's done-means): an admin opening a record outside
their department's work is asked why, states it, reads the record; the auditor's report lists
the read with the reason. In Chinese and English, at phone width, accessible (axe)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.journeys import assert_accessible, sign_in
from tests.support.lifecycle import new_complaint

pytestmark = pytest.mark.browser

REASON = "季度合规检查：核对投诉处理时限"
WORDS = {"zh-CN": ("为什么需要阅读此档案？", "说明理由并阅读", "知悉必要阅读", "阅读 1 次，共 1 份档案"),
         "en": ("Why do you need this record?", "State the reason and read", "Need-to-know reads",
                "Reads: 1, records: 1")}


def no_overflow(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_an_admin_states_a_reason_and_the_auditor_sees_it(app, live_server, new_page, artifacts, locale):  # type: ignore[no-untyped-def]
    app.config["NEED_TO_KNOW"] = "session"  # the product's default (tests' make_app turns it off)
    code = new_complaint(app)  # a CS complaint; the admin works in ARCHIVE
    heading, button, report, counted = WORDS[locale]
    page = new_page(locale)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/records/{code}")
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator("main")).not_to_contain_text("划痕")  # nothing of the record before the reason
    assert_accessible(page, f"reason form ({locale})")
    assert no_overflow(page)
    page.screenshot(path=str(artifacts / f"need-to-know-form-{locale}.png"), full_page=True)
    page.get_by_role("button", name=button).click()  # no reason given
    expect(page.locator(".error-summary a[href='#reason']")).to_be_visible()
    assert_accessible(page, f"reason form with its error ({locale})")
    page.locator("#reason").fill(REASON)
    page.get_by_role("button", name=button).click()
    expect(page).to_have_url(f"{live_server}/records/{code}")
    expect(page.locator("main")).to_contain_text("划痕")
    assert no_overflow(page)

    auditor = new_page(locale)
    auditor.set_viewport_size({"width": 390, "height": 844})
    sign_in(auditor, live_server, "auditor")
    auditor.goto(f"{live_server}/archive/")
    auditor.get_by_role("link", name=report).click()
    expect(auditor.locator("#need-lines")).to_contain_text(REASON)
    expect(auditor.locator("#need-lines")).to_contain_text("admin")
    expect(auditor.locator("#need-lines")).to_contain_text(counted)
    assert_accessible(auditor, f"need-to-know report ({locale})")
    assert no_overflow(auditor)
    auditor.screenshot(path=str(artifacts / f"need-to-know-report-{locale}.png"), full_page=True)
    auditor.locator("#from").fill("2099-01-01")
    auditor.locator("form.search-form button[type=submit]").click()
    expect(auditor.locator("#need-empty")).to_be_visible()
    assert_accessible(auditor, f"need-to-know report, empty range ({locale})")
