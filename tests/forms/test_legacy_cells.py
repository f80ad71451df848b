"""Property tests of the legacy import's cell readers: whatever a register's cells hold (text,
numbers, booleans, Excel dates and times, nothing), checking a row of the test form PT (one
field of every type) and of the shipped forms never raises: it gives row problems, each with a
message, or data that the one authoritative check accepts as it is (an imported value is valid
exactly as a typed one)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.web import services
from forms.legacy.checking import RowChecker
from forms.legacy.columns import sheet_layout
from forms.legacy.people import load_directory
from forms.legacy.scans import ScanFolder
from forms.legacy.sheets import Row, Sheet
from forms.spec.model import FormSpec
from forms.validation import validate
from forms.versions import current_specs
from tests.support.field_values import TEST_FORM, install_test_form

NOW = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)

CELLS = st.one_of(
    st.none(), st.text(max_size=40), st.integers(), st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True), st.dates(), st.datetimes(), st.times(),
    st.sampled_from(["是", "否", "2015-03-01", "2015/3/1 14:30", "2015年3月1日", "13800138000", "CS",
                     "clerk", "VR-2015-000001", "电话", "a | b | c", '[{"date": "2015-01-01"}]', "[1, 2]",
                     "../x.jpg", "0", "1e400", "Ⅻ", "\x00", "\ud800"]),
)


def examples(n: int) -> settings:
    return settings(max_examples=n, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def checker(app: Flask, specs: dict[str, FormSpec], tmp_path: Any) -> RowChecker:
    s = services()
    return RowChecker(specs, load_directory(s.db), s.zone, NOW, ScanFolder(tmp_path), "en")


def assert_row_outcome(spec: FormSpec, found: Any) -> None:
    for problem in found.problems:
        assert problem.message and isinstance(problem.message, str)
    if found.row is not None:
        assert not found.problems
        users = {v for k, v in found.row.data.items() if k in found.row.people} | set(
            load_directory(services().db).user_ids)
        assert validate(spec, found.row.data, users=users, zone=services().zone) == found.row.data


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_any_cells_of_every_field_type_give_data_or_row_problems(app: Flask, tmp_path: Any,
                                                                 locale: str) -> None:
    install_test_form(app)
    headers = ("date", "code", "state", "scan", *(f.name for f in TEST_FORM.fields))

    @examples(150)
    @given(cells=st.lists(CELLS, min_size=len(headers), max_size=len(headers) + 2))
    def check(cells: list[Any]) -> None:
        with app.app_context(), force_locale(locale):
            sheet = Sheet("PT", headers, 1, iter(()))
            layout = sheet_layout(sheet, {"PT": TEST_FORM}, locale)
            found = checker(app, {"PT": TEST_FORM}, tmp_path).check(layout, Row(2, tuple(cells)))
            assert_row_outcome(TEST_FORM, found)

    check()


def test_any_cells_of_the_shipped_forms_by_their_chinese_labels(app: Flask, tmp_path: Any) -> None:
    with app.app_context():
        specs = {code: spec for code, spec in current_specs(services().db).items() if not spec.system}

    @examples(120)
    @given(form=st.sampled_from(sorted(specs)), cells=st.lists(CELLS, min_size=1, max_size=30),
           when=st.one_of(st.dates(min_value=date(1899, 1, 1)), st.datetimes(), st.text(max_size=12)))
    def check(form: str, cells: list[Any], when: Any) -> None:
        spec = specs[form]
        headers = ("日期", "原编号", "填写人", "部门", *(f.label["zh"] for f in spec.fields))
        row = (when, *cells, *[None] * (len(headers) - 1 - len(cells)))[: len(headers)]
        with app.app_context(), force_locale("zh"):
            layout = sheet_layout(Sheet(form, headers, 1, iter(())), specs, "zh")
            assert_row_outcome(spec, checker(app, specs, tmp_path).check(layout, Row(2, row)))

    check()


@pytest.mark.parametrize("cell", [datetime(2015, 3, 1, 14, 30), date(2015, 3, 1), "2015-03-01 14:30",
                                  "2015/3/1 14:30", "2015年3月1日 14:30"])
def test_a_record_date_reads_the_way_it_is_written(app: Flask, tmp_path: Any, cell: Any) -> None:
    with app.app_context():
        specs = current_specs(services().db)
        headers = ("日期", "来访日期", "客户姓名或称呼", "联系电话", "客户需求", "接待人员")
        layout = sheet_layout(Sheet("VR", headers, 1, iter(())), specs, "en")
        day = cell if isinstance(cell, date) else "2015年3月1日"  # an Excel date-time: its day
        cells = (cell, day, "张三", "138 0013 8000", "三居室", "clerk")
        found = checker(app, specs, tmp_path).check(layout, Row(2, cells))
    assert not found.problems and found.row is not None
    assert found.row.data["visit_date"] == "2015-03-01" and found.row.data["phone"] == "13800138000"
    local = found.row.submitted_at.astimezone(services_zone(app))
    assert local.date() == date(2015, 3, 1) and local.time() in (time(14, 30), time(0, 0))


def services_zone(app: Flask) -> Any:
    with app.app_context():
        return services().zone


WRITTEN_DATES = st.sampled_from(["{y}-{m:02d}-{d:02d} {h}:{mi:02d}", "{y}/{m}/{d} {h}:{mi:02d}",
                                 "{y}年{m}月{d}日 {h}:{mi:02d}", "{y}.{m}.{d} {h}:{mi:02d}"])
YES_NO = {True: ["是", "yes", "Y", "√", "1", True], False: ["否", "no", "N", "×", "0", False]}


@given(day=st.dates(min_value=date(1990, 1, 1), max_value=date(2025, 12, 31)), hour=st.integers(0, 23),
       minute=st.integers(0, 59), shape=WRITTEN_DATES,
       channel=st.sampled_from(["phone", "online", "head_office"]),
       label=st.sampled_from(["value", "zh", "en"]), accepted=st.booleans(), spelling=st.integers(0, 5),
       digits=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), spaced=st.booleans(),
       name=st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=20))
@examples(80)
def test_a_complaint_written_any_way_people_write_it_is_read_as_typed(
        app: Flask, tmp_path: Any, day: date, hour: int, minute: int, shape: str, channel: str, label: str,
        accepted: bool, spelling: int, digits: str, spaced: bool, name: str) -> None:
    """Valid cells in the spellings a register holds are all accepted, and read to the values
    the filling page stores for the same input."""
    written = shape.format(y=day.year, m=day.month, d=day.day, h=hour, mi=minute)
    with app.app_context():
        specs = current_specs(services().db)
        spec = specs["CP"]
        choice = next(c for c in spec.field("channel").choices if c.value == channel)
        channel_cell = channel if label == "value" else choice.label[label]
        phone = f"{digits[:3]} {digits[3:7]} {digits[7:]}" if spaced else digits
        headers = ("日期", "状态", "投诉渠道", "受理时间", "客户名称", "联系电话", "投诉内容", "客户确认结案")
        cells = (written, "已结案", channel_cell, written, name, phone, "划痕", YES_NO[accepted][spelling])
        layout = sheet_layout(Sheet("CP", headers, 1, iter(())), specs, "en")
        found = checker(app, specs, tmp_path).check(layout, Row(2, cells))
    assert not found.problems, found.problems
    assert found.row is not None
    data = found.row.data
    assert (data["channel"], data["customer_name"], data["phone"]) == (channel, name, digits)
    assert data["customer_accepted"] is accepted
    moment = datetime(day.year, day.month, day.day, hour, minute)
    assert data["received_at"].startswith(moment.isoformat())
    assert found.row.submitted_at.astimezone(services_zone(app)).replace(tzinfo=None) == moment
