"""Need-to-know (archive/need_to_know.py): per session and per record, the API's header, bad
reasons (hypothesis), the audit events carrying the reason, the return path (no open
redirect), the auditor's report and its counts; on a frozen clock with microseconds and on the
system clock. The matrix over every place is tests/archive/test_need_to_know_matrix.py."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from archive.need_to_know import MAX_REASON, MIN_REASON, reason_problem
from archive.need_to_know_models import NeedToKnowReason
from archive.need_views import local_path
from core.audit.models import AuditEvent
from core.auth import accounts
from core.clock import Clock, FrozenClock, SystemClock
from core.config import ConfigError
from core.web import services
from tests.support.instance import csrf_token, login, make_app
from tests.support.lifecycle import submit_cp

START = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
REASON = "季度合规检查：投诉处理时限"


def build(template_db: Path, folder: Path, clock: Clock, mode: str) -> Flask:
    shutil.copy(template_db, folder / "dossier.sqlite3")
    return make_app(f"sqlite:///{folder / 'dossier.sqlite3'}", clock, NEED_TO_KNOW=mode)


@pytest.fixture(params=["frozen", "system"])
def any_clock(request: pytest.FixtureRequest) -> Clock:
    return FrozenClock(START) if request.param == "frozen" else SystemClock()


@pytest.fixture
def make(template_db: Path, instance_dir: Path) -> Iterator[Callable[..., Flask]]:
    built: list[Flask] = []

    def factory(mode: str = "session", clock: Clock | None = None) -> Flask:
        app = build(template_db, instance_dir, clock or FrozenClock(START), mode)
        built.append(app)
        return app

    yield factory
    for app in built:
        with app.app_context():
            services().db.dispose()


def signed_in(app: Flask, user: str) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def state(client: FlaskClient, code: str, reason: str = REASON, next_url: str | None = None,
          lang: str = "en") -> tuple[int, str]:
    form = client.get(f"/records/{code}", headers={"Accept-Language": lang})
    response = client.post("/need-to-know/reason", headers={"Accept-Language": lang}, data={
        "csrf_token": csrf_token(form.text), "code": code, "reason": reason,
        "next": f"/records/{code}" if next_url is None else next_url})
    return response.status_code, response.headers.get("Location") or response.get_data(as_text=True)


def token(app: Flask, user: str) -> dict[str, str]:
    with app.app_context():
        value = accounts.create_token(services().db, services().clock, user, "test")
    return {"Authorization": f"Bearer {value}", "Accept-Language": "en"}


def events(app: Flask, prefix: str) -> list[AuditEvent]:
    with app.app_context(), services().db.reading() as session:
        found = list(session.scalars(select(AuditEvent).where(AuditEvent.action.startswith(prefix))
                                     .order_by(AuditEvent.seq)))
        session.expunge_all()  # read after the session ends
        return found


def test_session_mode_asks_once_and_the_reads_carry_the_reason(make: Callable[..., Flask],
                                                                any_clock: Clock) -> None:
    app = make("session", any_clock)
    first, second = submit_cp(app), submit_cp(app)
    admin = signed_in(app, "admin")
    asked = admin.get(f"/records/{first}", headers={"Accept-Language": "en"})
    assert asked.status_code == 403 and "say why you need to read it" in asked.text
    assert state(admin, first) == (302, f"/records/{first}")
    assert admin.get(f"/records/{first}").status_code == 200
    assert admin.get(f"/records/{second}").status_code == 200  # the same session: not asked again
    reads = [e for e in events(app, "record.read") if e.actor_name == "admin" and e.action == "record.read"]
    assert [e.object_id for e in reads] == [first, second]
    assert {e.detail["need_reason"] for e in reads} == {REASON}
    assert len({e.detail["need_reason_id"] for e in reads}) == 1
    refused = events(app, "record.read.reason_required")  # the two asks: before and in state()
    assert [(e.object_id, e.actor_name) for e in refused] == [(first, "admin")] * 2
    [stated] = events(app, "need_to_know.state")
    assert stated.detail["scope"] == "session" and stated.detail["need_reason"] == REASON
    with app.app_context(), services().db.reading() as session:
        row = session.scalars(select(NeedToKnowReason)).one()
        session.expunge_all()
    assert row.session_id and row.record_code is None and row.reason == REASON
    if isinstance(any_clock, FrozenClock):
        assert row.stated_at == START and reads[0].at == START  # microseconds kept


def test_record_mode_asks_for_each_record(make: Callable[..., Flask], any_clock: Clock) -> None:
    app = make("record", any_clock)
    first, second = submit_cp(app), submit_cp(app)
    auditor = signed_in(app, "auditor")
    assert state(auditor, first)[0] == 302
    assert auditor.get(f"/records/{first}").status_code == 200
    assert auditor.get(f"/records/{first}.pdf").status_code == 200  # the same record, other place
    assert auditor.get(f"/records/{second}").status_code == 403  # another record asks again
    assert state(auditor, second, "核对另一件投诉的回复")[0] == 302
    assert auditor.get(f"/records/{second}").status_code == 200
    with app.app_context(), services().db.reading() as session:
        rows = list(session.scalars(select(NeedToKnowReason.record_code).order_by(NeedToKnowReason.id)))
    assert rows == [first, second]


def test_off_never_asks_and_archivists_and_own_department_are_never_asked(make: Callable[..., Flask]) -> None:
    app = make("off")
    code = submit_cp(app)
    for user in ("admin", "auditor", "archivist"):
        assert signed_in(app, user).get(f"/records/{code}").status_code == 200, user
    app2 = make("session")
    own = submit_cp(app2, "archivist")  # a record of the admin's own department (ARCHIVE)
    assert signed_in(app2, "admin").get(f"/records/{own}").status_code == 200
    assert signed_in(app2, "archivist").get(f"/records/{submit_cp(app2)}").status_code == 200


def test_the_setting_is_checked_at_start(template_db: Path, instance_dir: Path) -> None:
    with pytest.raises(ConfigError, match="NEED_TO_KNOW"):
        build(template_db, instance_dir, FrozenClock(START), "sometimes")


def test_the_api_refuses_without_the_header_and_reads_with_it(make: Callable[..., Flask]) -> None:
    app = make("session")
    code = submit_cp(app)
    headers = token(app, "auditor")
    client = app.test_client()
    refused = client.get(f"/api/v1/records/{code}", headers=headers)
    assert refused.status_code == 403 and refused.json["problem"] == "reason_required"
    chinese = quote("审计抽查：客户投诉", safe="")
    read = client.get(f"/api/v1/records/{code}", headers={**headers, "X-Dossier-Reason": chinese})
    assert read.status_code == 200 and read.json["code"] == code
    plain = client.get(f"/api/v1/records/{code}/pdf",
                       headers={**headers, "X-Dossier-Reason": "audit sample 7"})
    assert plain.status_code == 200 and plain.mimetype == "application/pdf"
    # an API client has no session: each request that reads outside its work states its reason
    assert client.get(f"/api/v1/records/{code}", headers=headers).status_code == 403
    reads = [e for e in events(app, "record.") if e.actor_name == "auditor" and "need_reason" in e.detail]
    assert [(e.action, e.detail["need_reason"]) for e in reads] == [
        ("record.read", "审计抽查：客户投诉"), ("record.print", "audit sample 7")]


@pytest.mark.parametrize(("header", "problem"), [
    ("%E6%A0", "not UTF-8"), ("ok", "at least"), ("   x   ", "at least"), ("a" * 501, "at most"),
    ("%00bad reason", "control characters")])
def test_a_bad_header_is_named(make: Callable[..., Flask], header: str, problem: str) -> None:
    app = make("session")
    code = submit_cp(app)
    answer = app.test_client().get(f"/api/v1/records/{code}",
                                   headers={**token(app, "admin"), "X-Dossier-Reason": header})
    assert answer.status_code in (400, 403) and problem in answer.json["error"]
    assert "X-Dossier-Reason" in answer.json["error"] or "X-Dossier-Reason" in answer.json["fields"]


def is_fine(text: str) -> bool:
    stripped = text.strip()
    return (MIN_REASON <= len(stripped) <= MAX_REASON
            and not any((ord(c) < 32 and c not in "\n\t\r") or 127 <= ord(c) < 160 for c in stripped))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=520))
def test_any_text_is_a_reason_or_named_as_wrong(app: Flask, text: str) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        problem = reason_problem(text)
    assert (problem is None) is is_fine(text), repr(text)
    assert problem is None or "reason" in problem.lower() or "characters" in problem


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=520))
def test_the_form_records_a_good_reason_and_names_a_bad_one(make: Callable[..., Flask], text: str) -> None:
    app = _record_mode_app(make)
    code = submit_cp(app)
    client = signed_in(app, "admin")
    status, answer = state(client, code, text)
    if is_fine(text):
        assert status == 302 and client.get(f"/records/{code}").status_code == 200
        with app.app_context(), services().db.reading() as session:
            assert session.scalars(select(NeedToKnowReason.reason).where(
                NeedToKnowReason.record_code == code)).one() == text.strip()
    else:
        assert status == 400 and 'id="reason-error"' in answer
        assert client.get(f"/records/{code}").status_code == 403


_APPS: dict[int, Flask] = {}
_API_READER: dict[int, tuple[dict[str, str], str]] = {}  # the app's auditor token and record


def _record_mode_app(make: Callable[..., Flask]) -> Flask:
    """One app per test (hypothesis runs the examples in one fixture): per-record mode, so each
    example's new record asks again."""
    if id(make) not in _APPS:
        _APPS.clear()
        _APPS[id(make)] = make("record")
    return _APPS[id(make)]


