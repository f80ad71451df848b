"""The office calendar page (/admin/calendar) and its API (/api/v1/calendar): administrators only
(every role tried on every page, action and route), CSRF on every form, a year month by month
with where each day comes from, each change audited and saying which open records got a new
deadline (linked), and every kind of bad input answered with a clear message in Chinese or
English and never a 500 (hypothesis for the typed hours and dates)."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from archive.models import Record
from core.audit.models import AuditEvent
from core.clock import FrozenClock
from core.web import services
from forms import office_calendar
from forms.working_time import OFFICE_ZONE, install
from tests.support.calendar import register_working_cp, working_complaint
from tests.support.instance import csrf_token, login

ROLES = ("clerk", "supervisor", "archivist", "auditor", "admin")
EN, ZH = {"Accept-Language": "en"}, {"Accept-Language": "zh"}
GOOD_FILE = "# 2027\ndate,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,workday,元旦调休上班\n"
RECEIVED = "2026-03-02T09:00:00.250000+08:00"  # a Monday: 5 working hours run to 15:00


@pytest.fixture(autouse=True)
def _process_calendar_back() -> object:
    yield
    install(None)


@pytest.fixture
def app(configured_app: Callable[..., Flask]) -> Flask:
    """This module's instance: a frozen clock with microseconds (Monday 2 March 2026, 09:30)."""
    return configured_app(FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)))


def signed_in(app: Flask, who: str) -> tuple[FlaskClient, str]:
    client = app.test_client()
    login(client, who)
    return client, csrf_token(client.get("/forms").text)


def revision(app: Flask) -> int:
    with app.app_context(), services().db.reading() as session:
        return office_calendar.revision(session)


def events(app: Flask) -> list[tuple[str, str, dict[str, Any]]]:
    with app.app_context(), services().db.reading() as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.object_id, AuditEvent.detail)
            .where(AuditEvent.action.like("calendar.%"))
            .order_by(AuditEvent.seq)
        ).all()
    return [(row.action, row.object_id, row.detail) for row in rows]


def due(app: Flask, code: str) -> datetime:
    with app.app_context(), services().db.reading() as session:
        return session.scalar(select(Record.due_at).where(Record.code == code))


def upload(
    client: FlaskClient, token: str, data: bytes, name: str = "2027.csv", headers: dict[str, str] = EN
) -> Any:
    return client.post(
        "/admin/calendar/schedule",
        headers=headers,
        content_type="multipart/form-data",
        data={"csrf_token": token, "year": "2026", "file": (io.BytesIO(data), name)},
    )


def api_token(app: Flask, who: str) -> dict[str, str]:
    from core.auth import accounts

    with app.app_context():
        token = accounts.create_token(services().db, services().clock, who, "test")
    return {"Authorization": f"Bearer {token}", **EN}


# --- who may -------------------------------------------------------------------------------


def page_actions(token: str) -> list[tuple[str, str, dict[str, Any]]]:
    encoded = base64.b64encode(GOOD_FILE.encode()).decode()
    return [
        ("get", "/admin/calendar", {}),
        ("get", "/admin/calendar?year=2027", {}),
        (
            "post",
            "/admin/calendar/days",
            {"data": {"csrf_token": token, "day": "2026-05-06", "kind": "holiday", "name": "停电"}},
        ),
        ("post", "/admin/calendar/days/remove", {"data": {"csrf_token": token, "day": "2026-05-06"}}),
        (
            "post",
            "/admin/calendar/hours",
            {"data": {"csrf_token": token, "weekday": "5", "hours": "09:00-12:00"}},
        ),
        (
            "post",
            "/admin/calendar/schedule",
            {
                "content_type": "multipart/form-data",
                "data": {"csrf_token": token, "file": (io.BytesIO(GOOD_FILE.encode()), "2027.csv")},
            },
        ),
        ("post", "/admin/calendar/schedule/apply", {"data": {"csrf_token": token, "schedule": encoded}}),
    ]


