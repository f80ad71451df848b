"""Overdue is read from the deadline when a record is shown, with no ``workflow tick`` run
(issue 15, item 3), and an unclassified complaint runs on the strictest level's limit from
receipt (item 4). Every place that shows it is checked: the record page, the record list, the
inbox (sorted by deadline), the statistics page and CSV, and the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from archive.models import Record
from core.auth import accounts
from core.clock import FrozenClock, SystemClock
from core.web import services
from forms.working_time import OFFICE_ZONE
from tests.support.complaint_deadlines import complaint_due
from tests.support.instance import VALID_CP, login, make_app
from tests.support.lifecycle import step

T0 = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)  # 09:30:00.123456 in Shanghai, a Monday
#: Level 1's 5 working hours from T0 (the strictest, until classified): 2.5 h before lunch, 2.5 after.
DUE_T0 = datetime(2026, 3, 2, 15, 30, 0, 123456, tzinfo=OFFICE_ZONE)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


def submitted(client, token_for, received_at: datetime) -> str:  # type: ignore[no-untyped-def]
    made = client.post("/api/v1/records", headers=token_for("clerk"),
                       json={"form": "CP", "data": {**VALID_CP, "received_at": received_at.isoformat()}})
    assert made.status_code == 201, made.json
    return str(made.json["code"])


def stored_marks(app: Flask) -> list[datetime | None]:
    with app.app_context(), services().db.reading() as session:
        return list(session.scalars(select(Record.overdue_at)))


def test_an_unclassified_complaint_runs_on_the_strictest_limit_until_classified(app: Flask, client,  # type: ignore[no-untyped-def]
                                                                                token_for) -> None:
    code = submitted(client, token_for, T0)
    shown = client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json
    assert datetime.fromisoformat(shown["due_at"]) == DUE_T0 == complaint_due(T0)  # level 1's 5 hours
    step(app, code, "classify", "supervisor", {"cause_class": "quality", "level": "3",
                                               "responsible_department": "CS"})
    shown = client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json
    assert datetime.fromisoformat(shown["due_at"]) == complaint_due(T0, "3") == datetime(
        2026, 3, 3, 15, 0, 0, 123456, tzinfo=OFFICE_ZONE)  # 7 working hours on Monday, 5 on Tuesday


def test_eleven_days_late_shows_as_overdue_everywhere_without_a_tick(app: Flask, client, token_for,  # type: ignore[no-untyped-def]
                                                                     logged_in, clock: FrozenClock) -> None:
    on_time = submitted(client, token_for, T0)  # registered first, due in 5 hours
    late = submitted(client, token_for, T0 - timedelta(days=11, hours=5))  # received 11 days ago
    step(app, late, "classify", "supervisor", {"cause_class": "quality", "level": "1",
                                               "responsible_department": "CS"})
    assert stored_marks(app) == [None, None]  # nothing marked: no tick has run

    clerk, boss = logged_in("clerk"), logged_in("supervisor")
    page = clerk.get(f"/records/{late}", headers={"Accept-Language": "en"})
    assert "tag--overdue" in page.text
    assert "tag--overdue" not in clerk.get(f"/records/{on_time}").text
    listed = clerk.get("/records").text
    assert listed.count("tag--overdue") == 1 and listed.index(late) < listed.index("tag--overdue")

    inbox = clerk.get("/inbox").text  # the clerk investigates the classified one, nothing else
    assert late in inbox and "tag--overdue" in inbox
    boss_inbox = boss.get("/inbox").text  # the supervisor: classify on_time, countersign both
    assert boss_inbox.index(late) < boss_inbox.index(on_time)  # by deadline, not by arrival

    api = client.get(f"/api/v1/records/{late}", headers=token_for("clerk")).json
    assert api["overdue"] is True
    assert client.get(f"/api/v1/records/{on_time}", headers=token_for("clerk")).json["overdue"] is False

    csv_text = boss.get("/stats/complaints.csv?weeks=4").get_data(as_text=True)
    assert sum(int(line.split(",")[2]) for line in csv_text.splitlines()[1:]) == 1
    assert "1 (50.0%)" in boss.get("/stats/complaints?weeks=4").text

    clock.current = DUE_T0 + timedelta(microseconds=1)  # on_time's deadline has now passed too
    api = client.get(f"/api/v1/records/{on_time}", headers=token_for("clerk")).json
    assert api["overdue"] is True and stored_marks(app) == [None, None]


def test_met_in_time_stays_in_time_and_met_late_stays_overdue(app: Flask, client, token_for,  # type: ignore[no-untyped-def]
                                                              clock: FrozenClock) -> None:
    in_time, too_late = submitted(client, token_for, T0), submitted(client, token_for, T0)
    for code in (in_time, too_late):
        step(app, code, "classify", "supervisor", {"cause_class": "quality", "level": "1",
                                                   "responsible_department": "CS"})
        step(app, code, "investigate", "clerk", {"investigation": "抽查"})
    answer = {"root_cause": "包装", "corrective_action": "加衬垫", "customer_reply": "已告知"}
    clock.current = DUE_T0  # the boundary itself is in time
    step(app, in_time, "respond", "clerk", answer)
    clock.advance(microseconds=1)
    step(app, too_late, "respond", "clerk", answer)
    clock.advance(days=11)
    headers = token_for("clerk")
    assert client.get(f"/api/v1/records/{in_time}", headers=headers).json["overdue"] is False
    assert client.get(f"/api/v1/records/{too_late}", headers=headers).json["overdue"] is True


def test_the_tick_gives_a_deadline_to_complaints_registered_without_one(app: Flask, client,  # type: ignore[no-untyped-def]
                                                                       token_for) -> None:
    """Before item 4 an unclassified complaint had no deadline; the tick gives it one."""
    code = submitted(client, token_for, T0)
    with app.app_context(), services().db.transaction() as session:
        session.execute(update(Record).where(Record.code == code).values(due_at=None))
    result = app.test_cli_runner().invoke(args=["workflow", "tick"])
    assert result.exit_code == 0 and f"Deadline set for 1 record(s): {code}." in result.output
    shown = client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json
    assert datetime.fromisoformat(shown["due_at"]) == DUE_T0


def test_on_the_system_clock_a_late_complaint_is_overdue_and_the_jobs_run(app: Flask,  # type: ignore[no-untyped-def]
                                                                          instance_dir: Path) -> None:
    real = make_app(f"sqlite:///{instance_dir / 'dossier.sqlite3'}", SystemClock())
    try:
        client = real.test_client()
        with real.app_context():
            token = accounts.create_token(services().db, services().clock, "clerk", "test")
        headers = {"Authorization": f"Bearer {token}"}
        late = submitted(client, lambda _user: headers, datetime.now(UTC) - timedelta(days=11))
        fresh = submitted(client, lambda _user: headers, datetime.now(UTC))
        assert client.get(f"/api/v1/records/{late}", headers=headers).json["overdue"] is True
        assert client.get(f"/api/v1/records/{fresh}", headers=headers).json["overdue"] is False
        boss = real.test_client()
        login(boss, "supervisor")
        inbox = boss.get("/inbox").text
        assert inbox.index(late) < inbox.index(fresh)
        ran = real.test_cli_runner().invoke(args=["outbox", "run", "--once", "--jobs"]).output
        assert f"Job deadline_tick: ok: 0 deadline(s) set, 1 newly overdue: {late}" in ran
        assert "Job fixity_verify: ok: clean" in ran
    finally:
        with real.app_context():
            services().db.dispose()
