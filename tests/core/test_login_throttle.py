"""Issue 15 item 14: failed sign-ins slow the address they come from (for that account, and for
every account past a higher count) with delays that grow; no stranger can keep a colleague out;
refusals and unlocks are audited; an admin can unlock (page and CLI); tokens are unaffected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.auth.models import LoginThrottle
from core.clock import FrozenClock, SystemClock
from core.web import services
from tests.support.instance import PASSWORD, csrf_token, make_app
from tests.support.login_attempts import STRANGER, attempt

OWNER = "10.0.0.7"


@pytest.fixture
def clock() -> FrozenClock:  # overrides the shared one: a time with microseconds
    return FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC))


def events(app: Flask, action: str) -> list[tuple[str, dict]]:
    with app.app_context(), services().db.reading() as session:
        rows = session.execute(select(AuditEvent.object_id, AuditEvent.detail)
                               .where(AuditEvent.action == action).order_by(AuditEvent.seq)).all()
    return [(object_id, detail) for object_id, detail in rows]


def test_a_strangers_wrong_passwords_do_not_keep_the_owner_out(app, clock):  # type: ignore[no-untyped-def]
    stranger = app.test_client()
    for _ in range(20):
        attempt(stranger, "clerk", "wrong-password")
        clock.advance(seconds=1, microseconds=250_001)
    assert attempt(app.test_client(), "clerk", PASSWORD, OWNER).status_code == 302
    # the stranger, meanwhile, waits: even the right password is not checked from there
    refused = attempt(stranger, "clerk", PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_one_address_trying_a_password_against_many_usernames_is_slowed(app, clock):  # type: ignore[no-untyped-def]
    stranger = app.test_client()
    answers = []
    for n in range(30):
        answers.append(attempt(stranger, f"user{n:02d}", "Summer2026!").status_code)
        clock.advance(seconds=1, microseconds=1)
    assert answers[:20] == [401] * 20 and answers.count(429) >= 5, answers
    # every account from that address waits, the right password too; other addresses do not
    assert attempt(stranger, "supervisor", PASSWORD).status_code == 429
    assert attempt(app.test_client(), "supervisor", PASSWORD, OWNER).status_code == 302


def test_the_delays_grow_and_stop_at_the_longest(app, clock):  # type: ignore[no-untyped-def]
    client = app.test_client()
    for _ in range(4):
        assert attempt(client, "clerk", "wrong-password").status_code == 401
    fifth = attempt(client, "clerk", "wrong-password")
    assert fifth.status_code == 401 and fifth.headers["Retry-After"] == "2"
    assert "2" in fifth.text and ("秒" in fifth.text or "seconds" in fifth.text)
    waits = []
    for _ in range(10):
        refused = attempt(client, "clerk", PASSWORD)
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        clock.advance(seconds=waits[-1] - 1, microseconds=500_000)  # not quite: still refused
        assert attempt(client, "clerk", PASSWORD).headers["Retry-After"] == "1"
        clock.advance(microseconds=500_001)
        attempt(client, "clerk", "wrong-password")  # checked, wrong: the next wait is longer
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    clock.advance(seconds=300)
    assert attempt(client, "clerk", PASSWORD).status_code == 302


def test_the_refusal_is_in_the_users_language(app, clock):  # type: ignore[no-untyped-def]
    client = app.test_client()
    for _ in range(5):
        attempt(client, "clerk", "wrong-password")
    assert "请等待 2 秒" in attempt(client, "clerk", PASSWORD).text
    client.post("/language/en", data={"csrf_token": csrf_token(client.get("/login").text)})
    assert "Wait 2 seconds" in attempt(client, "clerk", PASSWORD).text


def test_counts_are_forgotten_after_a_quiet_hour_and_reset_by_the_owners_success(app, clock):  # type: ignore[no-untyped-def]
    client = app.test_client()
    for _ in range(4):
        attempt(client, "clerk", "wrong-password")
    assert attempt(client, "clerk", PASSWORD).status_code == 302  # the owner, from here: count gone
    for _ in range(4):
        attempt(client, "clerk", "wrong-password")
    clock.advance(hours=1, microseconds=1)
    assert attempt(client, "clerk", "wrong-password").headers.get("Retry-After") is None  # 1st again


def test_refusals_and_delays_are_audited(app, clock):  # type: ignore[no-untyped-def]
    client = app.test_client()
    for _ in range(5):
        attempt(client, "clerk", "wrong-password")
    attempt(client, "clerk", PASSWORD)
    failed = events(app, "login.failed")
    assert failed[-1][1]["delays"] == {"account": 2} and failed[-1][1]["ip"] == STRANGER
    assert events(app, "auth.throttled") == [
        ("clerk", {"ip": STRANGER, "retry_after": 2, "by": "account"})]


def test_an_admin_unlocks_an_account_on_the_page(app, clock, logged_in):  # type: ignore[no-untyped-def]
    client = app.test_client()
    for _ in range(8):
        attempt(client, "clerk", "wrong-password")
    admin = logged_in("admin")
    page = admin.get("/admin/sign-in")
    assert page.status_code == 200 and "clerk" in page.text and STRANGER in page.text
    assert logged_in("supervisor").get("/admin/sign-in").status_code == 403
    done = admin.post("/admin/sign-in/unlock",
                      data={"csrf_token": csrf_token(page.text), "username": "clerk"})
    assert done.status_code == 302
    assert attempt(client, "clerk", PASSWORD).status_code == 302
    assert events(app, "auth.unlock")[-1] == ("clerk", {"account": "clerk", "address": None, "removed": 1})
    assert "clerk" not in admin.get("/admin/sign-in").text.split("<table", 1)[-1]


def test_the_cli_unlocks_an_account_or_an_address(app, clock):  # type: ignore[no-untyped-def]
    client = app.test_client()
    for n in range(25):
        attempt(client, f"user{n:02d}", "wrong-password")
    assert attempt(client, "clerk", PASSWORD).status_code == 429
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "unlock", "--address", STRANGER])
    assert result.exit_code == 0 and STRANGER in result.output, result.output
    assert attempt(client, "clerk", PASSWORD).status_code == 302
    assert runner.invoke(args=["users", "unlock"]).exit_code != 0  # names nothing
    assert events(app, "auth.unlock")[-1][1]["address"] == STRANGER


def test_api_tokens_are_not_throttled(app, clock, token_for):  # type: ignore[no-untyped-def]
    headers = token_for("clerk")
    client = app.test_client()
    for n in range(30):
        attempt(client, f"user{n:02d}", "wrong-password", "127.0.0.1")
    assert attempt(client, "clerk", PASSWORD, "127.0.0.1").status_code == 429
    assert client.get("/api/v1/forms", headers=headers).status_code == 200


def test_on_the_system_clock(template_db, instance_dir):  # type: ignore[no-untyped-def]
    import shutil

    database = instance_dir / "dossier.sqlite3"
    shutil.copy(template_db, database)
    app = make_app(f"sqlite:///{database}", SystemClock())
    client = app.test_client()
    for _ in range(5):
        attempt(client, "clerk", "wrong-password")
    refused = attempt(client, "clerk", PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] in ("1", "2")
    with app.app_context(), services().db.reading() as session:
        row = session.scalar(select(LoginThrottle).filter_by(username="clerk", address=STRANGER))
        assert row is not None and row.blocked_until - row.updated_at == timedelta(seconds=2)
        services().db.dispose()


def test_throttling_settings_must_be_numbers_above_zero(tmp_path):  # type: ignore[no-untyped-def]
    from core.config import ConfigError, InstancePaths, load_config

    paths = InstancePaths(tmp_path)
    assert load_config(paths, environ={})["LOGIN_MAX_DELAY_SECONDS"] == 300
    (tmp_path / "config.toml").write_text("login_delay_seconds = 0\n")
    with pytest.raises(ConfigError, match="LOGIN_DELAY_SECONDS"):
        load_config(paths, environ={})


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled(template_db, instance_dir, clock):  # type: ignore[no-untyped-def]
    """X-Forwarded-For is believed only when configured: otherwise a client could name any
    address per attempt and never be slowed."""
    import shutil

    for proxies, counted in ((0, "10.0.0.1"), (1, "203.0.113.5")):
        database = instance_dir / f"proxied-{proxies}.sqlite3"
        shutil.copy(template_db, database)
        app = make_app(f"sqlite:///{database}", clock, TRUSTED_PROXIES=proxies)
        client = app.test_client()
        page = client.get("/login")
        client.post("/login", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                    headers={"X-Forwarded-For": "203.0.113.5"},
                    data={"csrf_token": csrf_token(page.text), "username": "clerk", "password": "wrong"})
        with app.app_context(), services().db.reading() as session:
            assert set(session.scalars(select(LoginThrottle.address))) == {counted}
        with app.app_context():
            services().db.dispose()
