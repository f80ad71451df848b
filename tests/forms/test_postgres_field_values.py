"""The field types' round trip on a real PostgreSQL server (issue 15): any values the published
JSON Schema accepts, sent to the API, are stored and read back as on SQLite (record data is JSON
in PostgreSQL: numbers, key order, CJK, emoji and control characters must survive it), and
refused values are 422 naming the field, not a database error."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings

from tests.support.field_values import install_test_form, one_bad_field, record_data
from tests.support.instance import csrf_token, login
from tests.support.stored_values import BASE, assert_record_data

pytestmark = pytest.mark.postgres
SHARED = settings(max_examples=25, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def pt(pg_app: Flask, token_for_pg) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    install_test_form(pg_app)
    return {"api": pg_app.test_client(), "headers": token_for_pg("clerk")}


@pytest.fixture
def token_for_pg(pg_app: Flask):  # type: ignore[no-untyped-def]
    from core.auth import accounts
    from core.web import services

    def make(username: str) -> dict[str, str]:
        with pg_app.app_context():
            token = accounts.create_token(services().db, services().clock, username, "test")
        return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    return make


@SHARED
@given(data=record_data())
def test_accepted_values_round_trip_on_postgresql(pt, data) -> None:  # type: ignore[no-untyped-def]
    created = pt["api"].post("/api/v1/records", json={"form": "PT", "data": data}, headers=pt["headers"])
    assert created.status_code == 201, created.json
    read = pt["api"].get(f"/api/v1/records/{created.json['code']}", headers=pt["headers"])
    assert read.json["data"] == created.json["data"]
    assert_record_data(data, read.json["data"])


@SHARED
@given(bad=one_bad_field())
def test_refused_values_are_422_on_postgresql(pt, bad) -> None:  # type: ignore[no-untyped-def]
    name, value = bad
    response = pt["api"].post("/api/v1/records", json={"form": "PT", "data": {**BASE, name: value}},
                              headers=pt["headers"])
    assert response.status_code == 422 and set(response.json["fields"]) == {name}, response.json


def test_nul_typed_into_a_draft_or_a_reason_is_no_database_error(pg_app, pt) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL text and JSON cannot hold NUL: a pasted NUL in a draft or in a correction's
    reason was a 500 there (never on SQLite). The draft keeps the rest; the reason is refused."""
    web = pg_app.test_client()
    login(web, "clerk")
    token = csrf_token(web.get("/forms/PT/new").text)
    saved = web.post("/forms/PT/new", data={"csrf_token": token, "action": "save_draft",
                                            "title_text": "a\x00b"})
    assert saved.status_code == 302
    assert 'value="ab"' in web.get(saved.headers["Location"]).text
    done = web.post("/forms/PT/new", data={"csrf_token": token, "action": "submit", "title_text": "ok"})
    code = done.headers["Location"].rsplit("/", 1)[1]
    refused = web.post(f"/records/{code}/actions/correct", data={
        "csrf_token": token, "title_text": "ok2", "reason": "a\x00b", "revision": "1"})
    assert refused.status_code == 422 and 'name="reason"' in refused.text
    api = pt["api"].post(f"/api/v1/records/{code}/actions/correct", headers=pt["headers"],
                         json={"fields": {"title_text": "ok3"}, "reason": "a\x00b"})
    assert api.status_code == 422 and set(api.json["fields"]) == {"reason"}, api.json
