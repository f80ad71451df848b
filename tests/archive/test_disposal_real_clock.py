"""Executing an approved destruction list on a clock that carries microseconds, as every real
clock does: from the page, the API and the command line, and on the system clock. The
destruction register (DD) records the approval time with its fraction of a second; the
datetime field refused that, so execution answered 500 (issue 15, item 1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from flask import Flask
from sqlalchemy import select, update

from archive import disposal
from archive.models import Record
from core.auth import accounts
from core.clock import FrozenClock, SystemClock
from core.web import services
from tests.support.destruction import witness
from tests.support.instance import actor_of, csrf_token, make_app
from tests.support.lifecycle import DAYS_TO_2030, filed_complaints


class Register(NamedTuple):
    code: str
    form_code: str
    data: dict[str, Any]


MICRO_START = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(MICRO_START)


def approved_list(app: Flask, clock: FrozenClock | None) -> tuple[int, str]:
    """One filed complaint, due, proposed by the archivist, approved by the admin, and its two
    witnesses (auditor, admin) named and confirmed."""
    [code] = filed_complaints(app, 1)
    if clock is not None:
        clock.advance(days=DAYS_TO_2030, microseconds=654321)
    with app.app_context():
        s = services()
        listed = disposal.propose(s.db, s.clock, s.zone, actor_of(app, "archivist"), [code], "到期")
        disposal.decide(s.db, s.clock, actor_of(app, "admin"), listed.id, approve=True)
    witness(app, listed.id)
    return listed.id, code


def register_of(app: Flask, list_id: int) -> Register:
    """The destruction register filed by executing the list (its code, form and data)."""
    with app.app_context():
        listed = disposal.get_list(services().db, actor_of(app, "archivist"), list_id)
        with services().db.reading() as session:
            record = session.scalar(select(Record).where(Record.code == listed.register_code))
            return Register(record.code, record.form_code, record.data)


def assert_destroyed_with_register(app: Flask, list_id: int, code: str, *, fraction: bool = True) -> None:
    register = register_of(app, list_id)
    assert register.form_code == "DD" and [i["code"] for i in register.data["items"]] == [code]
    approved = datetime.fromisoformat(register.data["approved_at"])
    assert approved.utcoffset() == timedelta(hours=8)  # office time, as the register prints it
    assert approved.microsecond == (777777 if fraction else approved.microsecond)


def test_the_page_executes_an_approval_made_at_a_fraction_of_a_second(app: Flask, clock: FrozenClock,
                                                                      logged_in) -> None:  # type: ignore[no-untyped-def]
    list_id, code = approved_list(app, clock)
    archivist = logged_in("archivist")
    page = archivist.get(f"/archive/disposal/{list_id}")
    executed = archivist.post(f"/archive/disposal/{list_id}",
                              data={"csrf_token": csrf_token(page.text), "step": "execute"})
    assert executed.status_code == 302
    assert "已执行" in archivist.get(f"/archive/disposal/{list_id}").text
    assert_destroyed_with_register(app, list_id, code)


def test_the_api_executes_an_approved_list(app: Flask, clock: FrozenClock, client, token_for) -> None:  # type: ignore[no-untyped-def]
    list_id, code = approved_list(app, clock)
    url = f"/api/v1/archive/disposal-lists/{list_id}/execute"
    assert client.post(url, headers=token_for("clerk")).status_code == 403
    assert client.post("/api/v1/archive/disposal-lists/999/execute",
                       headers=token_for("archivist")).status_code == 404
    done = client.post(url, headers=token_for("archivist"))
    assert done.status_code == 200, done.json
    assert done.json["state"] == "executed" and done.json["items"] == [{"code": code, "outcome": "destroyed"}]
    assert done.json["register_code"].startswith("DD-")
    again = client.post(url, headers=token_for("archivist"))
    assert again.status_code == 409 and again.json["fields"]
    assert_destroyed_with_register(app, list_id, code)
    paths = client.get("/api/v1/openapi.json", headers=token_for("archivist")).json["paths"]
    assert "post" in paths["/archive/disposal-lists/{list_id}/execute"]


def test_the_command_line_executes_an_approved_list(app: Flask, clock: FrozenClock) -> None:
    list_id, code = approved_list(app, clock)
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["archive", "dispose", str(list_id), "--by", "clerk"])
    assert refused.exit_code != 0 and "clerk" in refused.output
    done = runner.invoke(args=["archive", "dispose", str(list_id), "--by", "archivist"])
    assert done.exit_code == 0, done.output
    register = register_of(app, list_id)
    assert f"{code}  destroyed" in done.output and register.code in done.output
    again = runner.invoke(args=["archive", "dispose", str(list_id), "--by", "archivist"])
    assert again.exit_code != 0 and "已批准待执行" in again.output  # not approved (executed)
    assert_destroyed_with_register(app, list_id, code)


def test_on_the_system_clock(app: Flask, instance_dir: Path, logged_in) -> None:  # type: ignore[no-untyped-def]
    """Records made on the frozen clock, made due, then proposed, approved and executed by an
    instance on the real clock."""
    [code] = filed_complaints(app, 1)
    with app.app_context(), services().db.transaction() as session:  # due since yesterday
        yesterday = datetime.now(UTC).date() - timedelta(days=2)
        session.execute(update(Record).where(Record.code == code).values(retention_until=yesterday))
    real = make_app(f"sqlite:///{instance_dir / 'dossier.sqlite3'}", SystemClock())
    try:
        with real.app_context():
            s = services()
            listed = disposal.propose(s.db, s.clock, s.zone, actor_of(real, "archivist"), [code], "到期")
            disposal.decide(s.db, s.clock, actor_of(real, "admin"), listed.id, approve=True)
            witness(real, listed.id)
        done = real.test_client().post(f"/api/v1/archive/disposal-lists/{listed.id}/execute",
                                       headers=_token(real, "archivist"))
        assert done.status_code == 200, done.json
        assert_destroyed_with_register(real, listed.id, code, fraction=False)
    finally:
        with real.app_context():
            services().db.dispose()


def _token(app: Flask, username: str) -> dict[str, str]:
    with app.app_context():
        token = accounts.create_token(services().db, services().clock, username, "test")
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
