"""At phone width (390 × 844) the inbox, the record lists, the four forms' fill pages and a
record page are usable in Chinese and English: nothing runs off the side of the page and no
table squeezes its text into one-character columns (issue 15). Screenshots in test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.support.instance import VALID_CP
from tests.support.page_width import MEASURE, PHONE, sign_in
from tests.support.samples import RS_DATA

pytestmark = pytest.mark.browser


def records(client, token_for) -> str:  # type: ignore[no-untyped-def]
    """A complaint with a long history, a renewal register with rows: what the pages show."""
    clerk, boss = token_for("clerk"), token_for("supervisor")
    code = client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": {
        **VALID_CP, "complaint": "收到的第二批货物外包装破损，部分产品表面有划痕。" * 3,
        "order_no": "SO-2026-88417-A-LONG-ORDER-NUMBER"}}).json["code"]
    client.post(f"/api/v1/records/{code}/actions/classify", headers=boss, json={
        "fields": {"cause_class": "non_quality", "level": "2", "responsible_department": "QA"}})
    client.post("/api/v1/records", headers=clerk, json={"form": "RS", "data": RS_DATA})
    draft = client.post("/api/v1/drafts", headers=clerk, json={"form": "CP", "data": {
        "customer_name": "上海恒丰贸易有限公司", "complaint": "外箱破损", "received_at": "2026-03-02 09:00"}})
    assert draft.status_code == 201, draft.json  # listed on /forms with what identifies it
    return str(code)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_pages_fit_a_phone(live_server, new_page, artifacts, client, token_for, locale):  # type: ignore[no-untyped-def]
    code = records(client, token_for)
    pages = {"inbox": ("supervisor", "/inbox"), "records": ("clerk", "/records"),
             "department": ("supervisor", "/records?scope=department"),
             "record": ("clerk", f"/records/{code}"), "record-RS": ("clerk", "/records/RS-2026-000001"),
             **{f"fill-{form}": ("clerk", f"/forms/{form}/new") for form in ("CP", "VR", "RS", "AR")},
             "forms": ("clerk", "/forms"), "filing": ("supervisor", "/filing/RS?month=2026-03"),
             "statistics": ("supervisor", "/stats/complaints"), "search": ("supervisor", "/search?q=CP-2026")}
    problems = {}
    signed_in: dict[str, Page] = {}
    for name, (user, path) in pages.items():
        if user not in signed_in:
            signed_in[user] = new_page(locale)
            signed_in[user].set_viewport_size(PHONE)
            sign_in(signed_in[user], live_server, user)
        page = signed_in[user]
        page.goto(f"{live_server}{path}")
        page.screenshot(path=str(artifacts / f"phone-{locale}-{name}.png"), full_page=True)
        found = page.evaluate(MEASURE)
        if found["wide"] > found["inner"] or found["squeezed"]:
            problems[name] = found
    assert not problems, problems


def test_adding_a_row_keeps_the_place_and_long_text_counts_down(live_server, new_page, artifacts):  # type: ignore[no-untyped-def]
    page = new_page("en")
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "clerk")
    page.goto(f"{live_server}/forms/RS/new")
    reason = page.get_by_label("Reason for non-payment")
    count = page.locator("#nonpayment_reason-count")
    assert count.inner_text() == "Characters left: 1000"
    reason.fill("资金周转困难\n下月再联系")  # 11 characters and a line break (sent as CR LF)
    assert count.inner_text() == "Characters left: 987"
    reason.fill("x" * 1003)
    assert count.inner_text() == "Too long by 3 characters"
    assert "character-count--over" in (count.get_attribute("class") or "")
    reason.fill("")
    page.get_by_role("button", name="Add a row").scroll_into_view_if_needed()
    page.get_by_role("button", name="Add a row").click()
    page.wait_for_load_state()
    assert page.url.endswith("#visits-row-2"), page.url
    row = page.locator("#visits-row-2")
    assert row.is_visible() and page.evaluate("window.scrollY") > 300  # not back at the top
    box = row.bounding_box()
    # the new row on screen (scrolled to its anchor, its top may sit a fraction of a pixel above)
    assert box is not None and -1 < box["y"] < PHONE["height"]
    assert page.evaluate("document.activeElement.id") == "visits-1-visit_date"  # the cursor in it
    page.screenshot(path=str(artifacts / "phone-en-row-added.png"))
