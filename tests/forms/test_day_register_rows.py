"""The supervisor confirms the day's visit registrations row by row, conflicts left unticked by
default and left out when they stay so; the register opens on the latest day still to confirm."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.support.instance import csrf_token

NOW = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _real_clock_fractions(clock):  # type: ignore[no-untyped-def]
    clock.current = NOW


def register(client, headers, staff: str, phone: str, day: str = "2026-03-02", **more) -> str:  # type: ignore[no-untyped-def]
    data = {"visit_date": day, "customer_name": "周女士", "phone": phone, "needs": "三居室",
            "receiving_staff": staff}
    response = client.post("/api/v1/records", headers=headers, json={"form": "VR", "data": data, **more})
    assert response.status_code == 201, response.json
    return str(response.json["code"])


def ticked(html: str) -> dict[str, bool]:
    """code → whether its row's box is ticked, as the page is served."""
    boxes = re.findall(r'<input[^>]*name="record"[^>]*>', html)
    return {re.search(r'value="([^"@]+)@', box).group(1): " checked" in box for box in boxes}  # type: ignore[union-attr]


def state(client, headers, code: str) -> str:  # type: ignore[no-untyped-def]
    return str(client.get(f"/api/v1/records/{code}", headers=headers).json["state"])


def test_the_supervisor_confirms_two_of_three_and_the_conflict_stays_unconfirmed(  # type: ignore[no-untyped-def]
        client, token_for, logged_in):
    sales, boss_token = token_for("sales"), token_for("sales_boss")
    first = register(client, sales, "sales", "13700001111")
    second = register(client, sales, "sales", "13700002222")
    conflict = register(client, boss_token, "sales_boss", "13700001111", confirm_conflict=True)
    boss = logged_in("sales_boss")
    page = boss.get("/registrations/day?day=2026-03-02", headers=ENGLISH)
    assert ticked(page.text) == {first: True, second: True, conflict: False}
    assert "claimed by Sales until 2026-04-02" in page.text
    done = boss.post("/registrations/day", data={"csrf_token": csrf_token(page.text), "day": "2026-03-02",
                                                "record": [f"{first}@1", f"{second}@1"]},
                     headers=ENGLISH, follow_redirects=True)
    assert f"Confirmed: {first}, {second}." in done.text
    assert [state(client, sales, c) for c in (first, second)] == ["confirmed", "confirmed"]
    assert state(client, boss_token, conflict) == "registered"
    assert ticked(done.text) == {conflict: False}  # still there to decide on, and still unticked


def test_nothing_ticked_confirms_nothing_and_says_so(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = register(client, token_for("sales"), "sales", "13700001111")
    boss = logged_in("sales_boss")
    page = boss.get("/registrations/day?day=2026-03-02", headers=ENGLISH)
    done = boss.post("/registrations/day", data={"csrf_token": csrf_token(page.text), "day": "2026-03-02"},
                     headers=ENGLISH, follow_redirects=True)
    assert "Tick the registrations to confirm." in done.text
    assert state(client, token_for("sales"), code) == "registered"


def test_the_register_opens_on_the_latest_day_with_unconfirmed_registrations(  # type: ignore[no-untyped-def]
        client, token_for, logged_in):
    sales, boss_token = token_for("sales"), token_for("sales_boss")
    older = register(client, sales, "sales", "13700001111", day="2026-02-25")
    latest = register(client, sales, "sales", "13700002222", day="2026-02-27")
    confirmed = register(client, sales, "sales", "13700003333", day="2026-03-01")
    taken = client.post(f"/api/v1/records/{confirmed}/actions/confirm", headers=boss_token, json={})
    assert taken.status_code == 200
    register(client, token_for("clerk"), "clerk", "13900001111", day="2026-02-28")  # another department's
    boss = logged_in("sales_boss")
    assert 'value="2026-02-27"' in boss.get("/registrations/day").text
    client.post(f"/api/v1/records/{latest}/actions/confirm", headers=boss_token, json={})
    assert 'value="2026-02-25"' in boss.get("/registrations/day").text
    client.post(f"/api/v1/records/{older}/actions/confirm", headers=boss_token, json={})
    assert 'value="2026-03-02"' in boss.get("/registrations/day").text  # nothing left: today
    assert 'value="2026-02-28"' in logged_in("supervisor").get("/registrations/day").text
