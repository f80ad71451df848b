"""Sign-in, lockout, cookies, CSRF, the CLI for users and tokens, and the instance set-up."""

import hashlib
import os
import stat

from sqlalchemy import select

from core.auth.models import ApiToken, User
from core.web import services
from tests.support.instance import PASSWORD, csrf_token


def attempt(client, username, password):
    page = client.get("/login")
    return client.post("/login", data={"csrf_token": csrf_token(page.text),
                                       "username": username, "password": password})


def test_wrong_and_unknown_logins_get_the_same_answer(client):
    wrong = attempt(client, "clerk", "nope-nope-nope")
    unknown = attempt(client, "nobody", "nope-nope-nope")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong username or password" in attempt(client, "x", "y").text or \
        "用户名或密码错误" in attempt(client, "x", "y").text


def test_five_failures_slow_the_next_attempt_from_there_for_seconds_not_minutes(app, client, clock):
    """Was a 15-minute lock of the account from anywhere (see test_login_throttle.py)."""
    for _ in range(5):
        attempt(client, "clerk", "wrong-password")
    waiting = attempt(client, "clerk", PASSWORD)
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "2"
    clock.advance(seconds=2, microseconds=1)
    assert attempt(client, "clerk", PASSWORD).status_code == 302


def test_a_success_resets_the_failure_count(client):
    for _ in range(4):
        attempt(client, "clerk", "wrong-password")
    assert attempt(client, "clerk", PASSWORD).status_code == 302
    for _ in range(4):
        attempt(client, "clerk", "wrong-password")
    assert attempt(client, "clerk", PASSWORD).status_code == 302


def test_login_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"username": "clerk", "password": PASSWORD})
    assert response.status_code == 400


def test_after_login_only_local_paths_are_followed(client):
    page = client.get("/login")
    response = client.post("/login?next=//evil.example/x", data={
        "csrf_token": csrf_token(page.text), "username": "clerk", "password": PASSWORD})
    assert response.headers["Location"] == "/forms"


def test_logout_needs_post_and_ends_the_session(logged_in):
    client = logged_in("clerk")
    assert client.get("/logout").status_code == 405
    page = client.get("/forms")
    client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    assert client.get("/forms").status_code == 302


def test_session_cookie_is_secure_httponly_and_samesite_by_default(instance_dir, template_db):
    from core.app import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{template_db}"})
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost")
    response = client.post("/login", base_url="https://localhost",
                           headers={"Referer": "https://localhost/login"}, data={
        "csrf_token": csrf_token(page.text), "username": "clerk", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secret_key_is_generated_once_into_the_instance(instance_dir, template_db):
    from core.app import create_app

    first = create_app({"DATABASE_URL": f"sqlite:///{template_db}"}).config["SECRET_KEY"]
    second = create_app({"DATABASE_URL": f"sqlite:///{template_db}"}).config["SECRET_KEY"]
    key_file = instance_dir / "secret_key"
    assert first == second == key_file.read_text().strip() and len(first) == 64
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_database_url_comes_from_the_environment(instance_dir, monkeypatch, template_db):
    from core.app import create_app

    monkeypatch.setenv("DOSSIER_DATABASE_URL", f"sqlite:///{template_db}")
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{template_db}"
    assert app.instance_path == str(instance_dir)


def test_users_create_reads_the_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "wang.fang", "--role", "clerk",
                                 "--department", "QA"], input="a-long-password\n")
    assert result.exit_code == 0, result.output
    assert "wang.fang" in result.output
    bad = runner.invoke(args=["users", "create", "li", "--role", "clerk", "--department",
                              "NOPE"], input="a-long-password\n")
    assert bad.exit_code == 1 and "department 'NOPE' does not exist" in bad.output
    short = runner.invoke(args=["users", "create", "li", "--role", "clerk"], input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    nowhere = runner.invoke(args=["users", "create", "li", "--role", "clerk"], input="a-long-password\n")
    assert nowhere.exit_code == 1 and "role 'clerk' works within a department" in nowhere.output
    auditor = runner.invoke(args=["users", "create", "liu", "--role", "auditor"], input="a-long-password\n")
    assert auditor.exit_code == 0, auditor.output  # organisation-wide roles need none
    taken = runner.invoke(args=["users", "create", "clerk", "--role", "clerk", "--department", "CS"],
                          input="a-long-password\n")
    assert taken.exit_code == 1 and "already taken" in taken.output


def test_tokens_create_prints_a_token_that_is_stored_hashed(app, client):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "clerk"])
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("dsr_")
    with app.app_context(), services().db.reading() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert hashlib.sha256(token.encode()).hexdigest() in stored and token not in stored
    assert client.get("/api/v1/forms", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    missing = app.test_cli_runner().invoke(args=["tokens", "create", "ghost"])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_init_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init"])
    second = runner.invoke(args=["init"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert "0 new version(s)" in second.output and "Departments: 0 added" in second.output
    with app.app_context(), services().db.reading() as session:
        assert session.scalar(select(User).filter_by(username="clerk")) is not None