API_ROUTES = [
    ("get", "/api/v1/calendar?year=2026", None),
    ("put", "/api/v1/calendar/days/2026-05-06", {"kind": "holiday", "name": "停电"}),
    ("delete", "/api/v1/calendar/days/2026-05-06", None),
    ("put", "/api/v1/calendar/hours/saturday", {"spans": ["09:00-12:00"]}),
    ("post", "/api/v1/calendar/schedule", {"text": GOOD_FILE, "apply": True}),
]


@pytest.mark.parametrize("who", ROLES)
def test_only_admins_open_the_page_post_its_forms_and_call_its_api(app: Flask, who: str) -> None:
    client, token = signed_in(app, who)
    admin = who == "admin"
    assert ('href="/admin/calendar"' in client.get("/forms").text) is admin  # the admin navigation
    for method, path, kwargs in page_actions(token):
        answer = getattr(client, method)(path, headers=EN, **kwargs)
        expected = {200, 302} if admin else {403}
        assert answer.status_code in expected, (who, path, answer.status_code)
        if not admin:
            assert "Only administrators see and change the office calendar." in answer.text
    headers = api_token(app, who)
    for method, path, body in API_ROUTES:
        answer = getattr(client, method)(path, headers=headers, json=body)
        assert answer.status_code == (200 if admin else 403), (who, path, answer.status_code)
    if not admin:
        assert revision(app) == 0 and events(app) == []  # nothing a refused role sent was written
    else:
        assert [action for action, _, _ in events(app)] == [
            "calendar.days_set",
            "calendar.day_removed",
            "calendar.hours_set",
            "calendar.days_set",
            "calendar.days_set",
            "calendar.day_removed",
            "calendar.hours_set",
            "calendar.days_set",
        ]


def test_a_non_admin_is_refused_before_their_input_is_read(app: Flask) -> None:
    client, token = signed_in(app, "clerk")
    assert client.get("/admin/calendar?year=abc", headers=EN).status_code == 403
    assert (
        client.post(
            "/admin/calendar/days", headers=EN, data={"csrf_token": token, "day": "2026-02-30"}
        ).status_code
        == 403
    )
    bad = client.put("/api/v1/calendar/days/2026-02-30", headers=api_token(app, "clerk"), json={"kind": 1})
    assert bad.status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client: FlaskClient) -> None:
    answer = client.get("/admin/calendar")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_every_form_needs_its_csrf_token(app: Flask) -> None:
    client, token = signed_in(app, "admin")
    posts = [(path, kwargs) for method, path, kwargs in page_actions(token) if method == "post"]
    for number, (path, kwargs) in enumerate(posts):
        for sent in ("", "forged"):
            _, _, fresh = [a for a in page_actions(token) if a[0] == "post"][number]  # a file is read once
            data = {
                **{k: v for k, v in fresh["data"].items() if k != "csrf_token"},
                **({"csrf_token": sent} if sent else {}),
            }
            answer = client.post(path, headers=EN, data=data, content_type=kwargs.get("content_type"))
            assert answer.status_code == 400, path
            assert "The form expired or was sent from elsewhere" in answer.text
    assert revision(app) == 0


# --- the year ------------------------------------------------------------------------------


def test_the_year_month_by_month_with_where_each_day_comes_from(app: Flask) -> None:
    client, token = signed_in(app, "admin")
    page = client.get("/admin/calendar", headers=EN).text  # this year, in the office's zone
    assert "<h1>Office calendar 2026</h1>" in page
    assert 'href="/admin/calendar?year=2025"' in page and 'href="/admin/calendar?year=2027"' in page
    october = page[page.index('id="month-10"') : page.index('id="month-11"')]
    assert "October 2026" in october and "Thu, Oct 1" in october and "国庆节" in october
    assert "Shipped schedule" in october and "Working day" in october  # 10 October works (调休)
    assert "Monday</label>" in page and "09:00-12:00, 13:00-17:30 · default" in page
    assert "Saturday</label>" in page and "Day off · default" in page
    client.post(
        "/admin/calendar/days",
        data={"csrf_token": token, "day": "2026-10-01", "kind": "workday", "name": "值班"},
    )
    page = client.get("/admin/calendar?year=2026", headers=EN).text
    october = page[page.index('id="month-10"') : page.index('id="month-11"')]
    assert "The office's change (shipped: holiday, 国庆节)" in october and "值班" in october
    assert october.count("Remove the change") == 1
    chinese = client.get("/admin/calendar?year=2026", headers=ZH).text
    assert "办公日历 2026" in chinese and "2026年10月" in chinese and "10月1日周四" in chinese
    assert "随系统提供的安排" in chinese and "本单位的修改" in chinese and "星期一" in chinese
    empty = client.get("/admin/calendar?year=2030", headers=EN).text
    assert empty.count("No holidays or adjusted working days.") == 12


