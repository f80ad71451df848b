"""Drafts are listed with what identifies them: the form's name, the customer (the fields the
form's summary names, as typed) and the date typed in, not "CP · draft #3" (issue 15)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from core.clock import FrozenClock
from tests.support.instance import csrf_token

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def real_clock_precision(clock: FrozenClock) -> None:
    """Frozen, but with the microseconds a real clock has (09:30:00.123456 in Shanghai)."""
    clock.current = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


def save_draft(client, form: str, **typed: str) -> None:  # type: ignore[no-untyped-def]
    page = client.get(f"/forms/{form}/new")
    response = client.post(f"/forms/{form}/new", data={"csrf_token": csrf_token(page.text),
                                                       "action": "save_draft", **typed})
    assert response.status_code == 302, response.text[:300]


def draft_rows(html: str) -> list[str]:
    table = html.split("<h2>", 2)[-1]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]


def test_drafts_name_the_form_the_customer_and_the_date(logged_in):  # type: ignore[no-untyped-def]
    clerk = logged_in("clerk")
    save_draft(clerk, "CP", customer_name="上海恒丰", complaint="外箱破损，" * 30,
               received_at="2026-03-01 14:30")
    save_draft(clerk, "RS", policy_no="P20240315001", policyholder="郑红梅", due_date="2026-01-20")
    save_draft(clerk, "VR")  # nothing typed yet
    rows = draft_rows(clerk.get("/forms").text)
    assert len(rows) == 3
    vr, rs, cp = rows  # newest first
    assert "客户来访登记表" in vr
    assert "客户续收服务登记表" in rs and "P20240315001 · 郑红梅" in rs and "2026-01-20" in rs
    assert "上海恒丰 · 外箱破损" in cp and "2026-03-01 14:30" in cp and "…" in cp  # long text cut
    english = draft_rows(clerk.get("/forms", headers=EN).text)
    assert "Renewal" in english[1] and "郑红梅" in english[1]
