"""A correction (勘误) of a filed complaint in a real browser, on the system clock (issue 15,
item 7): the customer calls with a new number; the clerk who filled the record corrects the
phone with a reason on the record's correction page; the record page's history shows the
number before, struck through, and after; the printed copy shows the corrected box with the
original still readable, who, when and why; the worker stores the corrected revision's
archival copy. Every page passes axe."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import expect

from core.clock import SystemClock
from tests.support.journeys import DESKTOP, check, download, file_records, signed_in, take
from tests.support.lifecycle import close_complaint, new_complaint
from tests.support.pdf import text_of

pytestmark = pytest.mark.browser
REASON = "客户来电更正联系电话"


@pytest.fixture
def clock() -> SystemClock:
    return SystemClock()


def test_a_filed_complaint_is_corrected_on_screen_and_on_paper(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts) -> None:
    code = new_complaint(app, phone="13800138000")
    close_complaint(app, code)
    file_records(app)

    clerk = signed_in(new_page, live_server, "clerk", "zh-CN", DESKTOP)
    clerk.goto(f"{live_server}/records/{code}")
    take(clerk, "勘误")
    check(clerk, artifacts, "correction-page")
    clerk.locator("#phone").fill("139 1234 5679")
    clerk.locator("#reason").fill(REASON)
    clerk.locator("form.record-form button[type=submit]").click()
    expect(clerk.locator("h1")).to_have_text(code)
    last = clerk.locator("table.history tbody tr").last
    expect(last).to_contain_text(REASON)
    expect(last.locator("del")).to_have_text("13800138000")
    expect(last.locator("ins")).to_have_text("13912345679")
    check(clerk, artifacts, "correction-record")

    printed = text_of(download(clerk, "打印（PDF）"))
    (artifacts / "journey-correction.txt").write_text(printed)
    for expected in ("已勘误", "13800138000", "13912345679", REASON, "Clerk"):
        assert expected in printed, f"the printed copy lacks {expected!r}"

    revision = clerk.locator(".summary-list--meta div").filter(has_text="修订版次").locator("dd").inner_text()
    file_records(app)  # the corrected revision's archival copy
    clerk.reload()
    expect(clerk.locator(".summary-list--meta").filter(has_text="PDF/A")).to_contain_text(f"版次 {revision}")
