"""Working-time arithmetic on the office's calendar (issue 22, part E), at the edges the issue
names, on the shipped 2026 State Council schedule, plus properties of the arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from forms.working_time import OFFICE_ZONE, OfficeCalendar, default_calendar


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=OFFICE_ZONE)


CAL = default_calendar()


def test_received_at_half_past_five_before_national_day_runs_from_the_first_day_back() -> None:
    # 2026-09-30 (Wed) is the last working day; 1-7 October are off; 8 October works.
    received = local(2026, 9, 30, 17, 30, 0, 123456)
    assert CAL.add(received, 5) == local(2026, 10, 8, 15).astimezone(UTC)
    assert CAL.add(received, 8) == local(2026, 10, 9, 9, 30).astimezone(UTC)
    assert CAL.add(received, 12) == local(2026, 10, 9, 14, 30).astimezone(UTC)


def test_a_minute_before_closing_counts_that_minute() -> None:
    received = local(2026, 9, 30, 17, 29, 0, 123456)
    assert CAL.add(received, 5) == local(2026, 10, 8, 14, 59, 0, 123456).astimezone(UTC)


def test_an_adjusted_working_sunday_counts() -> None:
    # 2026-09-20 is a Sunday worked for the National Day holiday (调休).
    received = local(2026, 9, 19, 10, 0)  # a Saturday: nothing counts until Sunday 09:00
    assert CAL.add(received, 5) == local(2026, 9, 20, 15).astimezone(UTC)
    on_sunday = local(2026, 9, 20, 16, 45, 0, 500000)
    assert CAL.add(on_sunday, 1) == local(2026, 9, 21, 9, 15, 0, 500000).astimezone(UTC)


def test_an_ordinary_sunday_does_not_count() -> None:
    assert CAL.add(local(2026, 3, 7, 10), 1) == local(2026, 3, 9, 10).astimezone(UTC)


def test_across_midnight_and_the_lunch_break() -> None:
    received = local(2026, 3, 3, 16, 0, 0, 123456)  # Tuesday
    assert CAL.add(received, 5) == local(2026, 3, 4, 13, 30, 0, 123456).astimezone(UTC)


def test_across_the_year_end_into_the_new_year_holiday() -> None:
    # 2026-01-01..03 are off and Sunday 2026-01-04 is worked.
    received = local(2025, 12, 31, 16, 0)
    assert CAL.add(received, 5) == local(2026, 1, 4, 13, 30).astimezone(UTC)


def test_across_the_year_end_with_a_next_year_imported() -> None:
    # 2027 is not published: an office that imports a holiday on 1 January sees it respected.
    imported = OfficeCalendar(days={**CAL.days, date(2027, 1, 1): False})
    received = local(2026, 12, 31, 17, 0)
    assert imported.add(received, 1) == local(2027, 1, 4, 9, 30).astimezone(UTC)
    assert CAL.add(received, 1) == local(2027, 1, 1, 9, 30).astimezone(UTC)


def test_the_shipped_schedule_matches_the_notice() -> None:
    off = sorted(d for d, working in CAL.days.items() if not working)
    worked = sorted(d for d, working in CAL.days.items() if working)
    assert len(off) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert worked == [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
                      date(2026, 9, 20), date(2026, 10, 10)]


def test_on_the_system_clock() -> None:
    now = datetime.now(UTC)
    end = CAL.add(now, 5)
    assert end >= now and inside_working_time(end)
    assert CAL.working_between(now, end) == timedelta(hours=5)


moments = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 6, 1),
                       timezones=st.just(OFFICE_ZONE))
amounts = st.floats(min_value=0, max_value=200, allow_nan=False).map(lambda h: round(h, 4))


def inside_working_time(moment: datetime) -> bool:
    here = moment.astimezone(OFFICE_ZONE)
    return any(begin <= here.time().replace(tzinfo=None) <= end for begin, end in CAL.spans(here.date()))


@settings(max_examples=300, deadline=None)
@given(moments, amounts, amounts)
def test_adding_in_two_steps_equals_adding_at_once(start: datetime, h1: float, h2: float) -> None:
    assert CAL.add(CAL.add(start, h1), h2) == CAL.add(start, h1 + h2)


@settings(max_examples=300, deadline=None)
@given(moments, amounts)
def test_the_result_is_in_working_time_and_never_earlier(start: datetime, hours: float) -> None:
    end = CAL.add(start, hours)
    assert end >= start
    assert inside_working_time(end)
    assert abs(CAL.working_between(start, end) - timedelta(hours=hours)) < timedelta(microseconds=2)
