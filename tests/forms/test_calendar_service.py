"""The office calendar's services under the admin page (issue 22): typed dates and hours read or
refused naming the bad value (hypothesis: any text, never another exception), the service's own
checks (admins first, then the values), the year as the page shows it, an uploaded file's
preview and its bytes (empty, binary, too large), the revision every change moves, and a second
application on the same database noticing a change before its next request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from archive.models import Record
from core.audit.models import AuditEvent
from core.auth import accounts
from core.auth.roles import PermissionDenied
from core.clock import FrozenClock, SystemClock
from core.problems import FieldProblems
from core.web import services
from forms import office_calendar
from forms.calendar_file import MAX_BYTES, UnreadableFile, decode_schedule
from forms.calendar_input import MAX_SPANS, parse_day, parse_hours
from forms.working_time import OFFICE_ZONE, OfficeCalendar, default_calendar, install
from tests.support.calendar import register_working_cp, working_complaint
from tests.support.instance import actor_of, make_app

#: Monday 2 March 2026, 09:00 in the office: 5 working hours run to 15:00 the same day.
RECEIVED = "2026-03-02T09:00:00.250000+08:00"
MONDAY_1500 = datetime(2026, 3, 2, 15, 0, 0, 250000, tzinfo=OFFICE_ZONE)
TUESDAY_1500 = datetime(2026, 3, 3, 15, tzinfo=OFFICE_ZONE)  # a holiday Monday: from 09:00 sharp


@pytest.fixture(autouse=True)
def _process_calendar_back() -> object:
    yield
    install(None)  # code outside an application falls back to this process-wide calendar


def refused(call: Callable[[], object]) -> dict[str, str]:
    with pytest.raises(FieldProblems) as caught:
        call()
    return caught.value.errors


def stored_calendar(app: Flask) -> OfficeCalendar:
    """The calendar as the database holds it now (read afresh, held nowhere)."""
    with app.app_context(), services().db.reading() as session:
        return office_calendar.load(session)


def in_app(app: Flask, call: Callable[[], object]) -> object:
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        return call()


# --- typed values ----------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "expected"), [
    ("2026-10-01", date(2026, 10, 1)), (" 2026/10/1 ", date(2026, 10, 1)),
    ("２０２６－１０－０１", date(2026, 10, 1)), ("2024-02-29", date(2024, 2, 29))])
def test_a_date_is_read_as_people_type_it(app: Flask, typed: str, expected: date) -> None:
    assert in_app(app, lambda: parse_day(typed)) == expected


@pytest.mark.parametrize(("typed", "words"), [
    ("2026-02-30", "“2026-02-30” is not a date: 2026-02 has 28 days."),
    ("2024-02-30", "2024-02 has 29 days"),
    ("2026-04-31", "2026-04 has 30 days"),
    ("2026-13-01", "there is no month 13"),
    ("1999-12-31", "the year must be from 2000 to 2100"),
    ("tomorrow", "“tomorrow” is not a date such as 2026-10-01."),
    ("", "Enter a date such as 2026-10-01."),
    ("x" * 500, "Type at most 200 characters."),
])
def test_a_bad_date_is_refused_naming_it(app: Flask, typed: str, words: str) -> None:
    errors = in_app(app, lambda: refused(lambda: parse_day(typed)))
    assert words in errors["day"]


def test_a_bad_date_is_named_in_chinese(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        message = refused(lambda: parse_day("2026-02-30"))["day"]
    assert "2026-02-30" in message and "28" in message and "days" not in message


@pytest.mark.parametrize("typed", [
    "09:00-12:00, 13:00-17:30", "9:00 - 12:00，13：00–17：30", "13:00-17:30 09:00-12:00",
    "09:00~12:00、13:00至17:30", "０９：００－１２：００; 13:00-17:30"])
def test_hours_are_read_as_people_type_them(app: Flask, typed: str) -> None:
    assert in_app(app, lambda: parse_hours(typed)) == [(time(9), time(12)), (time(13), time(17, 30))]


@pytest.mark.parametrize(("typed", "words"), [
    ("25:00-26:00", "“25:00” is not a time of day (00:00 to 23:59)."),
    ("09:60-12:00", "“09:60” is not a time of day"),
    ("12:00-09:00", "“12:00-09:00”: the start must be before the end."),
    ("09:00-09:00", "the start must be before the end"),
    ("09:00-12:00, 11:00-13:00", "09:00-12:00 and 11:00-13:00 overlap."),
    ("nine to five", "“nine” is not a span of working hours such as 09:00-12:00."),
    ("9-12", "“9” is not a time such as 09:00."),
    ("09:00-12:00-13:00", "“09:00-12:00-13:00” is not a span"),
    (", ".join(f"{h:02d}:00-{h:02d}:30" for h in range(MAX_SPANS + 1)), "At most 6 spans a day."),
])
def test_bad_hours_are_refused_naming_the_value(app: Flask, typed: str, words: str) -> None:
    assert words in in_app(app, lambda: refused(lambda: parse_hours(typed)))["hours"]


def test_no_hours_is_a_day_off(app: Flask) -> None:
    assert in_app(app, lambda: parse_hours("  ")) == []


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80) | st.from_regex(r"[0-9:\-~,， ]{0,40}", fullmatch=True))
def test_any_typed_hours_are_spans_in_order_or_refused(typed: str) -> None:
    try:
        spans = parse_hours(typed)
    except FieldProblems as problem:
        assert set(problem.errors) == {"hours"} and problem.errors["hours"]
        return
    assert all(begin < end for begin, end in spans)
    assert all(a[1] <= b[0] for a, b in pairwise(spans))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.times(), st.times()), max_size=4))
def test_well_formed_spans_round_trip(pairs: list[tuple[time, time]]) -> None:
    typed = ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in pairs)
    try:
        spans = parse_hours(typed)
    except FieldProblems:
        cut = [(a.replace(second=0, microsecond=0), b.replace(second=0, microsecond=0)) for a, b in pairs]
        ordered = sorted(cut)
        assert any(a >= b for a, b in cut) or any(x[1] > y[0] for x, y in pairwise(ordered))
        return
    assert spans == sorted((a.replace(second=0, microsecond=0), b.replace(second=0, microsecond=0))
                           for a, b in pairs)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=30) | st.from_regex(r"\d{1,5}-\d{1,3}-\d{1,3}", fullmatch=True))
def test_any_typed_date_is_a_date_in_range_or_refused(typed: str) -> None:
    try:
        day = parse_day(typed)
    except FieldProblems as problem:
        assert set(problem.errors) == {"day"} and problem.errors["day"]
        return
    assert 2000 <= day.year <= 2100


# --- the uploaded file's bytes ---------------------------------------------------------------


@pytest.mark.parametrize(("data", "words"), [
    (b"", "The file is empty."), (b"\n \n", "The file is empty."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8 text"),
    ("date,kind,name\n2027-01-01,holiday,元旦\n".encode("gbk"), "not UTF-8 text"),
    (b"date,kind,name\n\x00", "not UTF-8 text"),
    (b"date,kind,name\n" + b"2027-01-01,holiday,x\n" * (MAX_BYTES // 20), "larger than 64 KB"),
])
def test_an_unreadable_file_is_named(app: Flask, data: bytes, words: str) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(UnreadableFile) as caught:
        decode_schedule(data)
    assert words in str(caught.value)


def test_a_byte_order_mark_is_dropped() -> None:
    assert decode_schedule("\ufeffdate,kind,name\n".encode()) == "date,kind,name\n"


# --- changes: admins first, then the values, audited ----------------------------------------


@pytest.mark.parametrize("who", ["clerk", "supervisor", "archivist", "auditor"])
def test_only_admins_change_or_read_it_whatever_they_send(app: Flask, who: str) -> None:
    actor = actor_of(app, who)
    with app.app_context():
        s = services()
        for call in (lambda: office_calendar.set_hours(s.db, s.clock, actor, 9, [(time(12), time(9))]),
                     lambda: office_calendar.set_day(s.db, s.clock, actor, date(1, 1, 1), True, ""),
                     lambda: office_calendar.remove_day(s.db, s.clock, actor, date(2026, 10, 1)),
                     lambda: office_calendar.apply(s.db, s.clock, actor, [], via="test"),
                     lambda: office_calendar.year_view(s.db, actor, 2026),
                     lambda: office_calendar.preview(s.db, actor, "")):
            with pytest.raises(PermissionDenied):
                call()
        with s.db.reading() as session:
            assert office_calendar.revision(session) == 0


def test_the_service_refuses_bad_values_itself(app: Flask) -> None:
    admin = actor_of(app, "admin")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = services()
        assert "Monday to Sunday" in refused(
            lambda: office_calendar.set_hours(s.db, s.clock, admin, 7, []))["weekday"]
        assert "“12:00-09:00”" in refused(lambda: office_calendar.set_hours(
            s.db, s.clock, admin, 0, [(time(12), time(9))]))["hours"]
        assert "overlap" in refused(lambda: office_calendar.set_hours(
            s.db, s.clock, admin, 0, [(time(9), time(12)), (time(11), time(13))]))["hours"]
        assert "name" in refused(
            lambda: office_calendar.set_day(s.db, s.clock, admin, date(2026, 5, 6), False, " "))
        assert "day" in refused(
            lambda: office_calendar.set_day(s.db, s.clock, admin, date(1999, 5, 6), False, "x"))
        assert "file" in refused(lambda: office_calendar.apply(s.db, s.clock, admin, [], via="test"))
        with s.db.reading() as session:
            assert office_calendar.revision(session) == 0  # nothing refused was written


def test_each_change_is_audited_moves_the_revision_and_reschedules(
        configured_app: Callable[..., Flask]) -> None:
    app = configured_app(FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)))
    register_working_cp(app)
    code = working_complaint(app, RECEIVED)
    admin = actor_of(app, "admin")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = services()

        def due() -> datetime:
            with s.db.reading() as session:
                return session.scalar(select(Record.due_at).where(Record.code == code))

        def revision() -> int:
            with s.db.reading() as session:
                return office_calendar.revision(session)

        assert due() == MONDAY_1500 and revision() == 0
        assert office_calendar.set_day(s.db, s.clock, admin, date(2026, 3, 2), False, "停电") == [code]
        first = revision()
        assert due() == TUESDAY_1500 and first > 0
        assert office_calendar.set_day(s.db, s.clock, admin, date(2026, 3, 2), False, "停电") == []
        assert revision() > first  # audited again, though no deadline moved
        assert office_calendar.remove_day(s.db, s.clock, admin, date(2026, 3, 2)) == [code]
        assert due() == MONDAY_1500
        before = revision()
        assert office_calendar.remove_day(s.db, s.clock, admin, date(2026, 3, 2)) == []
        assert revision() == before  # nothing to remove: nothing written
        assert office_calendar.set_hours(s.db, s.clock, admin, 0, [(time(9), time(12))]) == [code]
        assert due() == datetime(2026, 3, 3, 11, 0, 0, 250000, tzinfo=OFFICE_ZONE)  # 3 h Mon, 2 h Tue
        with s.db.reading() as session:
            events = session.execute(select(AuditEvent.action, AuditEvent.object_id, AuditEvent.actor_name)
                                     .where(AuditEvent.action.like("calendar.%")).order_by(AuditEvent.seq)).all()
        assert [tuple(e) for e in events] == [
            ("calendar.days_set", "2026-03-02..2026-03-02", "admin"),
            ("calendar.days_set", "2026-03-02..2026-03-02", "admin"),
            ("calendar.day_removed", "2026-03-02", "admin"),
            ("calendar.hours_set", "weekday 0", "admin")]


def test_on_the_system_clock_a_holiday_on_the_due_day_moves_the_deadline(
        configured_app: Callable[..., Flask]) -> None:
    app = configured_app(SystemClock())
    register_working_cp(app)
    received = datetime.now(UTC) - timedelta(minutes=1)
    code = working_complaint(app, received.isoformat())
    admin = actor_of(app, "admin")
    with app.app_context():
        s = services()
        with s.db.reading() as session:
            before = session.scalar(select(Record.due_at).where(Record.code == code))
        assert before == stored_calendar(app).add(received, 5)
        due_day = before.astimezone(OFFICE_ZONE).date()
        assert office_calendar.set_day(s.db, s.clock, admin, due_day, False, "停电") == [code]
        with s.db.reading() as session:
            after = session.scalar(select(Record.due_at).where(Record.code == code))
        assert after > before and after.astimezone(OFFICE_ZONE).date() > due_day
        assert after == stored_calendar(app).add(received, 5)


# --- reading: the year, a file's preview -----------------------------------------------------


def test_the_year_shows_shipped_days_and_the_offices_own(app: Flask) -> None:
    admin = actor_of(app, "admin")
    with app.test_request_context():
        s = services()
        office_calendar.set_day(s.db, s.clock, admin, date(2026, 10, 1), True, "值班")
        office_calendar.set_day(s.db, s.clock, admin, date(2026, 3, 4), False, "停电")
        office_calendar.set_hours(s.db, s.clock, admin, 5, [(time(9), time(12))])
        view = office_calendar.year_view(s.db, admin, 2026)
    by_day = {entry.day: entry for entry in view.days}
    assert (by_day[date(2026, 10, 2)].source, by_day[date(2026, 10, 2)].name) == ("shipped", "国庆节")
    national = by_day[date(2026, 10, 1)]
    assert (national.source, national.working, national.shipped.name) == ("office", True, "国庆节")
    assert by_day[date(2026, 3, 4)].shipped is None
    assert [(row.spans, row.own) for row in view.hours][4:] == [
        (((time(9), time(12)), (time(13), time(17, 30))), False), (((time(9), time(12)),), True), ((), False)]
    assert [month for month, entries in view.months() if entries][:2] == [1, 2]
    assert all(entry.day.year == 2026 for entry in view.days)


def test_a_preview_says_what_each_line_changes_and_writes_nothing(app: Flask) -> None:
    admin = actor_of(app, "admin")
    text = ("# 2027\ndate,kind,name\n2026-10-01,holiday,国庆节\n2026-10-02,workday,值班\n"
            "2027-01-01,holiday,元旦\n2027-02-30,holiday,x\n")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        s = services()
        checked = office_calendar.preview(s.db, admin, text)
        assert [(c.row.day.isoformat(), c.kind) for c in checked.changes] == [
            ("2026-10-01", "same"), ("2026-10-02", "changed"), ("2027-01-01", "new")]
        assert [(p.line, p.field) for p in checked.problems] == [(6, "date")] and not checked.can_apply
        with s.db.reading() as session:
            assert office_calendar.revision(session) == 0


# --- a second application on the same database ----------------------------------------------


def second_server_sees_the_change(first: Flask, second: Flask) -> None:
    """``second`` (another server on ``first``'s database) computes a deadline on the calendar it
    loaded, is not made to read the calendar again while nothing changes, and after an admin's
    change on ``first`` reads it once more and computes the next deadline on the new calendar."""
    register_working_cp(first)
    with second.app_context():
        token = accounts.create_token(services().db, services().clock, "clerk", "test")
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    body = {"form": "CP", "data": {"channel": "phone", "received_at": RECEIVED, "customer_name": "双机",
                                   "phone": "13800138000", "complaint": "第二台服务器"}}
    client = second.test_client()
    before = client.post("/api/v1/records", headers=headers, json=body).json
    assert datetime.fromisoformat(before["due_at"]) == MONDAY_1500  # the second one has loaded it

    reads: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        reads.append(statement)

    with second.app_context():
        engine = services().db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get("/api/v1/calendar", headers=headers)
        assert any("audit_events" in statement for statement in reads)  # the revision was asked
        assert not [s for s in reads if "office_calendar_days" in s]  # unchanged: not read again
        with first.app_context():
            s = services()
            office_calendar.set_day(s.db, s.clock, actor_of(first, "admin"), date(2026, 3, 2), False, "停电")
        after = client.post("/api/v1/records", headers=headers, json=body).json
        assert len([s for s in reads if "office_calendar_days" in s]) == 1  # changed: read once more
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert datetime.fromisoformat(after["due_at"]) == TUESDAY_1500


def test_a_second_server_notices_a_change_before_its_next_request(
        configured_app: Callable[..., Flask]) -> None:
    clock = FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC))
    first = configured_app(clock)
    second = make_app(first.config["DATABASE_URL"], clock)
    try:
        second_server_sees_the_change(first, second)
    finally:
        with second.app_context():
            services().db.dispose()


@pytest.mark.postgres
def test_a_second_server_on_postgresql_notices_a_change(pg_app: Flask) -> None:
    second = make_app(pg_app.config["DATABASE_URL"], SystemClock())
    try:
        second_server_sees_the_change(pg_app, second)
    finally:
        with second.app_context():
            services().db.dispose()


def test_outside_any_application_the_installed_calendar_counts() -> None:
    install(OfficeCalendar(days={date(2026, 3, 2): False}))
    from forms.working_time import current
    assert current().days == {date(2026, 3, 2): False}
    install(None)
    assert current() is default_calendar()