@pytest.mark.parametrize(
    ("year", "status"),
    [
        ("abc", 400),
        ("1999", 400),
        ("2101", 400),
        ("0002026", 400),
        ("２０２６", 400),
        ("2100", 200),
        ("2000", 200),
    ],
)
def test_a_year_that_is_not_one_is_named(app: Flask, year: str, status: int) -> None:
    client, _ = signed_in(app, "admin")
    answer = client.get(f"/admin/calendar?year={year}", headers=EN)
    assert answer.status_code == status
    if status == 400:
        assert f"“{year}” is not a year from 2000 to 2100." in answer.text
    if status == 200:
        assert ('rel="prev"' in answer.text, 'rel="next"' in answer.text) == (year != "2000", year != "2100")


# --- changes -------------------------------------------------------------------------------


def test_marking_a_holiday_reschedules_the_open_records_and_links_them(app: Flask) -> None:
    register_working_cp(app)
    code = working_complaint(app, RECEIVED)
    assert due(app, code) == datetime(2026, 3, 2, 15, 0, 0, 250000, tzinfo=OFFICE_ZONE)
    client, token = signed_in(app, "admin")
    done = client.post(
        "/admin/calendar/days",
        headers=EN,
        data={"csrf_token": token, "year": "2026", "day": "2026-03-02", "kind": "holiday", "name": "停电"},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/calendar?year=2026#month-3")
    page = client.get("/admin/calendar?year=2026", headers=EN).text
    assert "2026-03-02 is now a holiday: 停电." in page
    assert "1 open record(s) got a new deadline on the changed calendar:" in page
    assert f'<a class="record-code" href="/records/{code}">{code}</a>' in page
    assert "got a new deadline" not in client.get("/admin/calendar", headers=EN).text  # said once
    assert due(app, code) == datetime(2026, 3, 3, 15, tzinfo=OFFICE_ZONE)
    record_page = client.get(f"/records/{code}", headers=EN).text
    assert "2026-03-03 15:00" in record_page
    [(action, object_id, detail)] = events(app)
    assert (action, object_id, detail["via"], detail["days"]) == (
        "calendar.days_set",
        "2026-03-02..2026-03-02",
        "page",
        {"2026-03-02": [False, "停电"]},
    )

    removed = client.post(
        "/admin/calendar/days/remove", headers=EN, data={"csrf_token": token, "day": "2026-03-02"}
    )
    assert removed.status_code == 302
    page = client.get("/admin/calendar?year=2026", headers=EN).text
    assert "2026-03-02 follows the shipped schedule again." in page and code in page
    assert due(app, code) == datetime(2026, 3, 2, 15, 0, 0, 250000, tzinfo=OFFICE_ZONE)
    assert events(app)[-1][:2] == ("calendar.day_removed", "2026-03-02")


def test_setting_a_weekdays_hours_reschedules_and_is_audited(app: Flask) -> None:
    register_working_cp(app)
    code = working_complaint(app, RECEIVED)
    client, token = signed_in(app, "admin")
    done = client.post(
        "/admin/calendar/hours",
        headers=ZH,
        data={"csrf_token": token, "year": "2026", "weekday": "0", "hours": "9:00-12:00"},
    )
    assert done.status_code == 302
    page = client.get("/admin/calendar", headers=ZH).text
    assert "星期一的工作时间已保存。" in page and code in page
    assert "09:00-12:00 · 本单位设置" in page
    assert due(app, code) == datetime(2026, 3, 3, 11, 0, 0, 250000, tzinfo=OFFICE_ZONE)
    assert events(app)[-1][:3] == ("calendar.hours_set", "weekday 0", {"spans": ["09:00-12:00"]})
    client.post("/admin/calendar/hours", data={"csrf_token": token, "weekday": "6", "hours": ""})
    page = client.get("/admin/calendar", headers=EN).text
    assert "Day off · set by the office" in page
    assert "No open record's deadline changed." in page  # Sunday had no hours before either


def test_no_record_moved_is_said_too(app: Flask) -> None:
    client, token = signed_in(app, "admin")
    client.post(
        "/admin/calendar/days",
        data={"csrf_token": token, "day": "2030-05-06", "kind": "holiday", "name": "停电"},
    )
    page = client.get("/admin/calendar?year=2030", headers=EN).text
    assert "No open record's deadline changed." in page and "停电" in page


# --- bad input: named, in the reader's language, never a 500 --------------------------------


@pytest.mark.parametrize(
    ("form", "field", "english", "chinese"),
    [
        (
            {"day": "2026-02-30", "kind": "holiday", "name": "x"},
            "day",
            "“2026-02-30” is not a date: 2026-02 has 28 days.",
            "“2026-02-30”不是有效日期：2026-02 只有 28 天。",
        ),
        (
            {"day": "30/02/2026", "kind": "holiday", "name": "x"},
            "day",
            "“30/02/2026” is not a date such as 2026-10-01.",
            "“30/02/2026”不是日期",
        ),
        (
            {"day": "1999-12-31", "kind": "holiday", "name": "x"},
            "day",
            "“1999-12-31”: the year must be from 2000 to 2100.",
            "年份须在 2000 至 2100 之间",
        ),
        (
            {"day": "soon", "kind": "holiday", "name": "x"},
            "day",
            "“soon” is not a date such as 2026-10-01.",
            "“soon”不是日期",
        ),
        (
            {"day": "", "kind": "holiday", "name": "x"},
            "day",
            "Enter a date such as 2026-10-01.",
            "请输入日期",
        ),
        (
            {"day": "2026-05-06", "kind": "party", "name": "x"},
            "kind",
            "Choose a holiday or an adjusted working day.",
            "请选择节假日或调休上班日。",
        ),
        (
            {"day": "2026-05-06", "kind": "holiday", "name": " "},
            "name",
            "Name the day in 1 to 80 characters, such as 国庆节.",
            "1 至 80 个字符",
        ),
        (
            {"day": "2026-05-06", "kind": "holiday", "name": "节" * 81},
            "name",
            "1 to 80 characters",
            "1 至 80 个字符",
        ),
    ],
)
def test_a_bad_day_is_named_beside_its_field(
    app: Flask, form: dict[str, str], field: str, english: str, chinese: str
) -> None:
    client, token = signed_in(app, "admin")
    for headers, words in ((EN, english), (ZH, chinese)):
        answer = client.post("/admin/calendar/days", headers=headers, data={"csrf_token": token, **form})
        assert answer.status_code == 422
        assert f'<p class="error-message" id="{field}-error">' in answer.text
        assert words in answer.text
        assert f'href="#{field}"' in answer.text  # the error summary leads to the field
        if field == "day":
            assert f'value="{form["day"]}"' in answer.text  # what was typed is kept
    assert revision(app) == 0


@pytest.mark.parametrize(
    ("hours", "english", "chinese"),
    [
        ("25:00-26:00", "“25:00” is not a time of day (00:00 to 23:59).", "“25:00”不是一天中的时间"),
        ("12:00-09:00", "“12:00-09:00”: the start must be before the end.", "开始时间必须早于结束时间"),
        (
            "09:00-12:00, 11:30-13:00",
            "09:00-12:00 and 11:30-13:00 overlap.",
            "09:00-12:00 与 11:30-13:00 重叠。",
        ),
        ("morning", "“morning” is not a span of working hours such as 09:00-12:00.", "“morning”不是工作时段"),
    ],
)
def test_bad_hours_are_named_beside_their_weekday(app: Flask, hours: str, english: str, chinese: str) -> None:
    client, token = signed_in(app, "admin")
    for headers, words in ((EN, english), (ZH, chinese)):
        answer = client.post(
            "/admin/calendar/hours",
            headers=headers,
            data={"csrf_token": token, "weekday": "2", "hours": hours},
        )
        assert answer.status_code == 422
        assert words in answer.text
        assert '<p class="error-message" id="hours-2-error">' in answer.text
        assert 'id="hours-2" name="hours" value="' in answer.text
        assert 'href="#hours-2"' in answer.text
    assert revision(app) == 0


def test_a_weekday_that_is_not_one_is_refused(app: Flask) -> None:
    client, token = signed_in(app, "admin")
    for weekday in ("7", "-1", "", "mon", "০"):
        answer = client.post(
            "/admin/calendar/hours",
            headers=EN,
            data={"csrf_token": token, "weekday": weekday, "hours": "09:00-12:00"},
        )
        assert answer.status_code == 422 and "Choose a weekday from Monday to Sunday." in answer.text
    bad_day = client.post(
        "/admin/calendar/days/remove", headers=EN, data={"csrf_token": token, "day": "2026-02-30"}
    )
    assert bad_day.status_code == 422 and "2026-02 has 28 days" in bad_day.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    hours=st.text(max_size=60) | st.from_regex(r"[0-9:\-,~ ]{0,30}", fullmatch=True),
    weekday=st.sampled_from(["0", "3", "6", "7", "", "x"]),
)
def test_any_typed_hours_are_saved_or_refused_never_a_500(app: Flask, hours: str, weekday: str) -> None:
    client, token = signed_in(app, "admin")
    answer = client.post(
        "/admin/calendar/hours", headers=EN, data={"csrf_token": token, "weekday": weekday, "hours": hours}
    )
    assert answer.status_code in (302, 422), answer.status_code
    assert (answer.status_code == 422) == ("error-message" in answer.text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    day=st.text(max_size=30)
    | st.dates(date(1990, 1, 1), date(2110, 12, 31)).map(str)
    | st.from_regex(r"20\d\d-\d{1,2}-\d{1,2}", fullmatch=True),
    kind=st.sampled_from(["holiday", "workday", "", "x"]),
    name=st.text(max_size=90),
)
def test_any_typed_day_is_saved_or_refused_never_a_500(app: Flask, day: str, kind: str, name: str) -> None:
    client, token = signed_in(app, "admin")
    answer = client.post(
        "/admin/calendar/days", headers=ZH, data={"csrf_token": token, "day": day, "kind": kind, "name": name}
    )
    assert answer.status_code in (302, 422), answer.status_code
    year = client.get(f"/admin/calendar?year={day[:4]}", headers=EN)
    assert year.status_code in (200, 400)


