"""An archive access request (AR) from the applicant to the end of the grant in a real browser,
on the system clock (moved on by days, still running, for the grant's end), each person signing
in through the login page (issue 15, "journey tests"): a clerk of the sales department cannot
open a customer-service complaint, asks for it on the request form; the applicant has no way to
approve it; an archivist who files a request of their own cannot approve that one either (four
eyes); the archivist approves the clerk's; the clerk reads the complaint (personal fields masked,
the read audited with the request's code); the sales supervisor countersigns, the worker files
the request; after the last day of the grant the clerk is refused again. Every page passes axe."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.clock import local
from core.web import services
from tests.support.journeys import DESKTOP, MovedSystemClock, check, file_records, signed_in
from tests.support.lifecycle import new_complaint

pytestmark = pytest.mark.browser

TEXT = {
    "zh-CN": {"form": "档案查阅申请表", "submit": "提交", "approve": "批准", "deny": "拒绝",
              "four_eyes": "四眼原则", "countersign": "主管阅签", "purpose": "投诉处理",
              "approved": "已批准"},
    "en": {"form": "Archive Access Request", "submit": "Submit", "approve": "Approve", "deny": "Deny",
           "four_eyes": "four eyes", "countersign": "Countersign",
           "purpose": "Complaint handling", "approved": "Approved"},
}


@pytest.fixture
def clock() -> MovedSystemClock:
    return MovedSystemClock()


def request_access(page: Page, t: dict[str, str], department: str, codes: str, start: str, end: str,
                   artifacts: Path, name: str) -> str:
    page.get_by_role("link", name=t["form"]).click()
    check(page, artifacts, name)
    page.locator("#applicant_department").select_option(department)
    page.locator("#records_wanted").fill(codes)
    page.get_by_label(t["purpose"], exact=True).check()
    page.locator("#reason").fill("客户再次来电投诉，需核对上次处理结果。")
    page.locator("#period_from").fill(start)
    page.locator("#period_to").fill(end)
    page.get_by_role("button", name=t["submit"], exact=True).click()
    expect(page.locator("h1")).to_have_text(re.compile(r"^AR-\d{4}-\d{6}$"))
    return page.locator("h1").inner_text()


def offered(page: Page, action: str) -> bool:
    """Whether the record page offers ``action`` (a button, or a link to its page)."""
    main = page.locator("main")
    return bool(main.get_by_role("button", name=action, exact=True).count()
                + main.get_by_role("link", name=action, exact=True).count())


def reads_under(app: Flask, code: str, username: str) -> list[dict]:  # type: ignore[type-arg]
    with app.app_context(), services().db.reading() as session:
        return [e.detail for e in session.scalars(select(AuditEvent).where(
            AuditEvent.action == "record.read", AuditEvent.object_id == code,
            AuditEvent.actor_name == username))]


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_access_is_asked_approved_by_another_used_and_ends(  # type: ignore[no-untyped-def]
        app: Flask, clock: MovedSystemClock, live_server, new_page, artifacts, locale) -> None:
    t, tag = TEXT[locale], f"ar-{locale}"
    wanted = new_complaint(app, customer_name="欧阳明华", phone="13912345679")  # customer service's
    with app.app_context():
        today = local(clock.now(), services().zone).date()
    last = today + timedelta(days=6)

    sales = signed_in(new_page, live_server, "sales", locale, DESKTOP)
    assert sales.goto(f"{live_server}/records/{wanted}").status == 403
    sales.goto(f"{live_server}/forms")
    ask = request_access(sales, t, "SALES", wanted, today.isoformat(), last.isoformat(), artifacts,
                         f"{tag}-form")
    assert ask.startswith("AR-"), ask
    assert not offered(sales, t["approve"])
    check(sales, artifacts, f"{tag}-requested")

    archivist = signed_in(new_page, live_server, "archivist", locale, DESKTOP)
    own = request_access(archivist, t, "ARCHIVE", wanted, today.isoformat(), last.isoformat(), artifacts,
                         f"{tag}-own-form")
    assert not offered(archivist, t["approve"]) and not offered(archivist, t["deny"])
    refused = archivist.goto(f"{live_server}/records/{own}/actions/approve")
    assert refused.status == 403
    expect(archivist.locator("main")).to_contain_text(t["four_eyes"])
    check(archivist, artifacts, f"{tag}-own-request-refused")

    archivist.goto(f"{live_server}/records/{ask}")
    check(archivist, artifacts, f"{tag}-to-approve")
    archivist.locator("main").get_by_role("button", name=t["approve"], exact=True).click()
    expect(archivist.locator(".summary-list--meta")).to_contain_text(t["approved"])

    opened = sales.goto(f"{live_server}/records/{wanted}")
    assert opened.status == 200
    expect(sales.locator("h1")).to_have_text(wanted)
    expect(sales.locator("main")).to_contain_text("欧***")
    expect(sales.locator("main")).not_to_contain_text("欧阳明华")  # masked: sales has no need of it
    check(sales, artifacts, f"{tag}-granted-read")
    assert {"grant": ask}.items() <= reads_under(app, wanted, "sales")[-1].items()

    boss = signed_in(new_page, live_server, "sales_boss", locale, DESKTOP)
    boss.goto(f"{live_server}/records/{ask}")
    boss.get_by_role("button", name=t["countersign"]).click()
    file_records(app)
    archivist.goto(f"{live_server}/archive/catalogue?form=AR&year={today.year}")
    expect(archivist.locator("table tbody tr").filter(has_text=ask)).to_have_count(1)

    clock.advance(days=(last - today).days + 1)  # the day after the grant's last day
    assert sales.goto(f"{live_server}/records/{wanted}").status == 403
    expect(sales.locator("main")).not_to_contain_text("欧***")
    check(sales, artifacts, f"{tag}-grant-ended")
