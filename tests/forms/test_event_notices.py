"""The other events that reach people, each produced in the event's own transaction and shown
only to its recipient: a returned record to its filler, an access request's decision to its
applicant, a destruction list to the admins who approve it (not its proposer), an outbox task
failing again and again and a failed fixity check to admins. One notification per occurrence."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update

from archive import disposal
from archive.models import Record
from core.clock import FrozenClock
from core.notifications.producers import failing_outbox
from core.outbox.models import OutboxItem
from core.web import services
from forms import deadlines
from forms.submission import submit
from forms.versions import spec_version
from forms.workflow import act
from tests.support.customer_requests import register
from tests.support.inbox_tallies import AR
from tests.support.instance import VALID_CP, actor_of, login
from tests.support.lifecycle import DAYS_TO_2030, filed_complaints
from tests.support.notifications import notes_of, work
from tests.support.outbox import enqueue_rows

EVERYONE = ("admin", "archivist", "auditor", "supervisor", "clerk", "sales", "sales_boss")


def _told(app: Flask) -> dict[str, list[tuple[str, str | None]]]:
    return {name: [(n.event, n.record_code) for n in notes_of(app, name)] for name in EVERYONE
            if notes_of(app, name)}


def test_a_returned_record_is_told_to_its_filler_once_per_return(app: Flask) -> None:
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP", VALID_CP).code
        act(s.db, s.clock, s.zone, actor_of(app, "supervisor"), code, "return", reason="缺少订单号")
    assert _told(app) == {"clerk": [("record.returned", code)]}
    with app.app_context():
        s = services()
        act(s.db, s.clock, s.zone, actor_of(app, "clerk"), code, "complete")
        act(s.db, s.clock, s.zone, actor_of(app, "supervisor"), code, "return", reason="仍缺")
    assert _told(app) == {"clerk": [("record.returned", code)] * 2}  # a second return: told again


def test_an_access_request_decision_is_told_to_its_applicant(app: Flask) -> None:
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "AR", AR).code
        act(s.db, s.clock, s.zone, actor_of(app, "archivist"), code, "deny", reason="范围过大")
    assert _told(app) == {"clerk": [("access.decided", code)]}


def test_a_destruction_list_is_told_to_the_admins_who_may_approve_it(app: Flask,
                                                                    clock: FrozenClock) -> None:
    codes = filed_complaints(app, 1)
    clock.advance(days=DAYS_TO_2030)
    with app.app_context():
        s = services()
        listed = disposal.propose(s.db, s.clock, s.zone, actor_of(app, "archivist"), codes, "到期")
    assert _told(app) == {"admin": [("destruction.awaiting", str(listed.id))]}
    page = _page(app, "admin")
    assert f'href="/archive/disposal/{listed.id}"' in page


def test_a_task_failing_again_and_again_is_told_to_admins_once(app: Flask) -> None:
    enqueue_rows(app, "pdf.archival", ["CP-2026-000999"])
    with app.app_context(), services().db.transaction() as session:
        session.execute(update(OutboxItem).values(attempts=4, last_error="boom"))
    with app.app_context():
        failing_outbox()
    assert _told(app) == {}  # 4 < NOTIFY_OUTBOX_FAILURES (5)
    with app.app_context(), services().db.transaction() as session:
        session.execute(update(OutboxItem).values(attempts=5))
    with app.app_context():
        failing_outbox()
        failing_outbox()
    [(event, code)] = _told(app)["admin"]
    assert event == "outbox.failing" and code.startswith("pdf.archival#") and set(_told(app)) == {"admin"}


def _page(app: Flask, username: str) -> str:
    client = app.test_client()
    login(client, username)
    return client.get("/notifications", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_a_customer_request_nearing_its_deadline_is_its_own_event(app: Flask, clock: FrozenClock) -> None:
    code = register(app)
    with app.app_context():
        s = services()
        with s.db.reading() as session:
            version, data = session.execute(select(Record.form_version, Record.data)
                                            .where(Record.code == code)).one()
        spec = spec_version(s.db, "PR", version)
        warn, due = deadlines.warn_at(spec, data, 0.8), deadlines.due_at(spec, data)
    assert warn is not None and due is not None and warn < due
    clock.current = warn + timedelta(microseconds=1)
    work(app)
    assert _told(app) == {"supervisor": [("request.nearing", code)]}
    clock.current = due + timedelta(minutes=1)
    work(app)
    assert _told(app) == {"supervisor": [("request.nearing", code), ("deadline.overdue", code)]}