# --- the schedule file ---------------------------------------------------------------------


def test_a_file_is_previewed_then_imported_and_audited(app: Flask) -> None:
    register_working_cp(app)
    client, token = signed_in(app, "admin")
    checked = upload(client, token, GOOD_FILE.encode("utf-8"))
    assert checked.status_code == 200
    assert "File: 2027.csv. 2 day(s) read." in checked.text
    assert "Fri, Jan 1, 2027" in checked.text and "An ordinary day" in checked.text
    assert checked.text.count(">new</span>") == 2
    assert "Import 2 day(s)" in checked.text
    assert revision(app) == 0  # a preview writes nothing
    encoded = re.search(r'name="schedule" value="([^"]+)"', checked.text).group(1)
    done = client.post(
        "/admin/calendar/schedule/apply",
        headers=EN,
        data={"csrf_token": token, "schedule": encoded, "file_name": "2027.csv", "year": "2026"},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("?year=2027#month-1")
    page = client.get(done.headers["Location"], headers=EN).text
    assert "2 day(s) from the file are set." in page and "元旦调休上班" in page
    [(action, object_id, detail)] = events(app)
    assert (action, object_id, detail["via"]) == ("calendar.days_set", "2027-01-01..2027-01-04", "upload")
    again = upload(client, token, GOOD_FILE.encode("utf-8"))
    assert again.text.count(">the same</span>") == 2


def test_a_file_with_problems_names_them_by_line_and_cannot_be_imported(app: Flask) -> None:
    client, token = signed_in(app, "admin")
    text = (
        "date,kind,name\n2027-02-30,holiday,x\n2027-01-01,party,元旦\n2027-01-02,holiday,\n"
        "2027-05-01,holiday,劳动节\n"
    )
    for headers, words in (
        (
            EN,
            [
                "Line 2, date: not a date like 2026-10-01",
                "Line 3, kind: must be holiday or workday",
                "Line 4, name: must be 1 to 80 characters",
                "3 problem(s) in the file: nothing can be imported until it is corrected",
            ],
        ),
        (ZH, ["第 2 行，date：不是形如 2026-10-01 的日期", "文件中有 3 处问题"]),
    ):
        answer = upload(client, token, text.encode(), headers=headers)
        assert answer.status_code == 422
        assert all(word in answer.text for word in words), answer.text
        assert 'name="schedule"' not in answer.text  # no import button
    wrong_columns = upload(client, token, b"day,type,label\n2027-01-01,holiday,x\n")
    assert (
        wrong_columns.status_code == 422
        and "Line 1: the header must be date,kind,name" in wrong_columns.text
    )
    header_only = upload(client, token, b"# nothing\ndate,kind,name\n")
    assert header_only.status_code == 422 and "The file has no days: nothing to import" in header_only.text
    assert revision(app) == 0


@pytest.mark.parametrize(
    ("data", "english", "chinese"),
    [
        (b"", "The file is empty.", "文件是空的。"),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
            "The file is not UTF-8 text.",
            "文件不是 UTF-8 文本",
        ),
        (
            "date,kind,name\n2027-01-01,holiday,元旦\n".encode("gbk"),
            "The file is not UTF-8 text.",
            "CSV UTF-8",
        ),
        (
            b"date,kind,name\n" + b"2027-01-01,holiday,x\n" * 4000,
            "The file is larger than 64 KB",
            "文件大于 64 KB",
        ),
    ],
)
def test_an_unreadable_file_is_named(app: Flask, data: bytes, english: str, chinese: str) -> None:
    client, token = signed_in(app, "admin")
    for headers, words in ((EN, english), (ZH, chinese)):
        answer = upload(client, token, data, headers=headers)
        assert answer.status_code == 422 and words in answer.text
        assert '<p class="error-message" id="file-error">' in answer.text
    none = client.post(
        "/admin/calendar/schedule",
        headers=EN,
        content_type="multipart/form-data",
        data={"csrf_token": token, "file": (io.BytesIO(b""), "")},
    )
    assert none.status_code == 422 and "Choose the schedule file (CSV) to check." in none.text
    assert revision(app) == 0


