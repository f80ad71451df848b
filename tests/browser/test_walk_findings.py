"""Defects found by walking the served app as each role (issue 15, "resolved": a person doing the
job would not hit a wall). Each test fails on the defect as it was found."""

from __future__ import annotations

import pytest

from tests.browser.test_phone_width import MEASURE, PHONE, sign_in

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
