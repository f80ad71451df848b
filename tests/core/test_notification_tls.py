"""Notification e-mail over TLS against a real SMTP server (aiosmtpd) with a self-signed
certificate the test makes: STARTTLS and implicit TLS (SMTPS), with and without a login (SMTP
AUTH, only over TLS), verified against the office's own CA named as ``[smtp] ca_file``. A
certificate that does not verify, a server that offers no STARTTLS, TLS settings that do not
match the server, and a refused login each send nothing (nothing in clear), keep the mail for
a retry with an error naming the reason (shown to admins), and deliver it exactly once when
the settings are corrected."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from core.clock import Clock, FrozenClock, SystemClock
from core.config import ConfigError, instance_paths, load_config
from core.notifications import notify
from core.notifications.mail import SmtpSettings
from core.outbox import queue
from core.web import services
from tests.support.instance import login
from tests.support.notifications import mail_app, notes_of, set_prefs, user_id, work
from tests.support.smtp_server import HOST, Certificate, SmtpServer, make_certificate

CODE = "CP-2026-000321"
LOGIN = ("dossier", "s3cret pass!")
CLERK = "clerk@office.test"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Certificate]:
    """The office's server certificate (its own CA: self-signed, for 127.0.0.1 and localhost),
    one for another host name, and an unrelated one (another CA)."""
    folder = tmp_path_factory.mktemp("tls")
    return {"office": make_certificate(folder, HOST, "localhost"),
            "other-name": make_certificate(folder, "mail.elsewhere.test"),
            "stranger": make_certificate(folder, "stranger.test")}


@pytest.fixture
def frozen() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 246813, tzinfo=UTC))


@pytest.fixture
def servers() -> Iterator[list[SmtpServer]]:
    """Servers a test starts (``_serve``), stopped after it."""
    started: list[SmtpServer] = []
    yield started
    for server in started:
        server.stop()


@pytest.fixture
def apps() -> Iterator[list[Flask]]:
    made: list[Flask] = []
    yield made
    for app in made:
        with app.app_context():
            services().db.dispose()


def _serve(servers: list[SmtpServer], **options: Any) -> SmtpServer:
    server = SmtpServer(**options)
    server.start()
    servers.append(server)
    return server


def _table(server: SmtpServer, security: str, **more: Any) -> dict[str, Any]:
    return {**server.config(), "security": security, **more}


def _app(apps: list[Flask], template_db: Path, instance_dir: Path, clock: Clock,
         smtp: dict[str, Any]) -> Flask:
    app = mail_app(template_db, instance_dir, clock, smtp)
    apps.append(app)
    set_prefs(app, "clerk", email=CLERK, events=["record.returned"])
    uid = user_id(app, "clerk")
    with app.app_context(), services().db.transaction() as session:
        notify(session, event="record.returned", recipients=[uid], record_code=CODE,
               at=services().clock.now(), key="returned|tls")
    return app


def _waiting(app: Flask) -> list[queue.PendingItem]:
    with app.app_context():
        return [p for p in queue.pending(services().db) if p.topic == "notify.email"]


@pytest.mark.parametrize("clock_kind", ["frozen", "system"])
@pytest.mark.parametrize("security", ["starttls", "ssl"])
@pytest.mark.parametrize("with_login", [True, False])
def test_mail_goes_over_verified_tls_with_and_without_a_login(
        template_db: Path, instance_dir: Path, frozen: FrozenClock, certificates: dict[str, Certificate],
        servers: list[SmtpServer], apps: list[Flask], clock_kind: str, security: str,
        with_login: bool) -> None:
    office = certificates["office"]
    server = _serve(servers, tls=security, certificate=office, login=LOGIN if with_login else None)
    login_table = {"username": LOGIN[0], "password": LOGIN[1]} if with_login else {}
    clock = frozen if clock_kind == "frozen" else SystemClock()
    app = _app(apps, template_db, instance_dir, clock,
               _table(server, security, ca_file=str(office.cert), **login_table))
    work(app, jobs=False)
    work(app, jobs=False)
    [message] = server.mailbox.to(CLERK)
    assert message["Subject"] == f"[Dossier] {CODE} was returned to you for completion"
    [arrival] = server.mailbox.arrivals
    assert arrival.tls is not None and arrival.tls.startswith("TLSv1.")  # not in clear
    assert arrival.login == (LOGIN[0] if with_login else None)
    assert _waiting(app) == [] and notes_of(app, "clerk")[0].emailed_at is not None


@pytest.mark.parametrize(("security", "ca", "reason"), [
    ("starttls", None, "self-signed certificate"),  # the system's CAs do not know the office's
    ("ssl", None, "self-signed certificate"),
    ("starttls", "stranger", "self-signed certificate"),  # another CA than the server's
    ("ssl", "other-name", "IP address mismatch"),  # a certificate for another host name
])
def test_a_certificate_that_does_not_verify_sends_nothing_and_names_why(
        template_db: Path, instance_dir: Path, frozen: FrozenClock, certificates: dict[str, Certificate],
        servers: list[SmtpServer], apps: list[Flask], security: str, ca: str | None, reason: str) -> None:
    served = certificates["other-name" if ca == "other-name" else "office"]
    server = _serve(servers, tls=security, certificate=served)
    table = _table(server, security, **({"ca_file": str(certificates[ca].cert)} if ca else {}))
    app = _app(apps, template_db, instance_dir, frozen, table)
    work(app, jobs=False)
    assert server.mailbox.messages == []
    [row] = _waiting(app)
    assert row.attempts == 1 and "not verified" in (row.last_error or "")
    assert reason in (row.last_error or "") and f"{HOST}:{server.port}" in (row.last_error or "")
    assert notes_of(app, "clerk")[0].email_error is None  # kept for a retry, not given up
    _admin_sees_the_wait(app, reason)

    # The admin names the office's CA (and the server the certificate is for): sent once.
    server.stop()
    fixed = _serve(servers, tls=security, certificate=certificates["office"])
    app.config["SMTP"] = _table(fixed, security, ca_file=str(certificates["office"].cert))
    frozen.advance(minutes=5)
    work(app, jobs=False)
    frozen.advance(hours=2)
    work(app, jobs=False)
    assert len(fixed.mailbox.to(CLERK)) == 1 and fixed.mailbox.arrivals[0].tls is not None
    assert _waiting(app) == []


@pytest.mark.parametrize(("served", "security", "reason"), [
    (None, "starttls", "does not offer STARTTLS"),  # a plain server: not sent in clear
    (None, "ssl", "TLS with"),  # SMTPS configured, the server speaks plain SMTP
    ("starttls", "ssl", "TLS with"),  # SMTPS configured against a STARTTLS port
])
def test_tls_settings_that_do_not_match_the_server_send_nothing_in_clear(
        template_db: Path, instance_dir: Path, frozen: FrozenClock, certificates: dict[str, Certificate],
        servers: list[SmtpServer], apps: list[Flask], served: str | None, security: str,
        reason: str) -> None:
    office = certificates["office"]
    server = _serve(servers, tls=served, certificate=office if served else None)
    app = _app(apps, template_db, instance_dir, frozen, _table(server, security, ca_file=str(office.cert)))
    work(app, jobs=False)
    [row] = _waiting(app)
    assert reason in (row.last_error or "") and "nothing sent" in (row.last_error or "")
    assert server.mailbox.messages == [] and notes_of(app, "clerk")[0].email_error is None


def test_a_refused_login_is_retried_not_given_up_then_delivered_once(
        template_db: Path, instance_dir: Path, frozen: FrozenClock, certificates: dict[str, Certificate],
        servers: list[SmtpServer], apps: list[Flask]) -> None:
    office = certificates["office"]
    server = _serve(servers, tls="starttls", certificate=office, login=LOGIN)
    table = _table(server, "starttls", ca_file=str(office.cert), username=LOGIN[0], password="wrong")
    app = _app(apps, template_db, instance_dir, frozen, table)
    work(app, jobs=False)
    [row] = _waiting(app)
    assert "refused the login" in (row.last_error or "") and "535" in (row.last_error or "")
    assert notes_of(app, "clerk")[0].email_error is None and server.mailbox.messages == []
    _admin_sees_the_wait(app, "refused the login")
    app.config["SMTP"] = {**table, "password": LOGIN[1]}
    frozen.advance(minutes=1)
    work(app, jobs=False)
    frozen.advance(hours=2)
    work(app, jobs=False)
    assert len(server.mailbox.to(CLERK)) == 1 and server.mailbox.arrivals[0].login == LOGIN[0]
    assert _waiting(app) == []


def _admin_sees_the_wait(app: Flask, reason: str) -> None:
    """Admins (only) see that e-mails wait, and why, on their notifications page, in zh and en."""
    for username, language, heading in (("admin", "en", "E-mails waiting to be sent"),
                                        ("admin", "zh", "等待发送的邮件"),
                                        ("supervisor", "en", None)):
        client = app.test_client()
        login(client, username)
        page = client.get("/notifications", headers={"Accept-Language": language}).get_data(as_text=True)
        if heading is None:
            assert "E-mails waiting" not in page and reason not in page
        else:
            assert heading in page and reason in page


@pytest.mark.parametrize(("table", "named"), [
    ({"host": HOST, "security": "none", "username": "dossier", "password": "x"}, "username"),
    ({"host": HOST, "security": "none", "ca_file": "/etc/ssl/certs/ca-certificates.crt"}, "ca_file"),
    ({"host": HOST, "security": "starttls", "ca_file": "office-ca.pem"}, "ca_file"),  # relative
    ({"host": HOST, "security": "ssl", "ca_file": "/nonexistent/office-ca.pem"}, "ca_file"),
    ({"host": HOST, "security": "ssl", "ca_file": __file__}, "ca_file"),  # not a certificate
    ({"host": HOST, "security": "ssl", "password": 1234}, "password"),
    ({"host": HOST, "security": "ssl", "username": "dossier", "password": "密码"}, "password"),
])
def test_smtp_settings_that_could_not_work_safely_stop_start_up(
        template_db: Path, instance_dir: Path, frozen: FrozenClock, table: dict[str, Any],
        named: str) -> None:
    with pytest.raises(ConfigError, match=rf"\[smtp\] {named}"):
        mail_app(template_db, instance_dir, frozen, table)


def test_the_instance_config_file_names_the_ca_file(instance_dir: Path,
                                                     certificates: dict[str, Certificate]) -> None:
    """As an operator writes it in config.toml."""
    (instance_dir / "config.toml").write_text(
        f'[smtp]\nhost = "mail.office.test"\nsecurity = "ssl"\nusername = "dossier"\n'
        f'password = "x"\nca_file = "{certificates["office"].cert}"\n')
    settings = SmtpSettings.from_config(load_config(instance_paths()))
    assert settings is not None and settings.port == 465
    assert settings.ca_file == str(certificates["office"].cert) and settings.username == "dossier"


TEXT = st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.none(), st.lists(st.integers()))


@given(st.dictionaries(st.sampled_from(["host", "port", "security", "username", "password", "from",
                                        "ca_file"]), TEXT | st.sampled_from(["none", "starttls", "ssl"])))
def test_any_smtp_table_is_read_or_refused_naming_smtp(table: dict[str, Any]) -> None:
    try:
        settings = SmtpSettings.from_config({"SMTP": table})
    except ValueError as exc:
        assert str(exc).startswith("[smtp]")
        return
    if settings is not None:
        assert settings.security in ("none", "starttls", "ssl") and 0 < settings.port < 65536
        assert settings.username is None or settings.security != "none"