def reason_problem_en(app: Flask, text: str) -> str | None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        return reason_problem(text)


def test_the_reason_form_speaks_chinese(make: Callable[..., Flask]) -> None:
    app = make("session")
    code = submit_cp(app)
    client = signed_in(app, "admin")
    page = client.get(f"/records/{code}", headers={"Accept-Language": "zh"})
    assert page.status_code == 403 and "为什么需要阅读此档案" in page.text
    status, answer = state(client, code, "查", lang="zh")
    assert status == 400 and "至少" in answer


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)", "", "records", "/records/x\r\nLocation: //e"])
def test_the_return_path_is_only_ever_local(make: Callable[..., Flask], target: str) -> None:
    app = make("session")
    code = submit_cp(app)
    status, location = state(signed_in(app, "admin"), code, next_url=target)
    assert status == 302 and location == f"/records/{code}"
    assert local_path("/search?q=x", "/") == "/search?q=x"


def test_a_reveal_asks_first_and_a_refused_post_returns_to_the_record(make: Callable[..., Flask]) -> None:
    app = make("session")
    code = submit_cp(app)
    client = signed_in(app, "auditor")
    form = client.get(f"/records/{code}/reveal")
    posted = client.post(f"/records/{code}/reveal", data={"csrf_token": csrf_token(form.text),
                                                          "reason": "核对客户来信"})
    assert posted.status_code == 403 and f'name="next" value="/records/{code}"' in posted.text
    assert not events(app, "record.reveal")  # nothing revealed before the need is stated
    assert state(client, code)[0] == 302
    again = client.post(f"/records/{code}/reveal", data={"csrf_token": csrf_token(form.text),
                                                         "reason": "核对客户来信"})
    assert again.status_code == 200 and events(app, "record.reveal")


