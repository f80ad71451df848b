"""E-mail delivery of notifications through a real SMTP server (aiosmtpd) the test starts:
after commit through the outbox, retried while the server is down and delivered exactly once
when it is back, a 550 recorded and never retried, the per-recipient hourly limit, the daily
digest, and no e-mail at all when no server is configured."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel
from hypothesis import given, settings
from hypothesis import strategies as st

from core.clock import FrozenClock
from core.config import ConfigError, instance_paths, load_config
from core.notifications import notify
from core.notifications.mail import SmtpSettings, compose
from core.notifications.models import Notification, NotificationPrefs
from core.outbox import queue
from core.outbox.models import ScheduledJob
from core.web import services
from tests.support.instance import login
from tests.support.notifications import mail_app, notes_of, set_prefs, user_id, work
from tests.support.smtp_server import SmtpServer

CODE = "CP-2026-000123"


@pytest.fixture
def frozen() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 654321, tzinfo=UTC))


@pytest.fixture
def office(template_db: Path, instance_dir: Path, frozen: FrozenClock,
           smtp_server: SmtpServer) -> Iterator[Flask]:
    app = mail_app(template_db, instance_dir, frozen, smtp_server.config(), NOTIFY_RATE_PER_HOUR=3)
    yield app
    with app.app_context():
        services().db.dispose()


def _tell(app: Flask, username: str, key: str, code: str = CODE) -> None:
    uid = user_id(app, username)
    with app.app_context(), services().db.transaction() as session:
        notify(session, event="record.returned", recipients=[uid], record_code=code,
               at=services().clock.now(), key=key)


def _pending(app: Flask) -> list[queue.PendingItem]:
    with app.app_context():
        return [p for p in queue.pending(services().db) if p.topic == "notify.email"]


def test_server_down_is_retried_then_delivered_exactly_once(
        office: Flask, frozen: FrozenClock, smtp_server: SmtpServer) -> None:
    set_prefs(office, "clerk", email="clerk@office.test", events=["record.returned"])
    smtp_server.stop()
    _tell(office, "clerk", "returned|1")
    work(office, jobs=False)
    waiting = _pending(office)
    assert len(waiting) == 1 and waiting[0].attempts == 1 and "Connection" in (waiting[0].last_error or "")
    frozen.advance(seconds=31)
    work(office, jobs=False)
    assert _pending(office)[0].attempts == 2  # retried, still down: kept, not lost
    with office.app_context(), services().db.reading() as session:
        assert session.get(NotificationPrefs, user_id(office, "clerk")).sent_in_hour == 0  # not counted
    smtp_server.start()
    frozen.advance(minutes=2)
    work(office, jobs=False)
    frozen.advance(hours=2)
    work(office, jobs=False)
    assert [m["Subject"] for m in smtp_server.mailbox.messages] == \
        [f"[Dossier] {CODE} was returned to you for completion"]
    sent_at = notes_of(office, "clerk")[0].emailed_at
    assert _pending(office) == [] and sent_at == frozen.now() - timedelta(hours=2)


def test_a_refused_address_is_recorded_and_not_retried(office: Flask, frozen: FrozenClock,
                                                        smtp_server: SmtpServer) -> None:
    set_prefs(office, "clerk", email="bad-address@office.test", events=["record.returned"])
    _tell(office, "clerk", "returned|2")
    work(office, jobs=False)
    frozen.advance(days=1)
    work(office, jobs=False)
    note = notes_of(office, "clerk")[0]
    assert note.emailed_at is None and note.email_error and "550" in note.email_error
    assert _pending(office) == [] and smtp_server.mailbox.messages == []
    for username, shown in (("admin", True), ("clerk", False), ("supervisor", False)):
        client = office.test_client()
        login(client, username)
        page = client.get("/notifications", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert ("bad-address@office.test" in page) is shown and ("550" in page) is shown


def test_the_hourly_limit_holds_the_rest_until_the_next_hour(office: Flask, frozen: FrozenClock,
                                                             smtp_server: SmtpServer) -> None:
    set_prefs(office, "clerk", email="clerk@office.test", events=["record.returned"])
    for n in range(5):
        _tell(office, "clerk", f"returned|rate|{n}", code=f"CP-2026-00010{n}")
    work(office, jobs=False)
    assert len(smtp_server.mailbox.messages) == 3  # NOTIFY_RATE_PER_HOUR = 3
    assert all("RateLimited" in (p.last_error or "") for p in _pending(office))
    frozen.advance(hours=1, seconds=1)
    work(office, jobs=False)
    assert len(smtp_server.mailbox.messages) == 5 and _pending(office) == []
    codes = sorted(m["Subject"].split()[1] for m in smtp_server.mailbox.messages)
    assert codes == [f"CP-2026-00010{n}" for n in range(5)]  # each once


def test_digest_readers_get_one_mail_a_day(office: Flask, frozen: FrozenClock,
                                           smtp_server: SmtpServer) -> None:
    set_prefs(office, "clerk", email="clerk@office.test", language="zh", events=["record.returned"],
              digest=True)
    for n in range(3):
        _tell(office, "clerk", f"returned|digest|{n}", code=f"CP-2026-00020{n}")
    work(office)
    assert len(smtp_server.mailbox.messages) == 1
    digest = smtp_server.mailbox.messages[0]
    assert "每日摘要" in digest["Subject"] and "3" in digest["Subject"]
    assert all(f"/records/CP-2026-00020{n}" in digest.get_content() for n in range(3))
    frozen.advance(days=1, seconds=1)
    work(office)
    assert len(smtp_server.mailbox.messages) == 1  # nothing new: no empty digest


def test_a_refused_digest_is_recorded_for_admins_and_not_tried_every_day(
        office: Flask, frozen: FrozenClock, smtp_server: SmtpServer) -> None:
    set_prefs(office, "clerk", email="bad-digest@office.test", events=["record.returned"], digest=True)
    for n in range(2):
        _tell(office, "clerk", f"returned|digest-refused|{n}", code=f"CP-2026-00040{n}")
    work(office)
    assert smtp_server.mailbox.messages == [] and _digest_run(office) == (False, "0 digest(s) sent, 1 failed")
    notes = notes_of(office, "clerk")
    assert all(n.emailed_at is None and "550" in (n.email_error or "") for n in notes) and len(notes) == 2
    client = office.test_client()
    login(client, "admin")
    assert "bad-digest@office.test" in client.get("/notifications").get_data(as_text=True)
    frozen.advance(days=1, seconds=1)
    work(office)  # the next day: nothing to send, nothing failing
    assert _digest_run(office) == (True, "0 digest(s) sent, 0 failed")


def _digest_run(app: Flask) -> tuple[bool | None, str | None]:
    with app.app_context(), services().db.reading() as session:
        job = session.get(ScheduledJob, "notify_digest")
        return job.last_ok, job.last_result


#: RFC 5322's msg-id as receiving servers check it: <left@right>, no spaces or further brackets.
MESSAGE_ID = re.compile(r"<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+>")


def test_each_mail_has_a_whole_message_id_and_a_date(office: Flask, frozen: FrozenClock,
                                                     smtp_server: SmtpServer) -> None:
    """A deadline notice's key holds its deadline (colons): make_msgid cut the header at the first
    one, leaving '<…2026-03-02T07' with no '@' or '>'; and no mail carried a Date header."""
    set_prefs(office, "supervisor", email="boss@office.test", events=["deadline.overdue"])
    set_prefs(office, "clerk", email="clerk@office.test", events=["record.returned"], digest=True)
    uid = user_id(office, "supervisor")
    with office.app_context(), services().db.transaction() as session:
        notify(session, event="deadline.overdue", recipients=[uid], record_code=CODE,
               at=frozen.now(), key=f"deadline.overdue|{CODE}|2026-03-02T07:00:00+00:00")
    _tell(office, "clerk", "returned|digest-headers")
    work(office)
    assert len(smtp_server.mailbox.messages) == 2  # the overdue notice and the clerk's digest
    for message in smtp_server.mailbox.messages:
        assert MESSAGE_ID.fullmatch(str(message["Message-ID"])), message["Message-ID"]
        assert parsedate_to_datetime(message["Date"]) == frozen.now().replace(microsecond=0)


@settings(max_examples=200, deadline=None)
@given(key=st.text(min_size=1, max_size=200))
def test_a_notifications_message_id_is_whole_and_the_same_each_time(key: str) -> None:
    """Derived from the notification's key (a resend after a crash is recognised as the same
    mail), whatever the key holds."""
    note = Notification(id=1, recipient_id=1, event="record.returned", record_code=CODE, key=key,
                        created_at=datetime(2026, 3, 2, 1, 30, 0, 654321, tzinfo=UTC))
    prefs = NotificationPrefs(user_id=1, email="clerk@office.test", language="en")
    app = Flask(__name__)
    Babel(app)  # compose speaks the recipient's language
    with app.app_context():
        first = compose(note, prefs, "dossier@office.test", "https://records.example.com")
        again = compose(note, prefs, "dossier@office.test", "https://records.example.com")
    assert MESSAGE_ID.fullmatch(str(first["Message-ID"])) and first["Message-ID"] == again["Message-ID"]


def test_without_a_server_configured_the_app_list_still_works(
        template_db: Path, instance_dir: Path, frozen: FrozenClock, smtp_server: SmtpServer) -> None:
    app = mail_app(template_db, instance_dir, frozen, None)
    set_prefs(app, "clerk", email="clerk@office.test", events=["record.returned"])
    _tell(app, "clerk", "returned|3")
    work(app)
    assert smtp_server.mailbox.messages == [] and _pending(app) == []
    assert [n.emailed_at for n in notes_of(app, "clerk")] == [None]
    with app.app_context():
        services().db.dispose()


def test_the_same_key_twice_is_one_notification(office: Flask, smtp_server: SmtpServer) -> None:
    set_prefs(office, "clerk", email="clerk@office.test", events=["record.returned"])
    _tell(office, "clerk", "returned|4")
    _tell(office, "clerk", "returned|4")
    work(office, jobs=False)
    assert len(notes_of(office, "clerk")) == 1 and len(smtp_server.mailbox.messages) == 1


@pytest.mark.parametrize("table", [{"host": "mail", "security": "tls"}, {"host": "mail", "port": "25"},
                                   {"host": "mail", "port": 70000}])
def test_a_wrong_smtp_table_stops_start_up_naming_it(template_db: Path, instance_dir: Path,
                                                     frozen: FrozenClock, table: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match=r"\[smtp\]"):
        mail_app(template_db, instance_dir, frozen, table)


@pytest.mark.parametrize(("setting", "value"), [("NOTIFY_WARN_AT", 0), ("NOTIFY_WARN_AT", 1.5),
                                                ("NOTIFY_WARN_AT", "0.8"), ("NOTIFY_RATE_PER_HOUR", 0),
                                                ("NOTIFY_OUTBOX_FAILURES", True)])
def test_a_wrong_notification_number_stops_start_up_naming_it(
        template_db: Path, instance_dir: Path, frozen: FrozenClock, setting: str, value: object) -> None:
    with pytest.raises(ConfigError, match=setting):
        mail_app(template_db, instance_dir, frozen, None, **{setting: value})


def test_the_instance_config_files_smtp_table_is_the_one_used(
        instance_dir: Path, smtp_server: SmtpServer) -> None:
    """Written as an operator writes it: lower-case keys and an [smtp] table."""
    (instance_dir / "config.toml").write_text(
        f'notify_rate_per_hour = 7\n[smtp]\nhost = "127.0.0.1"\nport = {smtp_server.port}\n'
        'security = "none"\nfrom = "dossier@office.test"\n')
    config = load_config(instance_paths())
    settings = SmtpSettings.from_config(config)
    assert settings is not None and settings.port == smtp_server.port and settings.security == "none"
    assert config["NOTIFY_RATE_PER_HOUR"] == 7
