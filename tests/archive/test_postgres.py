"""The same code and migrations on a real PostgreSQL server: schema, audit chain, triggers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from core import schema
from core.audit import trail
from core.clock import FrozenClock
from core.web import services
from tests.support.instance import VALID_CP, csrf_token, login, make_app, populate

pytestmark = pytest.mark.postgres



@pytest.fixture
def pg_app(pg_url: str, instance_dir) -> Iterator[Flask]:
    app = make_app(pg_url, FrozenClock(datetime(2026, 3, 2, 1, 30, tzinfo=UTC)))
    populate(app)
    yield app
    with app.app_context():
        services().db.dispose()


def test_migrations_are_current_and_idempotent(pg_app):
    with pg_app.app_context():
        assert services().db.dialect == "postgresql"
        assert schema.is_current(services().db)
        schema.upgrade(services().db)
        assert schema.is_current(services().db)
    result = pg_app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0 and "0 new version(s)" in result.output


def test_web_submission_and_api_read_on_postgresql(pg_app):
    client = pg_app.test_client()
    login(client, "clerk")
    page = client.get("/forms/CP/new")
    response = client.post("/forms/CP/new", data={
        "csrf_token": csrf_token(page.text), "action": "submit", "channel": "phone",
        "received_at": "2026-03-02 09:00", "customer_name": "上海恒丰", "phone": "13800138000",
        "complaint": "划痕\n第二行"})
    assert response.headers["Location"] == "/records/CP-2026-000001"
    assert "上海恒丰" in client.get("/records/CP-2026-000001").text


def test_audit_chain_verifies_and_the_database_refuses_edits(pg_app):
    client = pg_app.test_client()
    login(client, "clerk")
    with pg_app.app_context():
        db = services().db
        with db.reading() as session:
            checked, broken = trail.verify(session)
        assert broken is None and checked > 5
        for statement in ("UPDATE audit_events SET action = 'x' WHERE seq = 1",
                          "DELETE FROM audit_events WHERE seq = 1"):
            with pytest.raises(DatabaseError, match="append-only"), db.transaction() as session:
                session.execute(text(statement))


def test_a_directly_edited_event_is_found(pg_app):
    with pg_app.app_context(), services().db.transaction() as session:
        session.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        session.execute(text("UPDATE audit_events SET detail = '{\"role\": \"admin\"}' WHERE seq = 4"))
    result = pg_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "BROKEN at event seq=4" in result.output


def test_lockout_and_api_on_postgresql(pg_app):
    client = pg_app.test_client()
    for _ in range(5):
        page = client.get("/login")
        client.post("/login", data={"csrf_token": csrf_token(page.text), "username": "sales",
                                    "password": "wrong-password"})
    page = client.get("/login")
    from tests.support.instance import PASSWORD

    locked = client.post("/login", data={"csrf_token": csrf_token(page.text),
                                         "username": "sales", "password": PASSWORD})
    assert locked.status_code == 401
    token = pg_app.test_cli_runner().invoke(args=["tokens", "create", "clerk"]).output.strip()
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": VALID_CP})
    assert created.status_code == 201 and created.json["code"] == "CP-2026-000001"
    bad = client.post("/api/v1/records", headers=headers,
                      json={"form": "CP", "data": {**VALID_CP, "complaint": "a\u0000b"}})
    assert bad.status_code == 422 and set(bad.json["fields"]) == {"complaint"}
    assert client.get("/api/v1/records/CP-2026-000001", headers=headers).json == created.json
