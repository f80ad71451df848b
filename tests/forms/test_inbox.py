"""The inbox: exactly the records waiting for the user, with what they can do, and the count."""

from __future__ import annotations

from tests.support.instance import VALID_CP

AR = {"applicant_department": "CS", "records_wanted": "CP-2026-000001", "purpose": "audit",
      "reason": "审计", "period_from": "2026-03-02", "period_to": "2026-03-09"}


def submit(client, headers, form: str, data: dict) -> str:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/records", headers=headers, json={"form": form, "data": data})
    assert response.status_code == 201
    return str(response.json["code"])


def waiting(client_for, username: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """code → the action names the inbox page links, for ``username``; a countersignature
    waiting is listed apart (tests/forms/test_inbox_countersign.py), counted as ``countersign``."""
    page = client_for(username).get("/inbox")
    assert page.status_code == 200
    found: dict[str, list[str]] = {}
    for row in section(page.text, 'id="tasks"', "</table>").split("<tr>")[2:]:
        code = row.split('href="/records/', 1)[1].split('"', 1)[0]
        found[code] = [part.split('"', 1)[0] for part in row.split(f'/records/{code}/actions/')[1:]]
    for part in section(page.text, 'id="countersign"', "</form>").split('name="record" value="')[1:]:
        code = part.split("@", 1)[0]
        found[code] = sorted([*found.get(code, []), "countersign"])
    return found


def section(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0] if start in page else ""


def test_each_user_sees_what_waits_for_them(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    clerk, boss = token_for("clerk"), token_for("supervisor")
    cp = submit(client, clerk, "CP", VALID_CP)
    ar = submit(client, clerk, "AR", AR)
    assert waiting(logged_in, "supervisor") == {cp: ["classify", "countersign", "return"],
                                                ar: ["countersign", "return"]}
    assert waiting(logged_in, "clerk") == {}  # corrections are always possible, never a task
    assert waiting(logged_in, "sales_boss") == {}  # another department's records
    assert waiting(logged_in, "archivist") == {ar: ["approve", "deny"]}

    client.post(f"/api/v1/records/{cp}/actions/countersign", headers=boss, json={})
    client.post(f"/api/v1/records/{ar}/actions/countersign", headers=boss, json={})
    assert waiting(logged_in, "supervisor") == {cp: ["classify", "return"], ar: ["return"]}

    client.post(f"/api/v1/records/{cp}/actions/return", headers=boss, json={"reason": "补订单号"})
    assert waiting(logged_in, "clerk") == {cp: ["complete"]}
    assert cp not in waiting(logged_in, "supervisor")


def test_the_navigation_counts_what_waits(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    boss, english = logged_in("supervisor"), {"Accept-Language": "en"}
    assert 'class="count"' not in boss.get("/forms").text
    for _ in range(3):
        submit(client, token_for("clerk"), "CP", VALID_CP)
    assert '<span class="count" aria-label="3 waiting">3</span>' in boss.get("/forms", headers=english).text
    assert '<span class="count" aria-label="3 条待办">3</span>' in boss.get("/forms").text
    assert "Nothing is waiting for you." in logged_in("clerk").get("/inbox", headers=english).text
