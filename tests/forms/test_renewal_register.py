"""RS: only for policies more than 30 days past due (day 30 refused, day 31 taken); handed in
within 3 days of lapse or flagged late; spot checks are signed revisions, not inbox tasks."""

from __future__ import annotations

import pytest

from tests.support.samples import RS_DATA

TODAY = "2026-03-02"  # the frozen clock's date in Shanghai


def register(client, headers, **changes):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/records", headers=headers,
                       json={"form": "RS", "data": {**RS_DATA, **changes}})


@pytest.mark.parametrize(("due", "taken"), [("2026-01-31", False), ("2026-01-30", True)])
def test_only_policies_more_than_30_days_past_due(client, token_for, due, taken):  # type: ignore[no-untyped-def]
    response = register(client, token_for("clerk"), due_date=due)  # 30 and 31 days before 03-02
    assert (response.status_code == 201) is taken, response.json
    if not taken:
        assert "more than 30 days past their due date; this one is 30 day(s) past." in \
            response.json["fields"]["due_date"]


@pytest.mark.parametrize(("lapse", "flags"), [
    ("2026-02-27", {}),  # handed in on the third day after the lapse
    ("2026-02-26", {"late_days": 1, "hand_in_by": "2026-03-01"}),
])
def test_a_late_hand_in_is_flagged(client, token_for, lapse, flags):  # type: ignore[no-untyped-def]
    response = register(client, token_for("clerk"), lapse_date=lapse)
    assert response.status_code == 201 and response.json["flags"] == flags


def test_a_lapse_before_the_due_date_is_refused(client, token_for):  # type: ignore[no-untyped-def]
    response = register(client, token_for("clerk"), lapse_date="2026-01-01")
    assert response.status_code == 422 and response.json["fields"]["lapse_date"] == "Is before the due date."


def test_a_spot_check_is_a_signed_revision_and_not_a_task(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = register(client, token_for("clerk")).json["code"]
    inbox = logged_in("supervisor").get("/inbox").text
    assert f"/records/{code}/actions/accept" in inbox and "spot_check" not in inbox
    checked = client.post(f"/api/v1/records/{code}/actions/spot_check", headers=token_for("supervisor"),
                          json={})
    assert checked.status_code == 200
    assert (checked.json["revision"], checked.json["state"]) == (2, "submitted")
    page = logged_in("clerk").get(f"/records/{code}").text
    assert "抽查签字" in page and "supervisor" in page.split("历史记录")[1]