def test_the_report_counts_reads_by_person_and_reason(make: Callable[..., Flask], any_clock: Clock) -> None:
    app = make("session", any_clock)
    codes = [submit_cp(app) for _ in range(3)]
    admin, auditor = signed_in(app, "admin"), signed_in(app, "auditor")
    state(admin, codes[0])
    for code in codes + codes[:1]:
        assert admin.get(f"/records/{code}").status_code == 200
    state(auditor, codes[1], "=HYPERLINK(\"x\") 抽查")
    assert auditor.get(f"/records/{codes[1]}.pdf").status_code == 200
    assert auditor.get(f"/records/{codes[1]}").status_code == 200
    page = auditor.get("/audit/need-to-know", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Reads: 4, records: 3" in page.text and "Reads: 2, records: 1" in page.text
    today = datetime.now(UTC) if not isinstance(any_clock, FrozenClock) else START
    day = (today + timedelta(hours=8)).date().isoformat()
    sheet = auditor.get(f"/audit/need-to-know.csv?from={day}&to={day}")
    rows = list(csv.reader(io.StringIO(sheet.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["username", "name", "reason", "reads", "records", "first_read", "last_read"]
    assert {(r[0], r[2], r[3], r[4]) for r in rows[1:]} == {
        ("admin", REASON, "4", "3"), ("auditor", "'=HYPERLINK(\"x\") 抽查", "2", "1")}
    later = auditor.get("/audit/need-to-know?from=2099-01-01", headers={"Accept-Language": "en"})
    assert "No records were read under a stated reason" in later.text
    assert events(app, "need_to_know.report")


@pytest.mark.parametrize("query", ["from=2026-13-01", "to=yesterday", "from=2026-03-05&to=2026-03-01"])
def test_a_bad_date_range_is_named(make: Callable[..., Flask], query: str) -> None:
    app = make("session")
    page = signed_in(app, "auditor").get(f"/audit/need-to-know?{query}", headers={"Accept-Language": "en"})
    assert page.status_code == 400 and "There is a problem" in page.text
    assert ("YYYY-MM-DD" in page.text) or ("ends before it starts" in page.text)


@pytest.mark.parametrize("user", ["clerk", "supervisor", "archivist"])
def test_the_report_and_reasons_are_for_auditors_and_admins(make: Callable[..., Flask], user: str) -> None:
    app = make("session")
    client = signed_in(app, user)
    assert client.get("/audit/need-to-know").status_code == 403
    assert client.get("/audit/need-to-know.csv").status_code == 403
    form = client.get("/need-to-know/reason?code=CP-2026-000001")
    posted = client.post("/need-to-know/reason", data={"csrf_token": csrf_token(form.text),
                                                       "code": "CP-2026-000001", "reason": REASON})
    assert posted.status_code == 403 and not events(app, "need_to_know.state")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=520))
def test_any_text_in_the_header_is_read_or_named(make: Callable[..., Flask], text: str) -> None:
    app = _record_mode_app(make)
    if id(app) not in _API_READER:
        _API_READER.clear()
        _API_READER[id(app)] = (token(app, "auditor"), submit_cp(app))
    headers, code = _API_READER[id(app)]
    answer = app.test_client().get(f"/api/v1/records/{code}",
                                   headers={**headers, "X-Dossier-Reason": quote(text, safe="")})
    if is_fine(text):
        assert answer.status_code == 200, (text, answer.json)
    else:
        assert answer.status_code == 403 and answer.json["problem"] == "reason_required"
        assert answer.json["fields"]["X-Dossier-Reason"]


def test_a_served_instance_asks_by_default(template_db: Path, instance_dir: Path) -> None:
    """The product's default is "session": an instance built without the tests' make_app (as
    `flask run`, the demo and serve build it) has the rule on."""
    from core.app import create_app

    shutil.copy(template_db, instance_dir / "dossier.sqlite3")
    served = create_app({"DATABASE_URL": f"sqlite:///{instance_dir / 'dossier.sqlite3'}"})
    try:
        assert served.config["NEED_TO_KNOW"] == "session"
    finally:
        with served.app_context():
            services().db.dispose()
