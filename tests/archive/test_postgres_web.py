"""The web pages, sign-in delays and API on a real PostgreSQL server.

Schema, migrations and the audit trail on PostgreSQL are in test_postgres_schema.py; numbering
under load in test_numbering_concurrency.py. These caught a login row lock PostgreSQL refused;
the sign-in delays' own PostgreSQL tests are in tests/core/test_login_throttle_postgres.py.
"""

from __future__ import annotations

import pytest

from tests.support.instance import VALID_CP, csrf_token, login

pytestmark = pytest.mark.postgres



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


def test_sign_in_delay_and_api_on_postgresql(pg_app):
    client = pg_app.test_client()
    for _ in range(5):
        page = client.get("/login")
        client.post("/login", data={"csrf_token": csrf_token(page.text), "username": "sales",
                                    "password": "wrong-password"})
    page = client.get("/login")
    from tests.support.instance import PASSWORD

    locked = client.post("/login", data={"csrf_token": csrf_token(page.text),
                                         "username": "sales", "password": PASSWORD})
    assert locked.status_code == 429  # five failures from here: the next try waits (core.auth.throttle)
    assert "Retry-After" in locked.headers
    token = pg_app.test_cli_runner().invoke(args=["tokens", "create", "clerk"]).output.strip()
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": VALID_CP})
    assert created.status_code == 201 and created.json["code"] == "CP-2026-000001"
    bad = client.post("/api/v1/records", headers=headers,
                      json={"form": "CP", "data": {**VALID_CP, "complaint": "a\u0000b"}})
    assert bad.status_code == 422 and set(bad.json["fields"]) == {"complaint"}
    assert client.get("/api/v1/records/CP-2026-000001", headers=headers).json == created.json
