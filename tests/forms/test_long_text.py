"""Long text fields say their limit (without script) and carry what the page script needs to
count down as one types (tests/browser/test_phone_width.py types into one)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.clock import FrozenClock
from tests.support.instance import VALID_CP


@pytest.fixture(autouse=True)
def real_clock_precision(clock: FrozenClock) -> None:
    """Frozen, but with the microseconds a real clock has (09:30:00.123456 in Shanghai)."""
    clock.current = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


def test_fill_and_action_pages_give_each_long_text_its_limit(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    clerk = logged_in("clerk")
    page = clerk.get("/forms/RS/new").text
    assert 'data-for="nonpayment_reason" data-max="1000"' in page and "最多 1000 字。" in page
    assert 'data-left="还可输入 {n} 字"' in page and 'data-over="超出 {n} 字"' in page
    english = clerk.get("/forms/CP/new", headers={"Accept-Language": "en"}).text
    assert 'data-for="complaint" data-max="2000"' in english and "Up to 2000 characters." in english
    assert "/static/js/form-enhance.js" in english
    code = client.post("/api/v1/records", headers=token_for("clerk"),
                       json={"form": "CP", "data": VALID_CP}).json["code"]
    returning = logged_in("supervisor").get(f"/records/{code}/actions/return").text
    assert 'data-for="reason" data-max="2000"' in returning
