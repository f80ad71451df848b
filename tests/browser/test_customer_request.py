"""A customer's deletion request end to end in a real browser (issue 21, part B's "done means"):
the customer has four complaints under two spellings of one phone, made years apart on a frozen
clock whose time carries microseconds — filed three years ago (past its duty), filed then and
under a legal hold, filed today, still open. The clerk registers the request on the fill page;
on the request's page gathers the customer's records; the supervisor sees each record's duty,
decides (the past one deleted, the others kept) and carries out; the past one is anonymised, the
others kept with the stated reason and date; the answer for the customer says so in Chinese and
English; every step is in the audit trail. Every page passes axe and fits a 390 px phone; once in
Chinese and once in English."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from core.clock import FrozenClock, local
from core.web import services
from tests.support.customer_requests import (
    CUSTOMER,
    PHONE,
    all_text,
    customer_complaint,
    events,
    hold,
    items,
)
from tests.support.journeys import PHONE as PHONE_SIZE
from tests.support.journeys import check, download, signed_in
from tests.support.pdf import text_of

pytestmark = pytest.mark.browser
TO_2029_06_01 = (date(2029, 6, 1) - date(2026, 3, 2)).days
TEXT = {
    "zh-CN": {"form": "个人信息查阅/更正/删除申请表", "delete": "删除", "phone_call": "电话",
              "callback": "回拨登记电话核实", "submit": "提交", "gather": "汇集客户记录",
              "keep": "保留", "erase": "删除（匿名化）", "carry_out": "执行决定",
              "answer": "给客户的答复（PDF）"},
    "en": {"form": "Personal Data Request", "delete": "Delete their data", "phone_call": "Phone call",
           "callback": "Callback to the registered phone", "submit": "Submit",
           "gather": "Gather the customer's records", "keep": "Keep", "erase": "Delete (anonymise)",
           "carry_out": "Carry out the decisions", "answer": "The customer's answer (PDF)"},
}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC))


def the_customers_records(app: Flask, clock: FrozenClock) -> dict[str, str]:
    past = customer_complaint(app, "+8613800138000", filed=True)
    held = customer_complaint(app, PHONE, filed=True)
    clock.advance(days=TO_2029_06_01)
    hold(app, held, clock.now())
    recent = customer_complaint(app, PHONE, filed=True)
    open_one = customer_complaint(app, "+8613800138000", filed=False)
    return {"past": past, "held": held, "recent": recent, "open": open_one}


def register_on_the_fill_page(page: Page, base: str, t: dict[str, str], received: str) -> str:
    page.goto(f"{base}/forms")
    page.get_by_role("link", name=t["form"]).click()
    page.get_by_label(t["delete"], exact=True).check()
    page.locator("#received_at").fill(received)
    page.get_by_label(t["phone_call"], exact=True).check()
    page.locator("#customer_name").fill(CUSTOMER)
    page.locator("#phone").fill("138 0013 8000")
    page.get_by_label(t["callback"], exact=True).check()
    page.locator("#identity_note").fill("回拨登记电话，身份证后四位 1234")
    page.get_by_role("button", name=t["submit"], exact=True).click()
    expect(page.locator("h1")).to_have_text(re.compile(r"^PR-\d{4}-\d{6}$"))
    return page.locator("h1").inner_text()


def decide(page: Page, code: str, choice: str) -> None:
    item = page.locator(f"#item-{code}")
    item.get_by_label(choice, exact=True).check()
    item.get_by_role("button").click()
    expect(page.locator(f"#item-{code} .decision")).to_be_visible()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_deletion_request_from_registration_to_the_answer(  # type: ignore[no-untyped-def]
        app: Flask, clock: FrozenClock, live_server, new_page, artifacts, locale) -> None:
    t, tag = TEXT[locale], f"pr-{locale}"
    records = the_customers_records(app, clock)
    with app.app_context():
        received = local(clock.now(), services().zone).strftime("%Y-%m-%d %H:%M")

    clerk = signed_in(new_page, live_server, "clerk", locale, PHONE_SIZE)
    code = register_on_the_fill_page(clerk, live_server, t, received)
    check(clerk, artifacts, f"{tag}-registered")
    clerk.goto(f"{live_server}/customer-requests/{code}")
    check(clerk, artifacts, f"{tag}-request")
    clerk.get_by_role("button", name=t["gather"]).click()
    for key in records.values():
        expect(clerk.locator(f"#item-{key}")).to_be_visible()
    check(clerk, artifacts, f"{tag}-gathered")

    boss = signed_in(new_page, live_server, "supervisor", locale, PHONE_SIZE)
    boss.goto(f"{live_server}/customer-requests/{code}")
    expect(boss.locator(f"#item-{records['past']} .duty")).to_have_attribute("data-duty", "none")
    expect(boss.locator(f"#item-{records['recent']} .duty")).to_contain_text("2032-06-01")
    expect(boss.locator(f"#item-{records['recent']} input[value=delete]")).to_be_disabled()
    check(boss, artifacts, f"{tag}-decide")
    decide(boss, records["past"], t["erase"])
    for key in ("held", "recent", "open"):
        decide(boss, records[key], t["keep"])
    boss.get_by_role("button", name=t["carry_out"]).click()
    expect(boss.locator(f"#item-{records['past']} .outcome")).to_have_attribute("data-outcome", "anonymised")
    for key in ("held", "recent", "open"):
        expect(boss.locator(f"#item-{records[key]} .outcome")).to_have_attribute("data-outcome", "kept")
    expect(boss.locator(f"#item-{records['recent']} .outcome")).to_contain_text("2032-06-01")
    check(boss, artifacts, f"{tag}-carried-out")

    answer = text_of(download(boss, t["answer"]))
    (artifacts / f"{tag}-answer.txt").write_text(answer)
    flat = re.sub(r"\s+", "", answer)  # the statement's table wraps its cells
    assert "已删除（匿名化）" in flat and "deleted(anonymised)" in flat
    assert "保存期限尚未" in flat and "hasnotended" in flat and "2032-06-01" in flat
    assert "法律冻结" in flat and "尚未办结归档" in flat and records["past"] in flat

    assert CUSTOMER not in all_text(app, records["past"]) and PHONE not in all_text(app, records["past"])
    for key in ("held", "recent", "open"):
        assert CUSTOMER in all_text(app, records[key]), key
    done = items(app, code)
    assert done[records["recent"]].keep_until == date(2032, 6, 1)
    assert [e.object_id for e in events(app, "record.anonymise")] == [records["past"]]
    assert len(events(app, "record.keep")) == 3 and len(events(app, "customer_request.decide", code)) == 4
    for action in ("record.submit", "record.gather", "customer_request.gather", "record.carry_out",
                   "customer_request.carry_out", "customer_request.copy"):
        assert events(app, action, code), action
