"""One view of a customer in a real browser at phone width, in Chinese and in English (issue
21's "done means": five records under three phone spellings are one customer page). The clerk
finds the customer by typing the phone as a person does (spaces and dashes, +86), sees the
records customer service holds, open complaint first, masked nothing (their own department's
work); goes from a record to its customer and from a search hit to the customer. The admin
(need-to-know off here) sees all five, the sales office's visit too, masked. Every page passes
axe and does not scroll sideways at 390 px."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import expect

from core.clock import FrozenClock
from tests.support.customers import five_records
from tests.support.journeys import PHONE, check, signed_in
from tests.support.lifecycle import work_outbox

pytestmark = pytest.mark.browser
TEXT = {
    "zh-CN": {"menu": "客户", "number": "电话、保单号或订单号", "find": "查找", "title": "客户：上海恒丰",
              "tier": "A类", "link": "该客户的全部记录", "banner": "这个号码属于一位客户：查看其全部记录",
              "search": "搜索"},
    "en": {"menu": "Customers", "number": "Phone, policy or order number", "find": "Find",
           "title": "Customer: 上海恒丰", "tier": "A", "link": "This customer's records",
           "banner": "This number is a customer's: see all their records", "search": "Search"},
}


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_customer_found_by_phone_from_a_record_and_from_search(  # type: ignore[no-untyped-def]
        app: Flask, clock: FrozenClock, live_server, new_page, artifacts, locale) -> None:
    t, tag = TEXT[locale], f"customer-{locale}"
    customer = five_records(app, clock)
    work_outbox(app)

    clerk = signed_in(new_page, live_server, "clerk", locale, PHONE)
    clerk.get_by_role("link", name=t["menu"], exact=True).click()
    check(clerk, artifacts, f"{tag}-find")
    clerk.get_by_label(t["number"]).fill("+86 138-0013-8000")
    clerk.get_by_role("button", name=t["find"], exact=True).click()
    expect(clerk.locator("h1")).to_have_text(t["title"])
    rows = clerk.locator("#customer-records tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text(customer.open_complaint)
    expect(clerk.locator("#customer-summary")).to_contain_text("13800138000")
    expect(clerk.locator("main")).not_to_contain_text(customer.visit)
    check(clerk, artifacts, f"{tag}-page")

    clerk.get_by_role("link", name=customer.renewal_by_policy).click()
    clerk.get_by_role("link", name=t["link"], exact=True).click()
    expect(clerk.locator("#customer-records tbody tr")).to_have_count(4)

    clerk.goto(f"{live_server}/search?q=13800138000")
    check(clerk, artifacts, f"{tag}-search")
    clerk.get_by_role("link", name=t["banner"]).click()
    expect(clerk.locator("#customer-count")).to_have_text("4")

    clerk.goto(f"{live_server}/customers?number=12345")
    expect(clerk.locator("#not-found")).to_be_visible()
    check(clerk, artifacts, f"{tag}-not-found")
    clerk.goto(f"{live_server}/customers?number=")
    expect(clerk.locator("#number-error")).to_be_visible()
    check(clerk, artifacts, f"{tag}-no-number")

    admin = signed_in(new_page, live_server, "admin", locale, PHONE)
    admin.goto(f"{live_server}/customers/{customer.customer_id}")
    expect(admin.locator("#customer-records tbody tr")).to_have_count(5)
    expect(admin.locator("#customer-tier .tag")).to_have_text(t["tier"])  # the visit; in the page language
    expect(admin.locator("main")).not_to_contain_text("13800138000")
    expect(admin.locator("#customer-summary")).to_contain_text("138****8000")
    check(admin, artifacts, f"{tag}-admin")
