"""Each page shows the fields of the step at hand: registration asks what is known then, a step
its own fields beside the record it works on, and a returned record's filler sees the return
reason and cannot change another role's fields (issue 15, item 5 and "pages that fit the work")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from archive.models import Record
from core.clock import FrozenClock
from core.web import services
from forms import steps
from forms.versions import current_specs
from tests.support.html_form import form_values
from tests.support.instance import VALID_CP
from tests.support.pdf import text_of

CLASSIFIED = {"cause_class": "quality", "level": "2", "responsible_department": "CS"}
LATER_STEPS = ("cause_class", "level", "responsible_department", "investigation", "root_cause",
               "corrective_action", "customer_reply", "customer_accepted")
EN, ZH = {"Accept-Language": "en"}, {"Accept-Language": "zh-CN"}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC))


def returned_complaint(client, token_for, reason: str = "订单号漏填，请补充") -> str:  # type: ignore[no-untyped-def]
    """A complaint classified at level 2 by the supervisor, then returned to the clerk."""
    boss = token_for("supervisor")
    code = client.post("/api/v1/records", headers=token_for("clerk"),
                       json={"form": "CP", "data": VALID_CP}).json["code"]
    assert client.post(f"/api/v1/records/{code}/actions/classify", headers=boss,
                       json={"fields": CLASSIFIED}).status_code == 200
    assert client.post(f"/api/v1/records/{code}/actions/return", headers=boss,
                       json={"reason": reason}).status_code == 200
    return str(code)


def stored(app, code: str) -> tuple[dict, datetime | None]:  # type: ignore[no-untyped-def]
    """The record's stored data and response deadline."""
    with app.app_context(), services().db.reading() as session:
        return session.execute(select(Record.data, Record.due_at).where(Record.code == code)).one()


