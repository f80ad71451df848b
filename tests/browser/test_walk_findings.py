"""Defects found by walking the served app as each role (issue 15, "resolved": a person doing the
job would not hit a wall). Each test fails on the defect as it was found."""

from __future__ import annotations

from itertools import product

import pytest

from tests.support.lifecycle import close_complaint, new_complaint
from tests.support.page_width import MEASURE, PHONE, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_retention_classes_fit_a_phone(live_server, new_page, artifacts, locale):  # type: ignore[no-untyped-def]
    """The admin's retention classes ran 300 px off a 390 px screen: a table of seven columns
    with the mandate's Chinese text one character per line. Each class is now a card."""
    page = new_page(locale)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/retention")
    page.screenshot(path=str(artifacts / f"walk-phone-{locale}-retention.png"), full_page=True)
    found = page.evaluate(MEASURE)
    assert found["wide"] <= found["inner"] and not found["squeezed"], found


#: MEASURE, but a list's tick box column is narrow by design (its labels are for screen readers).
SKIP_TICK_BOXES = """const only = cell.children.length === 1 ? cell.firstElementChild : null;
    if (cell.classList.contains("select-cell") || only?.classList.contains("visually-hidden")) continue;
    const box ="""
MEASURE_LISTS = MEASURE.replace("const box =", SKIP_TICK_BOXES)
SIZES = {"phone": PHONE, "desk": {"width": 1280, "height": 900}}
UNBROKEN = "https://example.com/tickets/" + "a" * 300  # a pasted link: no place to break a line


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_text_without_spaces_wraps(live_server, new_page, artifacts, client, token_for, locale):  # type: ignore[no-untyped-def]
    """A pasted link or a long number in a complaint, a correction's reason or a reveal's reason
    ran thousands of pixels off a phone: the record page, the record list, the inbox and the
    auditor's list of reveals. Text now wraps wherever it must, on a desk too, without the lists'
    other columns (code, form, state, dates) squeezed to a character a line."""
    clerk = token_for("clerk")
    code = client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": {
        "channel": "phone", "received_at": "2026-03-02T09:00:00.123456+08:00",
        "customer_name": "Customer" + "X" * 90, "phone": "13800138000", "complaint": UNBROKEN}}).json["code"]
    corrected = client.post(f"/api/v1/records/{code}/actions/correct", headers=clerk, json={
        "fields": {"complaint": UNBROKEN + "b"}, "reason": "r" * 300})
    assert corrected.status_code == 200, corrected.json
    revealed = client.post(f"/api/v1/records/{code}/reveal", headers=token_for("auditor"),
                           json={"reason": "审计" + "x" * 400})
    assert revealed.status_code == 200, revealed.json
    pages = {"record": ("clerk", f"/records/{code}"), "records": ("clerk", "/records"),
             "inbox": ("supervisor", "/inbox"), "reveals": ("auditor", "/audit/reveals")}
    problems = {}
    for (name, (user, path)), (width, size) in product(pages.items(), SIZES.items()):
        page = new_page(locale)
        page.set_viewport_size(size)  # type: ignore[arg-type]
        sign_in(page, live_server, user)
        page.goto(f"{live_server}{path}")
        page.screenshot(path=str(artifacts / f"walk-{width}-{locale}-unbroken-{name}.png"), full_page=True)
        found = page.evaluate(MEASURE_LISTS)
        if found["wide"] > found["inner"] or found["squeezed"]:
            problems[f"{name} {width}"] = found
    assert not problems, problems


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_filing_queue_fits_a_phone(app, live_server, new_page, artifacts, locale):  # type: ignore[no-untyped-def]
    """The archivist's filing queue ran off a 390 px screen in English (its "waiting for" column
    "the supervisor's countersignature" beside codes and titles). Each waiting record is now a
    card, its date and what it waits for under their names."""
    for _ in range(3):
        close_complaint(app, new_complaint(app), countersign=False)
    page = new_page(locale)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "archivist")
    page.goto(f"{live_server}/archive/")
    page.screenshot(path=str(artifacts / f"walk-phone-{locale}-filing-queue.png"), full_page=True)
    assert page.locator("main tbody tr").count() == 3
    found = page.evaluate(MEASURE)
    assert found["wide"] <= found["inner"] and not found["squeezed"], found
