"""The pages of each step in a real browser, in Chinese and English, at desktop and phone width
(390 px): registration asks what is known then, the classify page shows the complaint, the
resubmission shows why it was returned and the supervisor's fields read-only, and the inbox
countersigns ticked records in one go. Every page passes axe and fits the phone's width."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from core.clock import FrozenClock
from tests.support.journeys import assert_accessible, sign_in
from tests.support.lifecycle import new_complaint

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC))


def fits(page: Page, what: str) -> None:
    """Nothing wider than the viewport (no sideways scrolling)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what}: {overflow}px wider than the screen"


def shot(page: Page, artifacts, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(artifacts / f"steps-{name}.png"), full_page=True)


@pytest.mark.parametrize(("locale", "size"), [("zh-CN", DESKTOP), ("en", PHONE)])
def test_register_classify_return_and_resubmit(app, live_server, new_page, artifacts, locale, size) -> None:  # type: ignore[no-untyped-def]
    zh = locale == "zh-CN"
    clerk = new_page(locale)
    clerk.set_viewport_size(size)
    sign_in(clerk, live_server, "clerk")
    clerk.goto(f"{live_server}/forms/CP/new")
    expect(clerk.locator("#complaint")).to_be_visible()
    for later in ("level", "cause_class-0", "investigation", "customer_reply", "customer_accepted"):
        expect(clerk.locator(f"#{later}")).to_have_count(0)
    fits(clerk, "fill page")
    assert_accessible(clerk, "fill page")
    clerk.get_by_label("电话" if zh else "Phone", exact=True).check()
    clerk.locator("#received_at").fill("2026-03-02 09:00")
    clerk.locator("#customer_name").fill("上海恒丰贸易有限公司")
    clerk.locator("#phone").fill("138 0013 8000")
    clerk.locator("#complaint").fill("外箱压痕，三件划伤。")
    clerk.locator("button[value=submit]").click()
    code = clerk.locator("h1").inner_text()

    boss = new_page(locale)
    boss.set_viewport_size(size)
    sign_in(boss, live_server, "supervisor")
    boss.goto(f"{live_server}/records/{code}/actions/classify")
    context = boss.locator(".record-context")
    expect(context).to_contain_text("外箱压痕，三件划伤。")
    expect(context).to_contain_text("上海恒丰贸易有限公司")
    fits(boss, "classify page")
    assert_accessible(boss, "classify page")
    shot(boss, artifacts, f"classify-{locale}-{size['width']}")
    boss.get_by_label("质量异常" if zh else "Quality abnormality", exact=True).check()
    boss.get_by_label("二级（需协调部门）" if zh else "Level 2 (needs other departments)").check()
    boss.locator("#responsible_department").select_option("CS")
    boss.locator("form.record-form button[type=submit]").click()
    boss.goto(f"{live_server}/records/{code}/actions/return")
    boss.locator("#reason").fill("订单号漏填，请补充。")
    boss.locator("form.record-form button[type=submit]").click()

    clerk.goto(f"{live_server}/records/{code}/actions/complete")
    note = clerk.locator(".panel--warning")
    expect(note).to_contain_text("订单号漏填，请补充。")
    expect(clerk.locator(".record-context")).to_contain_text(
        "二级（需协调部门）" if zh else "Level 2 (needs other departments)")
    expect(clerk.locator("form.record-form [name=level]")).to_have_count(0)
    fits(clerk, "completion page")
    assert_accessible(clerk, "completion page")
    shot(clerk, artifacts, f"complete-{locale}-{size['width']}")
    clerk.locator("#order_no").fill("SO-2026-0815")
    clerk.locator("form.record-form button[type=submit]").click()
    expect(clerk.locator(".summary-list--meta")).to_contain_text("已登记" if zh else "Registered")


@pytest.mark.parametrize(("locale", "size"), [("en", DESKTOP), ("zh-CN", PHONE)])
def test_three_records_countersigned_from_the_inbox(app, live_server, new_page, artifacts,  # type: ignore[no-untyped-def]
                                                    locale, size) -> None:
    codes = [new_complaint(app) for _ in range(3)]
    boss = new_page(locale)
    boss.set_viewport_size(size)
    sign_in(boss, live_server, "supervisor")
    boss.goto(f"{live_server}/inbox")
    to_sign = boss.locator("#countersign")
    for code in codes:
        expect(to_sign).to_contain_text(code)
    fits(boss, "inbox")
    assert_accessible(boss, "inbox with the countersign list")
    shot(boss, artifacts, f"inbox-{locale}-{size['width']}")
    for code in codes:
        boss.locator(f"#sign-{code}").check()
    to_sign.locator("button[type=submit]").click()
    done = "已阅签：" if locale == "zh-CN" else "Countersigned: "
    expect(boss.locator("[role=status]")).to_contain_text(done + ", ".join(codes))
    expect(boss.locator("#countersign")).to_have_count(0)
    shot(boss, artifacts, f"inbox-signed-{locale}-{size['width']}")
