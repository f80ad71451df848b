"""The record page's actions and history, and the action pages, as a person uses them."""

from __future__ import annotations

from sqlalchemy import select

from archive.models import Record
from core.web import services
from tests.support.html_form import form_values
from tests.support.instance import VALID_CP, csrf_token


def a_complaint(client, token_for) -> str:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/records", headers=token_for("clerk"),
                           json={"form": "CP", "data": {**VALID_CP, "quantity": 120}})
    return str(response.json["code"])


def test_the_supervisor_countersigns_returns_and_the_clerk_completes(app, client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = a_complaint(client, token_for)
    boss, clerk = logged_in("supervisor"), logged_in("clerk")
    page = boss.get(f"/records/{code}", headers={"Accept-Language": "zh-CN"})
    assert "主管阅签" in page.text and "分类定级" in page.text and "退回补充" in page.text
    assert "主管阅签" not in clerk.get(f"/records/{code}", headers={"Accept-Language": "zh-CN"}).text

    no_csrf = boss.post(f"/records/{code}/actions/countersign", data={"revision": "1"})
    assert no_csrf.status_code == 400
    signed = boss.post(f"/records/{code}/actions/countersign",
                       data={"csrf_token": csrf_token(page.text), "revision": "1"})
    assert signed.status_code == 302
    page = boss.get(f"/records/{code}")
    assert "Supervisor (supervisor)" in page.text and ">Countersign<" not in page.text

    form = boss.get(f"/records/{code}/actions/return")
    assert form.mimetype == "text/html"
    assert 'name="reason"' in form.text and 'name="complaint"' not in form.text
    empty = boss.post(f"/records/{code}/actions/return", data={**form_values(form.text), "reason": ""})
    assert empty.status_code == 422 and empty.mimetype == "text/html" and 'href="#reason"' in empty.text
    done = boss.post(f"/records/{code}/actions/return", data={**form_values(form.text), "reason": "缺订单号"})
    assert done.status_code == 302
    returned = clerk.get(f"/records/{code}")
    assert "缺订单号" in returned.text and "panel--warning" in returned.text

    complete = clerk.get(f"/records/{code}/actions/complete")
    values = form_values(complete.text)
    assert values["customer_name"] == VALID_CP["customer_name"] and values["quantity"] == "120"
    values["order_no"] = "SO-2026-0815"
    assert clerk.post(f"/records/{code}/actions/complete", data=values).status_code == 302
    with app.app_context(), services().db.reading() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        changed = {k for k in record.data.keys() | VALID_CP.keys() if record.data.get(k) != {
            **VALID_CP, "quantity": 120}.get(k)}
    assert changed == {"order_no"}  # everything else came back exactly as stored (times included)
    history = clerk.get(f"/records/{code}").text
    assert "SO-2026-0815" in history and "<ins>" in history


def test_a_stale_page_is_refused_and_says_so(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = a_complaint(client, token_for)
    boss = logged_in("supervisor")
    form = boss.get(f"/records/{code}/actions/classify")
    assert 'name="level"' in form.text and 'name="complaint"' not in form.text
    values = {**form_values(form.text), "cause_class": "quality", "level": "1",
              "responsible_department": "CS"}
    client.post(f"/api/v1/records/{code}/actions/countersign", headers=token_for("supervisor"), json={})
    stale = boss.post(f"/records/{code}/actions/classify", data=values, follow_redirects=True,
                      headers={"Accept-Language": "en"})
    assert "has changed since you opened it" in stale.text
    record_page = boss.get(f"/records/{code}", headers={"Accept-Language": "en"})
    assert "Classified" not in record_page.text.split("History")[0]


def test_a_stale_page_keeps_what_was_typed_for_a_second_look(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    """Someone else changed the record meanwhile: the page comes back with the record as it is
    now and the typed values and reason kept (the walk of issue 17 lost a typed reason); sending
    it again takes the action on the revision now shown."""
    code = a_complaint(client, token_for)
    boss = logged_in("supervisor")
    page = boss.get(f"/records/{code}/actions/return")
    typed = {**form_values(page.text), "reason": "请补充订单号和购买日期"}
    client.post(f"/api/v1/records/{code}/actions/countersign", headers=token_for("supervisor"), json={})
    again = boss.post(f"/records/{code}/actions/return", data=typed, headers={"Accept-Language": "en"})
    assert again.status_code == 409
    assert "It is shown as it is now, with what you typed: check it and submit again." in again.text
    assert form_values(again.text)["reason"] == "请补充订单号和购买日期"
    assert int(form_values(again.text)["revision"]) == int(typed["revision"]) + 1
    done = boss.post(f"/records/{code}/actions/return", data=form_values(again.text))
    assert done.status_code == 302
    assert "请补充订单号和购买日期" in boss.get(f"/records/{code}").text


def test_actions_outside_ones_reach_are_refused(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = a_complaint(client, token_for)
    assert logged_in("clerk").get(f"/records/{code}/actions/classify").status_code == 403
    assert logged_in("sales_boss").get(f"/records/{code}/actions/countersign").status_code == 403


def test_a_follow_up_row_is_added_on_the_action_page(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    data = {"visit_date": "2026-02-20", "customer_name": "周女士", "phone": "13700001111", "needs": "三居室",
            "receiving_staff": "sales"}
    code = client.post("/api/v1/records", headers=token_for("sales"),
                       json={"form": "VR", "data": data}).json["code"]
    sales = logged_in("sales")
    first = sales.get(f"/records/{code}/actions/follow_up")
    values = {**form_values(first.text), "follow_ups-0-date": "2026-02-25", "follow_ups-0-method": "phone",
              "follow_ups-0-notes": "约周末看房"}
    assert sales.post(f"/records/{code}/actions/follow_up", data=values).status_code == 302
    second = sales.get(f"/records/{code}/actions/follow_up")
    assert 'name="follow_ups-1-date"' not in second.text
    widened = sales.post(f"/records/{code}/actions/follow_up",
                         data={**form_values(second.text), "action": "add_row:follow_ups"})
    assert widened.status_code == 200 and 'name="follow_ups-1-date"' in widened.text
    values = {**form_values(widened.text), "follow_ups-1-date": "2026-03-01", "follow_ups-1-method": "visit"}
    assert sales.post(f"/records/{code}/actions/follow_up", data=values).status_code == 302
    record = client.get(f"/api/v1/records/{code}", headers=token_for("sales")).json
    assert [row["date"] for row in record["data"]["follow_ups"]] == ["2026-02-25", "2026-03-01"]
    assert record["flags"] == {"follow_ups_owed": 1}
