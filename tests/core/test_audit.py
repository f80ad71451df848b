"""The audit trail records who did what, and tampering with it is detected."""

import itertools

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from core.audit import trail
from core.audit.models import AuditEvent
from core.web import services
from tests.support.instance import PASSWORD, VALID_CP, csrf_token


def actions(app):
    with app.app_context(), services().db.reading() as session:
        return [(e.action, e.actor_name, e.object_id) for e in
                session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]


def test_logins_submissions_reads_and_token_use_are_recorded(app, client, token_for):
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "username": "clerk",
                                "password": "wrong-password"})
    client.post("/login", data={"csrf_token": csrf_token(page.text), "username": "clerk",
                                "password": PASSWORD})
    headers = token_for("clerk")
    code = client.post("/api/v1/records", headers=headers,
                       json={"form": "CP", "data": VALID_CP}).json["code"]
    client.get(f"/records/{code}")
    client.get("/api/v1/records/nope", headers={"Authorization": "Bearer bogus"})
    recorded = actions(app)
    assert ("login.failed", "clerk", "clerk") in recorded
    assert ("login", "clerk", "clerk") in recorded
    assert ("record.submit", "clerk", code) in recorded
    assert recorded.count(("record.read", "clerk", code)) == 1  # the web page
    assert ("token.rejected", "anonymous", recorded[-1][2]) == recorded[-1]
    with app.app_context(), services().db.reading() as session:
        submit_event = session.scalar(select(AuditEvent).filter_by(action="record.submit"))
        assert submit_event.detail["token"] > 0  # made with a token


def test_verify_passes_then_detects_an_edited_row(app):
    runner = app.test_cli_runner()
    app.test_client().get("/login")
    ok = runner.invoke(args=["audit", "verify", "--lang", "en"])
    assert ok.exit_code == 0 and "chain intact" in ok.output
    with app.app_context(), services().db.transaction() as session:
        session.execute(text("DROP TRIGGER audit_events_no_update"))
        session.execute(text("UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 3"))
    broken = runner.invoke(args=["audit", "verify", "--lang", "en"])
    assert broken.exit_code == 1
    assert "BROKEN at event seq=3" in broken.output and "edited" in broken.output


def test_verify_detects_deleted_events(app):
    with app.app_context(), services().db.transaction() as session:
        session.execute(text("DROP TRIGGER audit_events_no_delete"))
        session.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--lang", "en"])
    assert result.exit_code == 1 and "seq=3" in result.output and "deleted" in result.output


def test_the_database_refuses_to_change_audit_events(app):
    with app.app_context():
        with pytest.raises(DatabaseError, match="append-only"), \
                services().db.transaction() as session:
            session.execute(text("UPDATE audit_events SET action = 'x' WHERE seq = 1"))
        with pytest.raises(DatabaseError, match="append-only"), \
                services().db.transaction() as session:
            session.execute(text("DELETE FROM audit_events"))


def test_each_event_links_to_the_previous_hash(app):
    with app.app_context(), services().db.reading() as session:
        events = [(e.prev_hash, e.hash) for e in
                  session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
        checked, broken = trail.verify(session)
    assert broken is None and checked == len(events) > 3
    assert all(b[0] == a[1] for a, b in itertools.pairwise(events))
