"""A complaint's supervisors hear about it before it is late and again when it is overdue, by a
real SMTP server the test starts, each in their own language, with a link to the record and no
personal data in the subject; the deadline tick (the worker's periodic job) finds both.

The expected moments come from forms.deadlines (due_at, warn_at) for the record's own spec
version, so the tests hold whether that version counts wall-clock or working hours: a complaint
received on a Monday morning, and one received in the evening before National Day (a working
clock waits out the holiday; a wall clock does not)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from archive.records import get_record
from core.auth import accounts
from core.clock import FrozenClock, SystemClock
from core.notifications import notify
from core.web import services
from forms import deadlines
from forms.submission import submit
from forms.versions import fillable_spec, spec_version
from forms.workflow import act
from tests.support.instance import PASSWORD, VALID_CP, actor_of
from tests.support.notifications import PUBLIC_URL, mail_app, notes_of, set_prefs, user_id, work
from tests.support.smtp_server import SmtpServer

EVENTS = ["deadline.nearing", "deadline.overdue"]
EN, ZH = "boss@office.test", "zhuguan@office.test"
SHANGHAI = ZoneInfo("Asia/Shanghai")
#: (received_at as the clerk types it, the clock when it is filed): a Monday morning, and the
#: evening before National Day (1-7 October 2026 are holidays).
RECEIPTS = {
    "monday-morning": ("2026-03-02T09:00:00+08:00", datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)),
    "holiday-eve": ("2026-09-30T19:40:00+08:00", datetime(2026, 9, 30, 11, 52, 7, 654321, tzinfo=UTC)),
}


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


def _complaint(app: Flask, received_at: str = VALID_CP["received_at"]) -> tuple[str, datetime, datetime]:
    """A complaint filed by the CS clerk: its code, the warning moment and the deadline, from
    the deadline rules of the spec version it was filed under."""
    with app.app_context():
        s = services()
        view = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP",
                      {**VALID_CP, "received_at": received_at})
        spec = spec_version(s.db, "CP", view.form_version)
        due = deadlines.due_at(spec, view.data)
        warn = deadlines.warn_at(spec, view.data, 0.8)
    assert due is not None and warn is not None and warn < due
    return view.code, warn, due


@pytest.mark.parametrize("receipt", sorted(RECEIPTS))
def test_supervisors_are_told_before_due_and_when_overdue_in_their_language(
        office: Flask, frozen: FrozenClock, smtp_server: SmtpServer, receipt: str) -> None:
    received_at, filed = RECEIPTS[receipt]
    frozen.current = filed
    code, warn, due = _complaint(office, received_at)
    assert warn > filed  # the warning is ahead: nothing is due at filing
    if receipt == "holiday-eve":  # either clock: no earlier than the evening, before 8 October
        assert datetime(2026, 9, 30, 12, tzinfo=UTC) < due < datetime(2026, 10, 8, 16, tzinfo=UTC)
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
    nearing, overdue = notes_of(office, "supervisor")
    assert [nearing.event, overdue.event] == EVENTS
    assert warn < nearing.created_at and nearing.emailed_at is not None and nearing.emailed_at < due
    assert due < overdue.created_at and overdue.emailed_at is not None
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


def _nearing_now(app: Flask) -> str:
    """A receipt time (Shanghai, whole minutes) whose complaint is, on the system clock, past its
    warning and more than ten minutes from its deadline, searched back from now in 10-minute
    steps: 4.5 h ago on a wall clock; on a working clock as many working hours back."""
    with app.app_context():
        s = services()
        spec = fillable_spec(s.db, "CP")  # the version a complaint filed now is filed under
        now = datetime.now(UTC)
        start = now.astimezone(SHANGHAI).replace(second=0, microsecond=0)
        for step in range(1, 6 * 24 * 40):
            received = (start - timedelta(minutes=10 * step)).isoformat()
            data: dict[str, Any] = {**VALID_CP, "received_at": received}
            warn, due = deadlines.warn_at(spec, data, 0.8), deadlines.due_at(spec, data)
            if warn is not None and due is not None and warn <= now and due > now + timedelta(minutes=10):
                return received
    raise AssertionError("no receipt time puts a complaint between its warning and its deadline")


def test_on_the_system_clock_a_complaint_nearing_its_deadline_is_told_once(
        template_db: Path, instance_dir: Path, smtp_server: SmtpServer) -> None:
    app = mail_app(template_db, instance_dir, SystemClock(), smtp_server.config())
    _two_supervisors(app)
    code, warn, due = _complaint(app, _nearing_now(app))
    work(app)
    work(app)
    assert [m["Subject"] for m in smtp_server.mailbox.to(EN)] == [f"[Dossier] {code} is nearing its deadline"]
    [chinese] = smtp_server.mailbox.to(ZH)
    assert code in chinese["Subject"] and "截止" in chinese["Subject"]
    assert f"{PUBLIC_URL}/records/{code}" in chinese.get_content()
    [note] = notes_of(app, "supervisor")
    assert note.event == "deadline.nearing" and warn <= note.created_at < due
    with app.app_context():
        services().db.dispose()


def test_a_complaint_late_all_along_is_told_once_though_its_deadline_moved(
        office: Flask, frozen: FrozenClock, smtp_server: SmtpServer) -> None:
    """Classifying a late complaint (level 3: more hours) moves its deadline, but it was late
    before and is late after: one overdue notice, not a second a minute later (the walk's
    supervisor got two for one complaint). A correction that puts it back in time, then late
    again, is a new lateness: told again."""
    code, _warn, due = _complaint(office)
    frozen.current = due + timedelta(days=2, microseconds=7)
    work(office)
    assert [m["Subject"] for m in smtp_server.mailbox.to(EN)] == [f"[Dossier] {code} is overdue"]
    with office.app_context():
        s = services()
        act(s.db, s.clock, s.zone, actor_of(office, "supervisor"), code, "classify",
            fields={"cause_class": "quality", "level": "3", "responsible_department": "CS"})
        record = get_record(s.db, s.clock, actor_of(office, "supervisor"), code)
    assert due < record.due_at < frozen.now()  # moved later, still late
    frozen.current += timedelta(seconds=61)
    work(office)
    assert len(smtp_server.mailbox.to(EN)) == 1 and len(notes_of(office, "supervisor")) == 1

    received = frozen.now().astimezone(SHANGHAI).replace(second=0, microsecond=0)
    with office.app_context():
        s = services()
        act(s.db, s.clock, s.zone, actor_of(office, "clerk"), code, "correct",
            fields={"received_at": received.isoformat()}, reason="受理时间登记错误")
        record = get_record(s.db, s.clock, actor_of(office, "clerk"), code)
    assert record.due_at > frozen.now()  # in time again
    frozen.current = record.due_at + timedelta(seconds=61)
    work(office)
    overdue = [m for m in smtp_server.mailbox.to(EN) if m["Subject"].endswith("is overdue")]
    assert len(overdue) == 2


def test_an_overdue_notice_under_the_earlier_key_is_not_repeated(
        office: Flask, frozen: FrozenClock, smtp_server: SmtpServer) -> None:
    """Told before the key held since when the record is late (it held the deadline): the
    worker restarted on the new code told every overdue record again (seen on the walk)."""
    code, _warn, due = _complaint(office)
    frozen.current = due + timedelta(hours=1, microseconds=3)
    earlier_key = f"deadline.overdue|{code}|{due.astimezone(UTC).isoformat()}"
    with office.app_context(), services().db.transaction() as session:
        notify(session, event="deadline.overdue", recipients=[user_id(office, "supervisor")],
               record_code=code, at=frozen.now(), key=earlier_key)
    work(office)
    frozen.current += timedelta(seconds=61)
    work(office)
    assert len(notes_of(office, "supervisor")) == 1
