"""The supervisor confirms the day's ticked visit registrations in one go; a stale or foreign one
is refused by itself and says why (row-by-row choice: test_day_register_rows)."""

from __future__ import annotations

from tests.support.instance import csrf_token
from tests.support.visits import sales_visit


def test_the_days_ticked_registrations_are_confirmed_together(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    sales = token_for("sales")
    today = [sales_visit(client, sales, "2026-03-02", f"1370000111{n}") for n in range(3)]
    other_day = sales_visit(client, sales, "2026-03-01", "13700002222")
    boss, english = logged_in("sales_boss"), {"Accept-Language": "en"}
    page = boss.get("/registrations/day?day=2026-03-02", headers=english)
    assert all(code in page.text for code in today) and other_day not in page.text
    assert "3 registrations await confirmation." in page.text
    assert "Confirm the ticked registrations" in page.text
    stale = today[2]
    client.post(f"/api/v1/records/{stale}/actions/return", headers=token_for("sales_boss"),
                json={"reason": "缺需求说明"})  # changes it after the page was shown
    posted = [f"{code}@1" for code in today]
    done = boss.post("/registrations/day", data={"csrf_token": csrf_token(page.text), "day": "2026-03-02",
                                                "record": posted}, headers=english, follow_redirects=True)
    assert f"Confirmed: {today[0]}, {today[1]}." in done.text
    assert f"{stale}: Record {stale} is “Returned for completion”" in done.text
    for code in today[:2]:
        assert client.get(f"/api/v1/records/{code}", headers=sales).json["state"] == "confirmed"
    assert "awaits confirmation" not in done.text  # the returned one is not awaiting confirmation
    assert "await confirmation" not in done.text


def test_only_supervisors_get_the_button_and_clerks_are_refused(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = sales_visit(client, token_for("sales"), "2026-03-02", "13700001111")
    clerk = logged_in("sales")
    page = clerk.get("/registrations/day?day=2026-03-02", headers={"Accept-Language": "en"})
    assert code in page.text and "Confirm the ticked" not in page.text and 'name="record"' not in page.text
    clerk.post("/registrations/day", data={"csrf_token": csrf_token(page.text), "day": "2026-03-02",
                                          "record": [f"{code}@1"]})
    assert client.get(f"/api/v1/records/{code}", headers=token_for("sales")).json["state"] == "registered"
    assert logged_in("sales_boss").get("/registrations/day?day=not-a-day").status_code == 200
