"""A deadline paused while the complaint waits for the customer (CP v6: ``pause =
["awaiting_customer"]``): while it waits no deadline runs (due_at null, not overdue, not due
today, not told to anyone), the record page says since when it is paused in both languages, the
inbox, the desk API and the receipt say the same; when the customer answers the time waited is
added (working hours on a working clock, wall hours otherwise) and the deadline runs again. A
complaint already late when it starts waiting stays late. The spec's ``pause`` is checked like the
rest of the deadline table, and migration 0031 goes down and up again."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import inspect, select

from archive.models import Record
from core import db_schema
from core.auth import accounts
from core.clock import FrozenClock, SystemClock
from core.web import services
from forms import office_calendar, versions
from forms.spec.library import SPEC_DIR
from forms.spec.parser import SpecError, parse_spec
from forms.statistics import complaint_stats
from forms.working_time import OFFICE_ZONE, install
from tests.support.complaint_deadlines import complaint_due
from tests.support.html_form import form_values
from tests.support.instance import VALID_CP, actor_of, make_app
from tests.support.legacy_sheets import CP_HEADERS, cp_row, run_import, write_xlsx
from tests.support.pdf import text_of

T0 = datetime(2026, 3, 2, 9, 30, 0, 123456, tzinfo=OFFICE_ZONE)  # a plain Monday morning
RECEIVED = datetime.fromisoformat(VALID_CP["received_at"])  # 09:00 that Monday: due 15:00
CLASSIFIED = {"cause_class": "quality", "level": "1", "responsible_department": "CS"}
ENGLISH, CHINESE = {"Accept-Language": "en"}, {"Accept-Language": "zh-CN"}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


def shipped_raw() -> dict[str, Any]:
    return tomllib.loads((SPEC_DIR / "CP.toml").read_text(encoding="utf-8"))


def api(client, token_for, code: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return dict(client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json)


def act(client, token_for, code: str, action: str, who: str = "clerk", fields: dict[str, Any] | None = None,  # type: ignore[no-untyped-def]
        reason: str = "") -> dict[str, Any]:
    response = client.post(f"/api/v1/records/{code}/actions/{action}", headers=token_for(who),
                           json={"fields": fields or {}, **({"reason": reason} if reason else {})})
    assert response.status_code == 200, response.json
    return dict(response.json)


def classified(client, token_for, data: dict[str, Any] | None = None) -> str:  # type: ignore[no-untyped-def]
    made = client.post("/api/v1/records", headers=token_for("clerk"),
                       json={"form": "CP", "data": data or VALID_CP})
    assert made.status_code == 201, made.json
    act(client, token_for, made.json["code"], "classify", "supervisor", CLASSIFIED)
    return str(made.json["code"])


def overdue_in_statistics(app: Flask) -> int:
    with app.app_context():
        s = services()
        return complaint_stats(s.db, s.clock, s.zone, actor_of(app, "admin"), weeks=2, locale="en").overdue


def tick(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["workflow", "tick"])
    assert result.exit_code == 0, result.output
    return str(result.output)


# --- the spec ------------------------------------------------------------------------------

@pytest.mark.parametrize(("pause", "problem"), [
    (["waiting"], "pause: state 'waiting' is not declared in workflow.states"),
    (["registered"], "pause: 'registered' is the initial state"),
    (["responded"], "pause: 'responded' meets the deadline (met)"),
    ("awaiting_customer", "pause must list states"),
    ([1], "pause must list states"),
    (["awaiting_customer", "awaiting_customer"], "pause: a state is listed twice"),
])
def test_pause_mistakes_in_a_spec_are_named(pause: object, problem: str) -> None:
    raw = shipped_raw()
    raw["workflow"]["deadline"]["pause"] = pause
    with pytest.raises(SpecError) as refused:
        parse_spec(raw, "CP.toml")
    found = refused.value.problems
    assert any(line.startswith(f"CP.toml: workflow.deadline: {problem}") for line in found), found


def test_the_shipped_complaint_pauses_while_waiting_for_the_customer() -> None:
    deadline = parse_spec(shipped_raw(), "CP.toml").workflow.deadline
    assert deadline is not None and (deadline.clock, deadline.pause) == ("working", ("awaiting_customer",))


# --- one pause, every place -------------------------------------------------------------------

def test_waiting_for_the_customer_pauses_the_deadline_everywhere_and_adds_the_working_time_waited(  # type: ignore[no-untyped-def]
        app, client, clock, token_for, logged_in) -> None:
    code = classified(client, token_for)
    clock.current = datetime(2026, 3, 2, 10, 0, 0, 250000, tzinfo=OFFICE_ZONE)  # 1 h of 5 run, 4 left
    waiting = act(client, token_for, code, "await_customer", reason="请客户寄回不良样品")
    assert (waiting["state"], waiting["due_at"], waiting["overdue"]) == ("awaiting_customer", None, False)
    assert datetime.fromisoformat(waiting["deadline_paused_at"]) == clock.current

    clock.current = datetime(2026, 3, 4, 11, 0, 0, 500000, tzinfo=OFFICE_ZONE)  # Wednesday: long past 15:00
    shown = api(client, token_for, code)
    assert (shown["due_at"], shown["overdue"]) == (None, False)
    assert "Marked" not in tick(app) and overdue_in_statistics(app) == 0
    clerk = logged_in("clerk")
    english = clerk.get(f"/records/{code}", headers=ENGLISH).text
    assert "Waiting for the customer" in english and "Paused" in english
    assert "since 2026-03-02 10:00" in english and "tag--overdue" not in english
    chinese = clerk.get(f"/records/{code}", headers=CHINESE).text
    assert "待客户补充资料" in chinese and "已暂停计时" in chinese and "自 2026-03-02 10:00 起" in chinese
    receipt = text_of(clerk.get(f"/records/{code}.pdf?variant=receipt").data)
    assert "已暂停计时（自 2026-03-02 10:00 起" in receipt and "2026-03-02 15:00" not in receipt
    inbox = clerk.get("/inbox", headers=ENGLISH).text  # the clerk records the customer's answer
    row = inbox.split(code, 1)[1].split("</tr>", 1)[0]
    assert "The customer has answered" in row and "Answer due: Paused · 2026-03-02 10:00" in row
    assert "tag--overdue" not in row
    listed = client.get("/api/v1/records?form=CP", headers=token_for("clerk")).json["records"]
    [item] = [r for r in listed if r["code"] == code]
    assert (item["due_at"], item["overdue"]) == (None, False)
    paused_at = datetime.fromisoformat(waiting["deadline_paused_at"])
    assert datetime.fromisoformat(item["deadline_paused_at"]) == paused_at
    desk = client.get("/api/v1/inbox", headers=token_for("clerk")).json["tasks"]
    [task] = [t for t in desk if t["code"] == code]
    assert (task["due_at"], task["overdue"], task["actions"]) == (None, False, ["customer_answered"])
    assert datetime.fromisoformat(task["deadline_paused_at"]) == datetime(2026, 3, 2, 10, 0, 0, 250000,
                                                                          tzinfo=OFFICE_ZONE)

    answered = act(client, token_for, code, "customer_answered", fields={"investigation": "样品已收到"})
    # 3 h 59 min 59.75 s were left; the customer answered at 11:00:00.5 on Wednesday: 59 min
    # 59.5 s to 12:00, the rest after lunch (the working time waited, 16 h 0.25 s, was added)
    due = datetime(2026, 3, 4, 16, 0, 0, 250000, tzinfo=OFFICE_ZONE)
    assert (answered["state"], answered["deadline_paused_at"]) == ("investigating", None)
    assert answered["overdue"] is False
    assert datetime.fromisoformat(answered["due_at"]) == due
    page = clerk.get(f"/records/{code}", headers=ENGLISH).text
    assert "2026-03-04 16:00" in page and "Paused" not in page
    assert "2026-03-04 16:00" in text_of(clerk.get(f"/records/{code}.pdf?variant=receipt").data)
    clock.current = due
    assert "Marked" not in tick(app) and overdue_in_statistics(app) == 0  # the boundary is in time
    clock.current = due + timedelta(microseconds=1)
    assert f"Marked 1 record(s) overdue: {code}." in tick(app) and overdue_in_statistics(app) == 1
    assert api(client, token_for, code)["overdue"] is True


def test_pauses_add_up(app, client, clock, token_for) -> None:  # type: ignore[no-untyped-def]
    code = classified(client, token_for)
    for paused, answered in ((11, 14), (15, 16)):  # 2 working hours (lunch off), then 1
        clock.current = datetime(2026, 3, 2, paused, 0, tzinfo=OFFICE_ZONE)
        act(client, token_for, code, "await_customer", reason="等客户回复")
        clock.current = datetime(2026, 3, 2, answered, 0, tzinfo=OFFICE_ZONE)
        act(client, token_for, code, "customer_answered", fields={"investigation": "已回复"})
    with app.app_context(), services().db.reading() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        assert (record.deadline_paused_hours, record.deadline_paused_at) == (3.0, None)
    shown = api(client, token_for, code)  # Monday 09:00 + 5 + 3 working hours: Monday's 7.5, then 0.5
    assert datetime.fromisoformat(shown["due_at"]) == datetime(2026, 3, 3, 9, 30, tzinfo=OFFICE_ZONE)


def test_a_weekend_waited_adds_nothing_on_a_working_clock(app, client, clock, token_for) -> None:  # type: ignore[no-untyped-def]
    friday = {**VALID_CP, "received_at": "2026-03-06T16:00:00+08:00"}  # 1.5 h that Friday
    code = classified(client, token_for, friday)
    before = datetime.fromisoformat(api(client, token_for, code)["due_at"])
    assert before == datetime(2026, 3, 9, 13, 30, tzinfo=OFFICE_ZONE)  # 3.5 h on Monday
    clock.current = datetime(2026, 3, 6, 17, 0, tzinfo=OFFICE_ZONE)
    act(client, token_for, code, "await_customer", reason="周末等客户回复")
    clock.current = datetime(2026, 3, 9, 10, 0, tzinfo=OFFICE_ZONE)
    answered = act(client, token_for, code, "customer_answered", fields={"investigation": "客户周一回复"})
    # Friday's last half hour and Monday's first hour waited: 1.5 h; the weekend adds nothing
    assert datetime.fromisoformat(answered["due_at"]) == datetime(2026, 3, 9, 15, 0, tzinfo=OFFICE_ZONE)


def test_a_complaint_already_late_stays_late_when_it_starts_waiting(app, client, clock, token_for,  # type: ignore[no-untyped-def]
                                                                   logged_in) -> None:
    code = classified(client, token_for)
    due = complaint_due(RECEIVED)
    clock.current = due  # the very moment it falls due: no time is left to pause
    at_boundary = act(client, token_for, code, "await_customer", reason="等客户回复")
    assert (at_boundary["deadline_paused_at"], datetime.fromisoformat(at_boundary["due_at"])) == (None, due)
    clock.current = due + timedelta(microseconds=1)
    assert api(client, token_for, code)["overdue"] is True
    clock.advance(days=2)
    answered = act(client, token_for, code, "customer_answered", fields={"investigation": "已回复"})
    assert answered["overdue"] is True and datetime.fromisoformat(answered["due_at"]) == due
    late = classified(client, token_for)  # received 09:00 Monday too, now two days late
    waiting = act(client, token_for, late, "await_customer", reason="等客户回复")
    assert (waiting["deadline_paused_at"], waiting["overdue"]) == (None, True)
    page = logged_in("clerk").get(f"/records/{late}", headers=ENGLISH).text
    assert "tag--overdue" in page and "Paused" not in page
    assert overdue_in_statistics(app) == 2


def test_a_wall_clock_deadline_adds_the_wall_hours_waited(app, client, clock, token_for) -> None:  # type: ignore[no-untyped-def]
    raw = shipped_raw()
    raw["version"] += 1
    del raw["workflow"]["deadline"]["clock"]  # the wall clock, with the pause
    spec = parse_spec(raw, "CP (wall clock with a pause, test)")
    with app.app_context():
        s = services()
        versions.register_specs(s.db, s.clock, {"CP": spec})
        versions.approve(s.db, s.clock, actor_of(app, "admin"), "CP", spec.version)
    code = classified(client, token_for)  # due 14:00: 5 wall hours from 09:00
    clock.current = datetime(2026, 3, 2, 13, 0, 0, 1, tzinfo=OFFICE_ZONE)
    act(client, token_for, code, "await_customer", reason="等客户回复")
    clock.current = datetime(2026, 3, 3, 1, 0, 0, 1, tzinfo=OFFICE_ZONE)  # 12 wall hours later, at night
    answered = act(client, token_for, code, "customer_answered", fields={"investigation": "已回复"})
    assert answered["version"] == spec.version
    assert datetime.fromisoformat(answered["due_at"]) == datetime(2026, 3, 3, 2, 0, tzinfo=OFFICE_ZONE)


@pytest.fixture
def shipped_calendar_after() -> Iterator[None]:
    """A calendar change is held for the process too (forms.working_time.install): put back."""
    yield
    install(None)


def test_a_calendar_change_leaves_a_paused_deadline_paused_and_the_tick_leaves_it_alone(  # type: ignore[no-untyped-def]
        app, client, clock, token_for, shipped_calendar_after) -> None:
    code = classified(client, token_for)
    clock.current = datetime(2026, 3, 2, 10, 0, tzinfo=OFFICE_ZONE)
    act(client, token_for, code, "await_customer", reason="等客户回复")
    with app.app_context():
        s = services()
        office_calendar.set_day(s.db, s.clock, actor_of(app, "admin"), date(2026, 3, 3), False, "停电")
    assert api(client, token_for, code)["due_at"] is None
    clock.advance(days=1)
    assert "Deadline set" not in tick(app) and api(client, token_for, code)["due_at"] is None
    clock.current = datetime(2026, 3, 4, 9, 0, tzinfo=OFFICE_ZONE)  # Tuesday was made a holiday:
    answered = act(client, token_for, code, "customer_answered", fields={"investigation": "已回复"})
    # 6.5 working hours waited (Monday's from 10:00), so the 4 left run from Wednesday 09:00
    assert datetime.fromisoformat(answered["due_at"]) == datetime(2026, 3, 4, 14, 0, tzinfo=OFFICE_ZONE)


# --- the migration and the system clock ------------------------------------------------------

@pytest.mark.parametrize("engine", [pytest.param("app", id="sqlite"),
                                    pytest.param("pg_app", id="postgresql", marks=pytest.mark.postgres)])
def test_migration_0031_goes_down_and_up_and_a_waiting_complaint_is_paused_again(  # type: ignore[no-untyped-def]
        request, engine, clock) -> None:
    app = request.getfixturevalue(engine)
    client = app.test_client()

    def token_for(username: str) -> dict[str, str]:
        with app.app_context():
            token = accounts.create_token(services().db, services().clock, username, "t")
        return {"Authorization": f"Bearer {token}"}

    code = classified(client, token_for)
    clock.current = datetime(2026, 3, 2, 10, 0, tzinfo=OFFICE_ZONE)
    act(client, token_for, code, "await_customer", reason="等客户回复")
    with app.app_context():
        db = services().db
        command.downgrade(db_schema.alembic_config(db), "0030")
        columns = {c["name"] for c in inspect(db.engine).get_columns("records")}
        assert not {"deadline_paused_at", "deadline_paused_hours"} & columns
        db_schema.upgrade(db)
        assert db_schema.is_current(db)
        assert {"deadline_paused_at", "deadline_paused_hours"} <= {
            c["name"] for c in inspect(db.engine).get_columns("records")}
    assert api(client, token_for, code)["due_at"] is None  # the pause's start was lost with the column
    clock.current = datetime(2026, 3, 2, 11, 0, tzinfo=OFFICE_ZONE)
    assert tick(app)  # the tick pauses it again from now: it is still waiting for the customer
    assert datetime.fromisoformat(api(client, token_for, code)["deadline_paused_at"]) == clock.current


def test_on_the_system_clock_a_pause_stops_and_restarts_the_deadline(instance_dir, template_db) -> None:  # type: ignore[no-untyped-def]
    import shutil

    database = instance_dir / "dossier.sqlite3"
    shutil.copy(template_db, database)
    real = make_app(f"sqlite:///{database}", SystemClock())
    try:
        with real.app_context():
            s = services()
            headers, boss = ({"Authorization": f"Bearer {accounts.create_token(s.db, s.clock, who, 't')}"}
                             for who in ("clerk", "supervisor"))
        client = real.test_client()
        now = datetime.now(UTC)
        code = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": {
            **VALID_CP, "received_at": now.isoformat()}}).json["code"]
        first = client.post(f"/api/v1/records/{code}/actions/classify", headers=boss,
                            json={"fields": CLASSIFIED}).json["due_at"]
        waiting = client.post(f"/api/v1/records/{code}/actions/await_customer", headers=headers,
                              json={"reason": "等客户回复"}).json
        assert waiting["due_at"] is None and now <= datetime.fromisoformat(waiting["deadline_paused_at"])
        answered = client.post(f"/api/v1/records/{code}/actions/customer_answered", headers=headers,
                               json={"fields": {"investigation": "已回复"}}).json
        assert answered["deadline_paused_at"] is None and answered["overdue"] is False
        assert datetime.fromisoformat(answered["due_at"]) >= datetime.fromisoformat(first)
    finally:
        with real.app_context():
            services().db.dispose()


def test_an_imported_complaint_waiting_for_the_customer_is_paused_from_the_import(  # type: ignore[no-untyped-def]
        app, client, clock, token_for, tmp_path) -> None:
    """A register's complaint in 待客户补充资料 is paused from the moment it is imported, as one
    entering that state is, unless its deadline had passed already: then it stays late."""
    book = write_xlsx(tmp_path / "register.xlsx", {"CP": [
        CP_HEADERS,
        cp_row("CP-2026-000040", datetime(2026, 3, 2, 9, 0), 状态="待客户补充资料"),  # due 15:00 today
        cp_row("CP-2026-000041", datetime(2026, 2, 2, 9, 0), 状态="待客户补充资料"),  # a month late
    ]})
    status, output = run_import(app, book, "--commit", "--lang", "en")
    assert status == 0, output
    fresh, late = api(client, token_for, "CP-2026-000040"), api(client, token_for, "CP-2026-000041")
    assert (fresh["state"], fresh["due_at"], fresh["overdue"]) == ("awaiting_customer", None, False)
    assert datetime.fromisoformat(fresh["deadline_paused_at"]) == T0
    assert (late["deadline_paused_at"], late["overdue"]) == (None, True)
    assert "Deadline set" not in tick(app)
    clock.current = datetime(2026, 3, 2, 10, 30, 0, 123456, tzinfo=OFFICE_ZONE)  # an hour waited
    answered = act(client, token_for, "CP-2026-000040", "customer_answered", "supervisor",
                   {"investigation": "客户已寄回样品"})
    assert datetime.fromisoformat(answered["due_at"]) == datetime(2026, 3, 2, 16, 0, tzinfo=OFFICE_ZONE)


@pytest.mark.parametrize(("headers", "words"), [
    (ENGLISH, {"wait": "Wait for the customer", "answered": "The customer has answered",
               "state": "Waiting for the customer", "reason": "A reason is required", "paused": "Paused"}),
    (CHINESE, {"wait": "等待客户补充资料", "answered": "客户已补充资料", "state": "待客户补充资料",
               "reason": "此操作须填写理由", "paused": "已暂停计时"}),
])
def test_the_pages_take_the_pause_in_both_languages(app, client, token_for, logged_in,  # type: ignore[no-untyped-def]
                                                    headers, words) -> None:
    code = classified(client, token_for)
    clerk = logged_in("clerk")
    record = clerk.get(f"/records/{code}", headers=headers).text
    assert words["wait"] in record  # offered on the record page, though not an inbox task
    form = clerk.get(f"/records/{code}/actions/await_customer", headers=headers)
    assert form.status_code == 200 and words["wait"] in form.text
    unexplained = clerk.post(f"/records/{code}/actions/await_customer", headers=headers,
                             data={**form_values(form.text), "reason": ""})
    assert unexplained.status_code == 422 and words["reason"] in unexplained.text
    done = clerk.post(f"/records/{code}/actions/await_customer", headers=headers,
                      data={**form_values(form.text), "reason": "请客户补充发票"}, follow_redirects=True)
    assert done.status_code == 200 and words["state"] in done.text and words["paused"] in done.text
    listed = clerk.get("/records", headers=headers).text
    assert words["state"] in listed and "tag--overdue" not in listed
    answer = clerk.get(f"/records/{code}/actions/customer_answered", headers=headers)
    assert answer.status_code == 200 and words["answered"] in answer.text
    back = clerk.post(f"/records/{code}/actions/customer_answered", headers=headers, follow_redirects=True,
                      data={**form_values(answer.text), "investigation": "发票已补"})
    assert back.status_code == 200 and words["paused"] not in back.text
