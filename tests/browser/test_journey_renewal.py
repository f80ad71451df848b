"""A renewal collection register (RS) from the clerk to the month's filing in a real browser, on
the system clock, each person signing in through the login page (issue 15, "journey tests"): the
clerk registers a policy 45 days past due with its visit log and prints the two parts (each part
numbers its own pages, the service staff member by name); the customer scans the QR code on
their copy, which leads to the address the app is served at and says the copy matches; the
supervisor (the renewal manager) spot-checks and signs, accepts and countersigns it; the outbox
worker stores the PDF/A and files it; the month's filing page lists it and the records office
finds it in the catalogue. Every page passes axe and fits its width; in Chinese on a desk and in
English at phone width (the printed copies are Chinese in both; the QR codes are read in the
Chinese run)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from core.clock import SystemClock, local
from core.web import services
from tests.support.journeys import DESKTOP, PHONE, check, download, file_records, signed_in
from tests.support.pdf import qr_codes_on_pages, text_of

pytestmark = pytest.mark.browser

TEXT = {
    "zh-CN": {"form": "客户续收服务登记表", "lapsed": "失效", "submit": "提交", "print": "打印（PDF）",
              "spot_check": "抽查签字", "accept": "审核通过", "accepted": "已审核", "countersign": "主管阅签",
              "countersigned": "主管阅签：已完成。", "nav": "主导航", "inbox": "待办",
              "filing": "续收登记表按月归档", "catalogue": "打印案卷目录（PDF）",
              "matches": "此副本与档案一致"},
    "en": {"form": "Renewal Collection Service Register", "lapsed": "Lapsed", "submit": "Submit",
           "print": "Print (PDF)", "spot_check": "Spot-check and sign", "accept": "Accept",
           "accepted": "Accepted", "countersign": "Countersign", "countersigned": "Countersign: done.",
           "nav": "Main", "inbox": "Inbox", "filing": "Renewal registers: monthly filing",
           "catalogue": "Print the catalogue (PDF)", "matches": "This copy matches the archive"},
}


@pytest.fixture
def clock() -> SystemClock:
    return SystemClock()


def fill_register(page: Page, t: dict[str, str], due: str, visited: str) -> None:
    page.locator("#policy_no").fill("P20240315001")
    page.locator("#policyholder").fill("郑红梅")
    page.locator("#phone").fill("136 5555 6666")
    page.locator("#due_date").fill(due)
    page.locator("#instalment").fill("3")
    page.get_by_label(t["lapsed"], exact=True).check()
    page.locator("#lapse_date").fill(visited)
    page.locator("#service_staff").select_option("clerk")
    page.locator("#visits-0-visit_date").fill(visited)
    page.locator("#visits-0-method").select_option("face")
    page.locator("#visits-0-notes").fill("已当面说明复效流程")
    page.locator("#customer_signature-on_paper").check()  # RS v4: met face-to-face, signed on paper
    page.locator("#nonpayment_reason").fill("资金周转困难\n下月再联系")


@pytest.mark.parametrize(("locale", "size"), [("zh-CN", DESKTOP), ("en", PHONE)])
def test_a_renewal_register_is_printed_checked_accepted_and_filed_in_its_month(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts, tmp_path, locale, size) -> None:
    t, tag = TEXT[locale], f"rs-{locale}-{size['width']}"
    with app.app_context():
        today = local(SystemClock().now(), services().zone).date()
    due, visited = today - timedelta(days=45), today - timedelta(days=1)

    clerk = signed_in(new_page, live_server, "clerk", locale, size)
    clerk.get_by_role("link", name=t["form"]).click()
    check(clerk, artifacts, f"{tag}-fill")
    fill_register(clerk, t, due.isoformat(), visited.isoformat())
    clerk.get_by_role("button", name=t["submit"], exact=True).click()
    expect(clerk.locator("h1")).to_have_text(re.compile(rf"^RS-{today.year}-\d{{6}}$"))
    code = clerk.locator("h1").inner_text()
    check(clerk, artifacts, f"{tag}-submitted")

    printed = download(clerk, t["print"])
    (artifacts / f"journey-{tag}-both-parts.pdf").write_bytes(printed)
    pages = text_of(printed).split("\f")
    business = next(p for p in pages if "业务联（公司留存）" in p)
    customer = next(p for p in pages if "客户联（交客户收执）" in p)
    for part in (business, customer):
        assert code in part and "P20240315001" in part and "郑红梅" in part and "面访" in part
        assert "第 1 页，共 1 页" in part  # each part numbers its own pages
        assert "Clerk" in part  # the service staff member by name
    assert not re.search(r"\bclerk\b", customer), "the customer's copy shows a username"

    if locale == "zh-CN":  # the copy is the same in both runs; reading QR codes takes seconds
        # the customer scans the QR code on their copy: it leads to where the office serves the app
        links = qr_codes_on_pages(printed, tmp_path)
        verify = f"{live_server}/verify/{code}?"
        assert len(links) == 2 and all(link.startswith(verify) for link in links), links
        customer_phone = new_page(locale)
        customer_phone.set_viewport_size(PHONE)
        customer_phone.goto(links[-1])
        expect(customer_phone.get_by_role("status")).to_contain_text(t["matches"])
        check(customer_phone, artifacts, f"{tag}-customer-scans")

    boss = signed_in(new_page, live_server, "supervisor", locale, size)
    boss.goto(f"{live_server}/records/{code}")
    check(boss, artifacts, f"{tag}-to-check")
    boss.get_by_role("button", name=t["spot_check"]).click()
    expect(boss.locator("table.history")).to_contain_text(t["spot_check"])
    boss.get_by_role("button", name=t["accept"]).click()
    expect(boss.locator(".summary-list--meta")).to_contain_text(t["accepted"])
    boss.get_by_role("button", name=t["countersign"]).click()
    expect(boss.locator("[role=status]")).to_contain_text(t["countersigned"])
    check(boss, artifacts, f"{tag}-accepted")

    file_records(app)
    nav = boss.get_by_role("navigation", name=t["nav"])
    nav.get_by_role("link", name=re.compile(f"^{t['inbox']}")).click()
    check(boss, artifacts, f"{tag}-inbox")
    boss.get_by_role("link", name=t["filing"]).click()
    expect(boss.locator("#month")).to_have_value(today.isoformat()[:7])
    entry = boss.locator("table tbody tr").filter(has_text=code)
    expect(entry).to_contain_text("郑红梅")  # the department's supervisor needs the name
    expect(entry).to_contain_text("Clerk")
    check(boss, artifacts, f"{tag}-filing")
    assert code in text_of(download(boss, t["catalogue"]))

    archivist = signed_in(new_page, live_server, "archivist", locale, size)
    archivist.goto(f"{live_server}/archive/catalogue?form=RS&year={today.year}")
    expect(archivist.locator("table tbody tr").filter(has_text=code)).to_have_count(1)
    expect(archivist.locator("main")).not_to_contain_text("郑红梅")  # masked for the records office
    check(archivist, artifacts, f"{tag}-catalogue")
