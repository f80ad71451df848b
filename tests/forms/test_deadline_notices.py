"""A complaint's supervisors hear about it before it is late and again when it is overdue, by a
real SMTP server the test starts, each in their own language, with a link to the record and no
personal data in the subject; the deadline tick (the worker's periodic job) finds both."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from core.auth import accounts
from core.clock import FrozenClock, SystemClock
from core.web import services
from forms import deadlines
from forms.submission import submit
from forms.versions import spec_version
from tests.support.instance import PASSWORD, VALID_CP, actor_of
from tests.support.notifications import PUBLIC_URL, mail_app, notes_of, set_prefs, work
from tests.support.smtp_server import SmtpServer

EVENTS = ["deadline.nearing", "deadline.overdue"]
EN, ZH = "boss@office.test", "zhuguan@office.test"


@pytest.fixture
def frozen() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC))


@pytest.fixture
def office(template_db: Path, instance_dir: Path, frozen: FrozenClock,
           smtp_server: SmtpServer) -> Iterator[Flask]:
    app = mail_app(template_db, instance_dir, frozen, smtp_server.config())
    _two_supervisors(app)
    yield app
    with app.app_context():
        services().db.dispose()


def _two_supervisors(app: Flask) -> None:
    """The CS department's supervisor reads English; a second one, made here, Chinese."""
    with app.app_context():
        accounts.create_user(services().db, services().clock, username="zhuguan", password=PASSWORD,
                             role="supervisor", department_code="CS", display_name="主管")
    set_prefs(app, "supervisor", email=EN, language="en", events=EVENTS)
    set_prefs(app, "zhuguan", email=ZH, language="zh", events=EVENTS)


def _complaint(app: Flask) -> tuple[str, datetime, datetime]:
    """A complaint filed by the CS clerk: its code, the warning moment and the deadline."""
    with app.app_context():
        s = services()
        view = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP", VALID_CP)
        spec = spec_version(s.db, "CP", view.form_version)
        due = deadlines.due_at(spec, view.data)
        warn = deadlines.warn_at(spec, view.data, 0.8)
    assert due is not None and warn is not None and warn < due
    return view.code, warn, due


def test_supervisors_are_told_before_due_and_when_overdue_in_their_language(
        office: Flask, frozen: FrozenClock, smtp_server: SmtpServer) -> None:
    code, warn, due = _complaint(office)
    frozen.current = warn - timedelta(seconds=61)
    work(office)
    assert smtp_server.mailbox.messages == [] and notes_of(office, "supervisor") == []

    frozen.current = warn + timedelta(microseconds=1)
    work(office)
    english, chinese = smtp_server.mailbox.to(EN), smtp_server.mailbox.to(ZH)
    assert [m["Subject"] for m in english] == [f"[Dossier] {code} is nearing its deadline"]
    assert len(chinese) == 1 and code in chinese[0]["Subject"] and "截止" in chinese[0]["Subject"]
    for message in english + chinese:
        assert f"{PUBLIC_URL}/records/{code}" in message.get_content()
        for personal in (VALID_CP["customer_name"], VALID_CP["phone"], VALID_CP["complaint"]):
            assert personal not in message["Subject"] and personal not in message.get_content()

    frozen.current = due  # the boundary is still in time: no overdue mail yet
    work(office)
    assert len(smtp_server.mailbox.messages) == 2
    frozen.current = due + timedelta(seconds=61)
    work(office)
    assert [m["Subject"] for m in smtp_server.mailbox.to(EN)][1] == f"[Dossier] {code} is overdue"
    assert "逾期" in smtp_server.mailbox.to(ZH)[1]["Subject"]

    frozen.current += timedelta(minutes=5)  # later ticks find the same events: nothing again
    work(office)
    assert len(smtp_server.mailbox.messages) == 4
    assert [n.event for n in notes_of(office, "supervisor")] == EVENTS
    assert notes_of(office, "clerk") == []  # the filler is not a supervisor: not told


def test_on_the_system_clock_an_overdue_complaint_is_told_once(
        template_db: Path, instance_dir: Path, smtp_server: SmtpServer) -> None:
    app = mail_app(template_db, instance_dir, SystemClock(), smtp_server.config())
    set_prefs(app, "supervisor", email=EN, language="en", events=EVENTS)
    _complaint(app)  # received 2026-03-02: long past its deadline on the real clock
    work(app)
    work(app)
    assert [m["Subject"].endswith("is overdue") for m in smtp_server.mailbox.to(EN)] == [True]
    with app.app_context():
        services().db.dispose()
