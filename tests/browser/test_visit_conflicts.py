"""A visit register conflict in a real browser, in Chinese and English, at phone width (390 px)
and on a desk: the form warns before filing (who claims the customer until when), the clerk files
it anyway, the record's note names the holder, and the supervisor confirms the day row by row with
the conflict left unticked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from tests.support.journeys import assert_accessible, sign_in

pytestmark = pytest.mark.browser

TEXT = {
    "zh-CN": {"submit": "提交", "anyway": "仍然提交",
              "warning": "该客户已由 Sales 登记认领，有效期至 2026-04-02",
              "note": "该客户已由 Sales 先行登记，其认领有效期至 2026-04-02", "confirm": "确认所勾选的登记",
              "confirmed": "已确认"},
    "en": {"submit": "Submit", "anyway": "Submit anyway", "warning": "claimed by Sales until 2026-04-02",
           "note": "registered earlier by Sales, whose claim runs until 2026-04-02",
           "confirm": "Confirm the ticked registrations", "confirmed": "Confirmed:"},
}


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    widest = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
        .slice(-3).map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 40))""")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide: {widest}"


@pytest.mark.parametrize(("locale", "width"), [("zh-CN", 390), ("en", 390), ("zh-CN", 1280)])
def test_a_conflict_is_warned_filed_noted_and_left_out_of_the_days_confirmation(  # type: ignore[no-untyped-def]
        client, clock, token_for, live_server, new_page, artifacts, locale, width) -> None:
    clock.current = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
    t, shot = TEXT[locale], f"{locale}-{width}"
    for phone in ("13700001111", "13700002222"):
        client.post("/api/v1/records", headers=token_for("sales"), json={"form": "VR", "data": {
            "visit_date": "2026-03-02", "customer_name": "周女士", "phone": phone, "needs": "三居室",
            "receiving_staff": "sales"}})
    page = new_page(locale)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, "sales_boss")

    page.goto(f"{live_server}/forms/VR/new")
    page.locator("#visit_date").fill("2026-03-02")
    page.locator("#customer_name").fill("吴先生")
    page.locator("#phone").fill("137 0000 1111")
    page.locator("#needs").fill("两居室")
    page.locator("#receiving_staff").select_option("sales_boss")
    page.get_by_role("button", name=t["submit"], exact=True).click()
    warning = page.locator("#confirm-warning")
    expect(warning).to_contain_text(t["warning"])
    expect(warning).to_be_focused()
    expect(page.locator("#phone")).to_have_value("137 0000 1111")
    _fits(page)
    assert_accessible(page, f"the VR form's conflict warning ({shot})")
    page.screenshot(path=str(artifacts / f"vr-warning-{shot}.png"), full_page=True)

    page.get_by_role("button", name=t["anyway"]).click()
    expect(page).to_have_url(f"{live_server}/records/VR-2026-000003")
    expect(page.locator("[role=note]").first).to_contain_text(t["note"])
    expect(page.get_by_role("link", name="VR-2026-000001")).to_be_visible()  # same department: may open it
    note = page.locator(".panel--warning", has_text=t["note"]).bounding_box()
    assert note and note["x"] + note["width"] <= width  # the page's history table is another matter
    assert_accessible(page, f"a conflicting registration's page ({shot})")
    page.screenshot(path=str(artifacts / f"vr-conflict-note-{shot}.png"), full_page=True)

    page.goto(f"{live_server}/registrations/day")  # opens on the day with registrations to confirm
    expect(page.locator("#day")).to_have_value("2026-03-02")
    for code, ticked in [("VR-2026-000001", True), ("VR-2026-000002", True), ("VR-2026-000003", False)]:
        box = page.locator(f"#confirm-{code}")
        expect(box).to_be_checked() if ticked else expect(box).not_to_be_checked()
    _fits(page)
    assert_accessible(page, f"the day register with a conflict ({shot})")
    page.screenshot(path=str(artifacts / f"vr-day-register-{shot}.png"), full_page=True)
    page.get_by_role("button", name=t["confirm"]).click()
    expect(page.locator("body")).to_contain_text(t["confirmed"])
    expect(page.locator("#confirm-VR-2026-000003")).not_to_be_checked()
    expect(page.locator("input[name=record]")).to_have_count(1)
    page.screenshot(path=str(artifacts / f"vr-day-register-after-{shot}.png"), full_page=True)