def test_registration_fields_are_those_no_step_names(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        cp = current_specs(services().db)["CP"]
    asked = {f.name for f in steps.registration(cp).fields}
    assert asked.isdisjoint(LATER_STEPS)
    assert {"channel", "received_at", "customer_name", "phone", "complaint", "order_no"} <= asked


def test_the_completion_page_shows_the_reason_and_the_supervisors_fields_read_only(app, client, token_for,
                                                                                   logged_in):  # type: ignore[no-untyped-def]
    code = returned_complaint(client, token_for)
    due = stored(app, code).due_at
    assert due is not None
    clerk = logged_in("clerk")
    page = clerk.get(f"/records/{code}/actions/complete", headers=ZH).text
    assert "订单号漏填，请补充" in page and "退回补充" in page
    assert 'name="level"' not in page and 'name="cause_class"' not in page
    assert "二级（需协调部门）" in page  # shown, as the supervisor set it
    assert 'name="order_no"' in page
    values = {**form_values(page), "order_no": "SO-2026-0815", "level": "3"}  # a hand-made POST
    assert clerk.post(f"/records/{code}/actions/complete", data=values).status_code == 302
    record = stored(app, code)
    assert record.data["order_no"] == "SO-2026-0815" and record.data["level"] == "2"
    assert record.due_at == due
    english = clerk.get(f"/records/{code}/actions/correct", headers=EN).text
    assert "Level 2 (needs other departments)" in english and 'name="level"' not in english


def test_over_the_api_the_filler_cannot_change_the_supervisors_fields(app, client, token_for) -> None:  # type: ignore[no-untyped-def]
    code = returned_complaint(client, token_for)
    clerk = token_for("clerk")
    offered = client.get(f"/api/v1/records/{code}/actions", headers=clerk).json["actions"]
    assert [a["name"] for a in offered] == ["complete"]
    assert "level" not in offered[0]["fields"] and "order_no" in offered[0]["fields"]
    refused = client.post(f"/api/v1/records/{code}/actions/complete", headers=clerk,
                          json={"fields": {"level": "3", "order_no": "SO-1"}})
    assert refused.status_code == 422 and set(refused.json["fields"]) == {"level"}
    assert "cannot change this field" in refused.json["fields"]["level"]
    assert stored(app, code).data["level"] == "2"
    done = client.post(f"/api/v1/records/{code}/actions/complete", headers=clerk,
                       json={"fields": {"order_no": "SO-1"}})
    assert done.status_code == 200 and done.json["data"]["level"] == "2"
    corrected = client.post(f"/api/v1/records/{code}/actions/correct", headers=clerk,
                            json={"fields": {"level": "1"}, "reason": "改级"})
    assert corrected.status_code == 422 and set(corrected.json["fields"]) == {"level"}
    boss = client.post(f"/api/v1/records/{code}/actions/correct", headers=token_for("supervisor"),
                       json={"fields": {"level": "1"}, "reason": "实为一级"})
    assert boss.status_code == 200 and boss.json["data"]["level"] == "1"


def test_a_registration_cannot_carry_a_later_steps_fields(app, client, token_for) -> None:  # type: ignore[no-untyped-def]
    """Over the API a clerk could register a complaint already classified, choosing its level
    and so its deadline; the registration is refused naming each such field, in either language."""
    clerk = token_for("clerk")
    for headers, words in ((EN, "filled in at the step “Classify”"), (ZH, "“分类定级”")):
        refused = client.post("/api/v1/records", headers={**clerk, **headers},
                              json={"form": "CP", "data": {**VALID_CP, **CLASSIFIED}})
        assert refused.status_code == 422
        assert set(refused.json["fields"]) == set(CLASSIFIED)
        assert words in refused.json["fields"]["level"]
    with app.app_context(), services().db.reading() as session:
        assert session.scalar(select(Record.code)) is None or all(
            "level" not in r.data for r in session.scalars(select(Record)))
    unasked = {**VALID_CP, "level": ""}  # an empty later-step field is no answer: accepted
    assert client.post("/api/v1/records", headers=clerk,
                       json={"form": "CP", "data": unasked}).status_code == 201


def test_the_fill_page_asks_only_what_is_known_at_registration(logged_in) -> None:  # type: ignore[no-untyped-def]
    clerk = logged_in("clerk")
    for headers in (ZH, EN):
        page = clerk.get("/forms/CP/new", headers=headers).text
        assert 'name="complaint"' in page and 'name="phone"' in page
        for name in LATER_STEPS:
            assert f'name="{name}"' not in page, name


def test_the_classify_page_shows_the_complaint_it_classifies(client, token_for, logged_in) -> None:  # type: ignore[no-untyped-def]
    data = {**VALID_CP, "complaint": "外箱压痕，三件划伤"}
    created = client.post("/api/v1/records", headers=token_for("clerk"), json={"form": "CP", "data": data})
    code = created.json["code"]
    for headers, channel in ((ZH, "电话"), (EN, "Phone")):
        page = logged_in("supervisor").get(f"/records/{code}/actions/classify", headers=headers).text
        assert "外箱压痕，三件划伤" in page and "上海恒丰" in page and channel in page
        assert 'name="level"' in page and 'name="complaint"' not in page
        assert 'name="investigation"' not in page


def test_a_step_prints_once_filled(client, token_for, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = client.post("/api/v1/records", headers=token_for("clerk"),
                       json={"form": "CP", "data": VALID_CP}).json["code"]
    clerk = logged_in("clerk")
    registered = text_of(clerk.get(f"/records/{code}.pdf").data)
    assert "投诉内容" in registered and "订单编号" in registered  # a registration blank still prints
    assert "客诉等级" not in registered and "调查情况" not in registered
    client.post(f"/api/v1/records/{code}/actions/classify", headers=token_for("supervisor"),
                json={"fields": CLASSIFIED})
    classified = text_of(clerk.get(f"/records/{code}.pdf").data)
    assert "客诉等级" in classified and "二级（需协调部门）" in classified and "调查情况" not in classified


def test_the_return_reason_stays_in_sight_after_a_countersignature(app, client, token_for, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = returned_complaint(client, token_for, reason="请补充订单号和料号")
    assert client.post(f"/api/v1/records/{code}/actions/countersign", headers=token_for("supervisor"),
                       json={}).status_code == 200  # a countersignature after the return
    clerk = logged_in("clerk")
    for path in (f"/records/{code}", f"/records/{code}/actions/complete"):
        page = clerk.get(path, headers=ZH).text
        assert "请补充订单号和料号" in page and "panel--warning" in page, path
    client.post(f"/api/v1/records/{code}/actions/complete", headers=token_for("clerk"),
                json={"fields": {"order_no": "SO-1"}})
    assert "请补充订单号和料号" not in clerk.get(f"/records/{code}", headers=ZH).text.split("<h2")[0]


def test_the_record_page_lists_a_later_steps_fields_once_filled(client, token_for, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = client.post("/api/v1/records", headers=token_for("clerk"),
                       json={"form": "CP", "data": VALID_CP}).json["code"]
    boss = logged_in("supervisor")

    def contents() -> str:
        page = boss.get(f"/records/{code}", headers=ZH).text
        return page.split("<h2>内容</h2>", 1)[1].split("<h2", 1)[0]

    registered = contents()
    assert "投诉内容" in registered and "订单编号" in registered  # an empty registration field shows
    assert "客诉等级" not in registered and "调查情况" not in registered
    client.post(f"/api/v1/records/{code}/actions/classify", headers=token_for("supervisor"),
                json={"fields": CLASSIFIED})
    classified = contents()
    assert "客诉等级" in classified and "二级（需协调部门）" in classified and "调查情况" not in classified