def test_a_file_over_the_request_limit_is_refused_with_the_limit(app: Flask) -> None:
    client, token = signed_in(app, "admin")
    answer = upload(client, token, b"date,kind,name\n" + b"x" * (2 * 1024 * 1024))
    assert answer.status_code == 413 and "larger than 1 MB" in answer.text


def test_an_import_that_did_not_come_back_as_sent_is_refused(app: Flask) -> None:
    client, token = signed_in(app, "admin")
    for schedule in ("not base64!", base64.b64encode(b"\xff\xfe").decode(), ""):
        answer = client.post(
            "/admin/calendar/schedule/apply", headers=EN, data={"csrf_token": token, "schedule": schedule}
        )
        assert answer.status_code == 400 and "did not come back as it was sent" in answer.text
    changed = base64.b64encode(b"date,kind,name\n2027-02-30,holiday,x\n").decode()
    answer = client.post(
        "/admin/calendar/schedule/apply", headers=EN, data={"csrf_token": token, "schedule": changed}
    )
    assert answer.status_code == 422 and "Line 2, date" in answer.text  # checked again, not trusted
    assert revision(app) == 0


# --- the API -------------------------------------------------------------------------------


def test_the_api_reads_and_changes_it_as_the_page_does(app: Flask, client: FlaskClient) -> None:
    register_working_cp(app)
    code = working_complaint(app, RECEIVED)
    headers = api_token(app, "admin")
    year = client.get("/api/v1/calendar?year=2026", headers=headers).json
    assert year["hours"]["monday"] == {"spans": ["09:00-12:00", "13:00-17:30"], "source": "default"}
    assert {
        "date": "2026-10-01",
        "kind": "holiday",
        "name": "国庆节",
        "source": "shipped",
        "shipped": None,
    } in year["days"]
    assert client.get("/api/v1/calendar", headers=headers).json["year"] == 2026
    marked = client.put(
        "/api/v1/calendar/days/2026-03-02", headers=headers, json={"kind": "holiday", "name": "停电"}
    )
    assert marked.json == {"date": "2026-03-02", "kind": "holiday", "name": "停电", "rescheduled": [code]}
    assert due(app, code) == datetime(2026, 3, 3, 15, tzinfo=OFFICE_ZONE)
    removed = client.delete("/api/v1/calendar/days/2026-03-02", headers=headers).json
    assert removed == {"date": "2026-03-02", "rescheduled": [code]}
    hours = client.put(
        "/api/v1/calendar/hours/Monday", headers=headers, json={"spans": ["13:00-17:30", "9:00-12:00"]}
    )
    assert hours.json == {"weekday": "monday", "spans": ["09:00-12:00", "13:00-17:30"], "rescheduled": []}
    checked = client.post("/api/v1/calendar/schedule", headers=headers, json={"text": GOOD_FILE}).json
    assert checked["days"] == 2 and checked["problems"] == [] and "applied" not in checked
    assert [c["change"] for c in checked["changes"]] == ["new", "new"]
    applied = client.post(
        "/api/v1/calendar/schedule", headers=headers, json={"text": GOOD_FILE, "apply": True}
    )
    assert applied.json["applied"] is True
    assert [e[0] for e in events(app)] == [
        "calendar.days_set",
        "calendar.day_removed",
        "calendar.hours_set",
        "calendar.days_set",
    ]
    assert events(app)[-1][2]["via"] == "api"


