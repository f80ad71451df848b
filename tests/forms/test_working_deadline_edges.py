"""Working-time deadlines at the calendar's edges (CP v6), beyond the places test
(tests/forms/test_working_deadline_places.py: one deadline on page, API, receipt, inbox and
statistics at each edge): the arithmetic's properties for any start and any hours (hypothesis),
a pause across the National Day holiday, the year's end into 2027, whose schedule is not published
(weekends are off; New Year's Day counts until 2027 is imported, and importing it moves the
deadline), on frozen clocks carrying microseconds and once on the system clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.clock import FrozenClock, SystemClock
from core.web import services
from forms.deadlines import due_at, paused_hours_between
from forms.working_time import OFFICE_ZONE, default_calendar, install
from tests.support.complaint_deadlines import complaint_due, shipped_cp
from tests.support.instance import VALID_CP, login, make_app

CALENDAR = default_calendar()
CLASSIFIED = {"cause_class": "quality", "responsible_department": "CS"}


def within_working_time(moment: datetime) -> bool:
    """Inside one of its day's working spans, or at a span's very end."""
    local = moment.astimezone(OFFICE_ZONE)
    return any(begin <= local.time() <= end for begin, end in CALENDAR.spans(local.date()))


STARTS = st.datetimes(min_value=datetime(2025, 12, 20), max_value=datetime(2027, 2, 1),
                      timezones=st.just(UTC))
HOURS = st.floats(min_value=0, max_value=60, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(start=STARTS, hours=HOURS, more=HOURS)
def test_a_deadline_is_in_working_time_never_before_its_start_and_later_for_more_hours(
        start: datetime, hours: float, more: float) -> None:
    due = CALENDAR.add(start, hours)
    assert due >= start
    assert within_working_time(due), (start, hours, due)
    assert CALENDAR.add(start, hours + more) >= due  # monotone in the hours
    counted = CALENDAR.working_between(start, due)
    assert abs(counted - timedelta(hours=hours)) <= timedelta(microseconds=1)


@settings(max_examples=200, deadline=None)
@given(start=STARTS, level=st.sampled_from([None, "1", "2", "3"]))
def test_the_complaints_deadline_is_the_calendars_arithmetic(start: datetime, level: str | None) -> None:
    data = {"received_at": start.astimezone(OFFICE_ZONE).isoformat(), **({"level": level} if level else {})}
    hours = {"1": 5, "2": 8, "3": 12}[level or "1"]
    due = due_at(shipped_cp(), data, calendar=CALENDAR)
    assert due == CALENDAR.add(start, hours) and due is not None and within_working_time(due)
    assert due_at(shipped_cp(), data, paused_hours=1.5, calendar=CALENDAR) == CALENDAR.add(start, hours + 1.5)


def test_a_pause_across_national_day_adds_only_the_working_time_waited() -> None:
    paused = datetime(2026, 9, 30, 17, 0, 0, 123456, tzinfo=OFFICE_ZONE)
    answered = datetime(2026, 10, 8, 10, 0, 0, 123456, tzinfo=OFFICE_ZONE)
    waited = paused_hours_between(shipped_cp(), paused, answered, calendar=CALENDAR)
    assert waited == pytest.approx(1.5)  # 17:00:00.123456-17:30 and 09:00-10:00:00.123456
    data = {"received_at": "2026-09-30T16:00:00+08:00"}  # 1 h and 0.123456 s run before the pause
    # the rest from 10:00:00.123456 on the 8th: to 12:00, then 2 h after lunch
    assert due_at(shipped_cp(), data, paused_hours=waited, calendar=CALENDAR) == datetime(
        2026, 10, 8, 15, tzinfo=OFFICE_ZONE)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 12, 31, 17, 0, 5, 654321, tzinfo=OFFICE_ZONE))


@pytest.fixture
def shipped_calendar_after() -> Iterator[None]:
    yield
    install(None)


def test_into_a_year_without_a_schedule_weekends_are_off_until_its_schedule_is_imported(  # type: ignore[no-untyped-def]
        app, client, token_for, tmp_path: Path, shipped_calendar_after) -> None:
    received = datetime(2026, 12, 31, 17, 0, 0, 750000, tzinfo=OFFICE_ZONE)
    codes = []
    for level in ("1", "3"):
        code = client.post("/api/v1/records", headers=token_for("clerk"), json={"form": "CP", "data": {
            **VALID_CP, "received_at": received.isoformat()}}).json["code"]
        assert client.post(f"/api/v1/records/{code}/actions/classify", headers=token_for("supervisor"),
                           json={"fields": {**CLASSIFIED, "level": level}}).status_code == 200
        codes.append(code)

    def due(code: str) -> datetime:
        shown = client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json
        return datetime.fromisoformat(shown["due_at"])

    # no 2027 rows: Friday 1 January works; Saturday and Sunday do not
    assert due(codes[0]) == datetime(2027, 1, 1, 14, 30, 0, 750000, tzinfo=OFFICE_ZONE)
    assert due(codes[1]) == datetime(2027, 1, 4, 14, 0, 0, 750000, tzinfo=OFFICE_ZONE)
    schedule = tmp_path / "2027.csv"
    schedule.write_text("date,kind,name\n2027-01-01,holiday,元旦\n", encoding="utf-8")
    done = app.test_cli_runner().invoke(args=["calendar", "import", str(schedule), "--apply",
                                              "--by", "admin"])
    assert done.exit_code == 0, done.output
    assert due(codes[0]) == datetime(2027, 1, 4, 14, 30, 0, 750000, tzinfo=OFFICE_ZONE)  # 4.5 h on Monday
    assert due(codes[1]) == datetime(2027, 1, 5, 14, 0, 0, 750000, tzinfo=OFFICE_ZONE)


def test_on_the_system_clock_a_complaint_received_now_is_due_in_working_time(  # type: ignore[no-untyped-def]
        instance_dir, template_db) -> None:
    import shutil

    from core.auth import accounts

    database = instance_dir / "dossier.sqlite3"
    shutil.copy(template_db, database)
    real = make_app(f"sqlite:///{database}", SystemClock())
    try:
        with real.app_context():
            token = accounts.create_token(services().db, services().clock, "clerk", "t")
        headers = {"Authorization": f"Bearer {token}"}
        client = real.test_client()
        received = datetime.now(UTC)
        code = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": {
            **VALID_CP, "received_at": received.isoformat()}}).json["code"]
        shown = client.get(f"/api/v1/records/{code}", headers=headers).json
        due = datetime.fromisoformat(shown["due_at"])
        assert due == complaint_due(received) and due > received and within_working_time(due)
        assert shown["overdue"] is False
        login(client, "clerk")
        assert f"{due.astimezone(OFFICE_ZONE):%Y-%m-%d %H:%M}" in client.get(f"/records/{code}").text
    finally:
        with real.app_context():
            services().db.dispose()
