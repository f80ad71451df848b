"""The office's overview pages pass axe in Chinese and in English: statistics with their SVG
charts, the day's visit registrations, the monthly renewal filing, the inbox."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.instance import VALID_CP
from tests.support.journeys import assert_accessible, sign_in
from tests.support.samples import RS_DATA

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_overview_pages_are_accessible(client, token_for, live_server, new_page, artifacts, locale):  # type: ignore[no-untyped-def]
    clerk = token_for("clerk")
    for level in ("1", "3"):
        code = client.post("/api/v1/records", headers=clerk,
                           json={"form": "CP", "data": VALID_CP}).json["code"]
        client.post(f"/api/v1/records/{code}/actions/classify", headers=token_for("supervisor"), json={
            "fields": {"cause_class": "quality", "level": level, "responsible_department": "CS"}})
    client.post("/api/v1/records", headers=clerk, json={"form": "RS", "data": RS_DATA})

    page = new_page(locale)
    sign_in(page, live_server, "supervisor")
    for path, heading in [("/stats/complaints", {"zh-CN": "客诉统计", "en": "Complaint statistics"}),
                          ("/filing/RS?month=2026-03", {"zh-CN": "续收登记表按月归档",
                                                         "en": "Renewal registers: monthly filing"}),
                          ("/registrations/day?day=2026-03-02", {"zh-CN": "当日来访登记",
                                                                  "en": "The day's visit registrations"}),
                          ("/inbox", {"zh-CN": "待办", "en": "Inbox"})]:
        page.goto(f"{live_server}{path}")
        expect(page.locator("h1")).to_have_text(heading[locale])
        assert_accessible(page, f"{path} ({locale})")
    page.goto(f"{live_server}/stats/complaints")
    expect(page.locator("svg#chart-level rect.chart-bar")).to_have_count(2)
    page.screenshot(path=str(artifacts / f"stats-{locale}.png"), full_page=True)