def test_the_api_names_bad_input(app: Flask, client: FlaskClient) -> None:
    headers = api_token(app, "admin")
    assert (
        client.put(
            "/api/v1/calendar/days/2026-02-30", headers=headers, json={"kind": "holiday", "name": "x"}
        ).status_code
        == 404
    )
    refused = client.put(
        "/api/v1/calendar/days/2026-05-06", headers=headers, json={"kind": "party", "name": ""}
    )
    assert refused.status_code == 422 and set(refused.json["fields"]) == {"kind", "name"}
    assert (
        client.put(
            "/api/v1/calendar/days/2026-05-06",
            headers=headers,
            json={"kind": "holiday", "name": "x", "extra": 1},
        ).status_code
        == 422
    )
    assert client.put("/api/v1/calendar/days/2026-05-06", headers=headers, data="x").status_code == 400
    assert (
        client.put(
            "/api/v1/calendar/days/2026-05-06", headers=headers, json={"kind": 1, "name": "x"}
        ).status_code
        == 422
    )
    spans = client.put("/api/v1/calendar/hours/monday", headers=headers, json={"spans": ["12:00-09:00"]})
    assert (
        spans.status_code == 422 and "“12:00-09:00”: the start must be before the end." in spans.json["error"]
    )
    assert (
        client.put(
            "/api/v1/calendar/hours/monday", headers=headers, json={"spans": "09:00-12:00"}
        ).status_code
        == 422
    )
    assert client.put("/api/v1/calendar/hours/funday", headers=headers, json={"spans": []}).status_code == 404
    assert client.get("/api/v1/calendar?year=99", headers=headers).status_code == 400
    bad = client.post(
        "/api/v1/calendar/schedule",
        headers=headers,
        json={"text": "date,kind,name\n2027-02-30,holiday,x\n", "apply": True},
    )
    assert bad.status_code == 422 and bad.json["problems"][0]["line"] == 2
    assert (
        client.post(
            "/api/v1/calendar/schedule", headers=headers, json={"text": "x" * (65 * 1024)}
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/calendar/schedule", headers=headers, json={"text": GOOD_FILE, "apply": "yes"}
        ).status_code
        == 422
    )
    assert revision(app) == 0
