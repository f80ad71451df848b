"""Countersigning from the inbox in bulk: the records waiting for a countersignature are ticked
in one list and signed with one POST, each its own audited action, refusals named; the task
rows no longer carry a countersign link per record (issue 15, "pages that fit the work")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from archive.models import Record
from core.audit.models import AuditEvent
from core.clock import FrozenClock
from core.web import services
from tests.support.instance import VALID_CP, csrf_token
from tests.support.lifecycle import close_complaint, new_complaint

EN = {"Accept-Language": "en"}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC))


def countersign_list(page: str) -> dict[str, str]:
    """code → the revision its checkbox carries, from the inbox's countersign form."""
    form = page.split('id="countersign"', 1)[1].split("</form>", 1)[0]
    found = {}
    for part in form.split('name="record" value="')[1:]:
        code, _sep, revision = part.split('"', 1)[0].partition("@")
        found[code] = revision
    return found


def task_rows(page: str) -> dict[str, list[str]]:
    """code → the action names linked in the task table."""
    table = page.split('id="tasks"', 1)[1].split("</table>", 1)[0]
    found = {}
    for row in table.split("<tr>")[2:]:
        code = row.split('href="/records/', 1)[1].split('"', 1)[0]
        found[code] = [part.split('"', 1)[0] for part in row.split(f"/records/{code}/actions/")[1:]]
    return found


def countersigned(app, codes: list[str]) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    with app.app_context(), services().db.reading() as session:
        rows = session.execute(select(Record.code, Record.countersigned_at).where(Record.code.in_(codes)))
        return {code: at is not None for code, at in rows}


def test_three_records_are_countersigned_in_one_go(app, client, token_for, logged_in) -> None:  # type: ignore[no-untyped-def]
    codes = [client.post("/api/v1/records", headers=token_for("clerk"),
                         json={"form": "CP", "data": VALID_CP}).json["code"] for _ in range(3)]
    closed = new_complaint(app)
    close_complaint(app, closed, countersign=False)  # nothing left to do but the countersignature
    boss = logged_in("supervisor")
    page = boss.get("/inbox", headers=EN).text
    assert countersign_list(page) == {**{code: "1" for code in codes}, closed: "5"}
    rows = task_rows(page)
    assert closed not in rows  # not one more row for a countersignature
    assert all(rows[code] == ["classify", "return"] for code in codes)

    assert boss.post("/inbox/countersign", data={"record": [f"{c}@1" for c in codes]}).status_code == 400
    done = boss.post("/inbox/countersign", headers=EN, follow_redirects=True,
                     data={"csrf_token": csrf_token(page), "record": [f"{c}@1" for c in codes]})
    assert done.status_code == 200 and "Countersigned: " + ", ".join(codes) in done.text
    assert countersigned(app, [*codes, closed]) == {**{c: True for c in codes}, closed: False}
    assert countersign_list(done.text) == {closed: "5"}
    with app.app_context(), services().db.reading() as session:
        events = session.execute(select(AuditEvent.object_id, AuditEvent.actor_name).where(
            AuditEvent.action == "record.countersign")).all()
    assert sorted(events) == sorted((code, "supervisor") for code in codes)  # each its own action


def test_a_refused_record_is_named_and_the_others_are_signed(app, client, token_for, logged_in) -> None:  # type: ignore[no-untyped-def]
    first, second = (client.post("/api/v1/records", headers=token_for("clerk"),
                                 json={"form": "CP", "data": VALID_CP}).json["code"] for _ in range(2))
    boss = logged_in("supervisor")
    page = boss.get("/inbox", headers=EN).text
    client.post(f"/api/v1/records/{first}/actions/return", headers=token_for("supervisor"),
                json={"reason": "补订单号"})  # changed since the page was shown
    done = boss.post("/inbox/countersign", headers=EN, follow_redirects=True,
                     data={"csrf_token": csrf_token(page), "record": [f"{first}@1", f"{second}@1"]})
    assert f"Countersigned: {second}" in done.text
    assert f"{first}: Record {first} has changed since you opened it" in done.text
    assert countersigned(app, [first, second]) == {first: False, second: True}
    nothing = boss.post("/inbox/countersign", headers=EN, follow_redirects=True,
                        data={"csrf_token": csrf_token(page)})
    assert "Tick the records to countersign." in nothing.text
    # a refusal looks like one and is announced at once; a success is a polite status
    refused = '<div class="notice notice--error" role="alert">Tick the records to countersign.</div>'
    assert refused in nothing.text
    assert f'<div class="notice notice--success" role="status">Countersigned: {second}' in done.text


def test_the_inbox_countersign_list_in_chinese_and_for_a_clerk(app, client, token_for, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = client.post("/api/v1/records", headers=token_for("clerk"),
                       json={"form": "CP", "data": VALID_CP}).json["code"]
    page = logged_in("supervisor").get("/inbox").text
    assert "待阅签" in page and "阅签所选记录" in page and code in countersign_list(page)
    clerk = logged_in("clerk")
    assert 'id="countersign"' not in clerk.get("/inbox").text
    refused = clerk.post("/inbox/countersign", headers=EN, follow_redirects=True,
                         data={"csrf_token": csrf_token(clerk.get("/inbox").text),
                               "record": [f"{code}@1"]})
    assert f"{code}: " in refused.text and countersigned(app, [code]) == {code: False}


def test_the_same_in_bulk_over_the_api(app, client, token_for) -> None:  # type: ignore[no-untyped-def]
    clerk, boss = token_for("clerk"), token_for("supervisor")
    codes = [client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": VALID_CP}).json["code"]
             for _ in range(3)]
    seen = [{"code": codes[0], "revision": 1}, {"code": codes[1], "revision": 1},
            {"code": codes[2], "revision": 7}]  # not the revision it has
    answer = client.post("/api/v1/records/actions/countersign", headers=boss, json={"records": seen})
    assert answer.status_code == 200 and answer.json["done"] == codes[:2]
    assert "has changed since you opened it" in answer.json["refused"][codes[2]]
    assert countersigned(app, codes) == {codes[0]: True, codes[1]: True, codes[2]: False}
    refused = client.post("/api/v1/records/actions/countersign", headers=clerk,
                          json={"records": [{"code": codes[2], "revision": 1}]})
    assert refused.json["done"] == [] and codes[2] in refused.json["refused"]
