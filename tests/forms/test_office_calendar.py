"""The office calendar in use: a spec's `clock = "working"` deadline, warn_at for part F, the
schedule file (problems named by line, never an exception), and the admin-only, audited changes
and `flask calendar import` on the real test database."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.auth.roles import PermissionDenied
from core.web import services
from forms import office_calendar
from forms.calendar_file import parse_schedule
from forms.deadlines import due_at, warn_at
from forms.spec.library import SPEC_DIR
from forms.spec.parser import SpecError, parse_spec
from forms.working_time import OFFICE_ZONE, default_calendar, install
from tests.support.complaint_deadlines import v5_spec
from tests.support.instance import actor_of

BEFORE_NATIONAL_DAY = {"received_at": "2026-09-30T17:30:00.123456+08:00"}


def cp_spec(**deadline: object):  # the shipped CP with its deadline table changed
    raw = tomllib.loads((Path(SPEC_DIR) / "CP.toml").read_text(encoding="utf-8"))
    raw["workflow"]["deadline"].update(deadline)
    return parse_spec(raw, "CP (test)")


def test_versions_before_the_working_clock_keep_the_wall_clock() -> None:
    spec = v5_spec()  # CP v5 as shipped before v6: no clock key
    assert spec.workflow.deadline.clock == "calendar"
    assert due_at(spec, BEFORE_NATIONAL_DAY) == datetime(2026, 9, 30, 14, 30, 0, 123456, tzinfo=UTC)
    assert cp_spec().workflow.deadline.clock == "working"  # the shipped v6


def test_a_working_clock_deadline_waits_out_the_holiday() -> None:
    spec = cp_spec(clock="working")
    assert due_at(spec, BEFORE_NATIONAL_DAY) == datetime(2026, 10, 8, 15, tzinfo=OFFICE_ZONE)
    level_3 = {**BEFORE_NATIONAL_DAY, "level": "3"}
    assert due_at(spec, level_3) == datetime(2026, 10, 9, 14, 30, tzinfo=OFFICE_ZONE)


def test_warn_at_is_a_fraction_of_working_time() -> None:
    spec = cp_spec(clock="working")
    received = {"received_at": "2026-03-03T16:00:00+08:00"}  # 1.5 h that Tuesday
    assert warn_at(spec, received, 0.8) == datetime(2026, 3, 4, 11, 30, tzinfo=OFFICE_ZONE)  # 4 h
    assert warn_at(spec, received, 1.0) == due_at(spec, received)
    assert warn_at(v5_spec(), received, 0.8) == datetime(2026, 3, 3, 20, 0, tzinfo=OFFICE_ZONE)
    assert warn_at(spec, {}, 0.8) is None


def test_an_unknown_clock_is_refused_naming_it() -> None:
    with pytest.raises(SpecError, match="clock 'sundial'"):
        cp_spec(clock="sundial")


def test_the_file_names_each_problem_by_line_and_field() -> None:
    text = "# note\ndate,kind,name\n2026-13-01,holiday,x\n2026-10-01,party,国庆\n2026-10-01,holiday,\n"
    days, problems = parse_schedule(text)
    assert days == []
    assert [(p.line, p.field) for p in problems] == [(3, "date"), (4, "kind"), (5, "name")]
    twice = "date,kind,name\n2026-10-01,holiday,国庆\n2026-10-01,holiday,国庆\n"
    assert parse_schedule(twice)[1][0].line == 3


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_parsed_or_refused_by_line(text: str) -> None:
    days, problems = parse_schedule("date,kind,name\n" + text)
    lines = len(("date,kind,name\n" + text).splitlines())
    assert all(1 <= p.line <= lines and p.field for p in problems)
    assert all(isinstance(d.day, date) and d.name for d in days)


def test_a_change_is_admin_only_audited_and_used(app: Flask) -> None:
    with app.app_context():
        db, clock = services().db, services().clock
        with pytest.raises(PermissionDenied):
            office_calendar.set_day(db, clock, actor_of(app, "clerk"), date(2026, 3, 4), False, "x")
        office_calendar.set_day(db, clock, actor_of(app, "admin"), date(2026, 3, 4), False, "停电")
        try:
            spec = cp_spec(clock="working")
            assert due_at(spec, {"received_at": "2026-03-03T16:00:00+08:00"}) == datetime(
                2026, 3, 5, 13, 30, tzinfo=OFFICE_ZONE)
            with db.reading() as session:
                object_id = session.scalars(select(AuditEvent.object_id).where(
                    AuditEvent.action == "calendar.days_set")).one()
            assert object_id == "2026-03-04..2026-03-04"
        finally:
            install(None)


def test_import_is_a_dry_run_unless_applied(app: Flask, tmp_path: Path) -> None:
    schedule = tmp_path / "2027.csv"
    schedule.write_text("date,kind,name\n2027-01-01,holiday,元旦\n", encoding="utf-8")
    runner = app.test_cli_runner()
    try:
        dry = runner.invoke(args=["calendar", "import", str(schedule), "--lang", "en"])
        assert dry.exit_code == 0 and "Dry run: 1 day(s)" in dry.output
        with app.app_context():
            assert office_calendar.reload(services().db).days.get(date(2027, 1, 1)) is None
        done = runner.invoke(args=["calendar", "import", str(schedule), "--apply", "--by", "admin"])
        assert done.exit_code == 0, done.output
        with app.app_context():
            assert office_calendar.reload(services().db).days[date(2027, 1, 1)] is False
        schedule.write_text("date,kind,name\n2027-01-0x,holiday,元旦\n", encoding="utf-8")
        bad = runner.invoke(args=["calendar", "import", str(schedule), "--lang", "en"])
        assert bad.exit_code == 1 and "Line 2, date" in bad.output and "Traceback" not in bad.output
        chinese = runner.invoke(args=["calendar", "import", str(schedule), "--lang", "zh"])
        assert "第 2 行，date：不是形如 2026-10-01 的日期" in chinese.output
    finally:
        install(None)


def test_the_shipped_calendar_is_the_default() -> None:
    assert default_calendar().days[date(2026, 10, 1)] is False


@pytest.mark.parametrize(("locale", "shown"), [
    ("zh", ["第 2 行：应有 3 个值（date,kind,name）", "第 1 行：表头必须是 date,kind,name"]),
    ("en", ["Line 2: expected 3 values (date,kind,name)", "Line 1: the header must be date,kind,name"])])
def test_a_line_or_header_problem_reads_in_the_pages_language(app: Flask, locale: str,
                                                              shown: list[str]) -> None:
    """'line' and 'header' are not the file's columns: the preview said '第 8 行，line：…' on a
    Chinese page. A column's problem still names its column (date, kind, name: the file's own)."""
    with app.test_request_context(), force_locale(locale):
        wrong_count = parse_schedule("date,kind,name\n2027-02-08,workday\n")[1]
        wrong_header = parse_schedule("day,kind,name\n")[1]
        column = parse_schedule("date,kind,name\n2027-02-06,holday,春节\n")[1]
        assert [str(p) for p in wrong_count + wrong_header] == shown
        assert "kind" in str(column[0]) and "2" in str(column[0])
