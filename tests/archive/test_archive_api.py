"""The archive's read side over the API: catalogue, holds, destruction lists, tombstones — for
the records office only, with clear 400s, and in the OpenAPI document."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from archive import catalogue, holds
from core.web import services
from tests.support.instance import actor_of
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox


def test_the_catalogue_lists_filed_records_in_code_order_with_pages(app: Flask, client: FlaskClient,
                                                                     token_for) -> None:  # type: ignore[no-untyped-def]
    first, second = new_complaint(app), new_complaint(app)
    for code in (second, first):
        close_complaint(app, code)
    open_one = new_complaint(app)
    work_outbox(app)
    body = client.get("/api/v1/archive/catalogue?form=CP&year=2026", headers=token_for("archivist")).json
    assert [e["code"] for e in body["entries"]] == [first, second]  # not the open one
    assert open_one not in str(body)
    entry = body["entries"][0]
    assert entry["number"] == 1 and entry["pages"] >= 1 and entry["formed"] == "2026-03-02"
    assert entry["volume"] == "CP-2026" and entry["retention_until"] == "2029-12-31"


def test_the_catalogue_comes_a_page_at_a_time_when_asked(app: Flask, client: FlaskClient, token_for,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    codes = [new_complaint(app) for _ in range(3)]
    for code in codes:
        close_complaint(app, code)
    work_outbox(app)
    monkeypatch.setattr(catalogue, "PER_PAGE", 2)
    archivist = token_for("archivist")
    second = client.get("/api/v1/archive/catalogue?form=CP&year=2026&page=2", headers=archivist).json
    assert (second["page"], second["pages"], second["total"]) == (2, 2, 3)
    assert [(e["number"], e["code"]) for e in second["entries"]] == [(3, codes[2])]
    past = client.get("/api/v1/archive/catalogue?form=CP&year=2026&page=9", headers=archivist).json
    assert past["page"] == 2  # past the end: the last page
    whole = client.get("/api/v1/archive/catalogue?form=CP&year=2026", headers=archivist).json
    assert [e["code"] for e in whole["entries"]] == codes and "page" not in whole  # as before paging
    bad = client.get("/api/v1/archive/catalogue?form=CP&year=2026&page=0", headers=archivist)
    assert bad.status_code == 400 and "page" in bad.json["fields"]


def test_holds_tombstones_and_lists_are_for_the_records_office(app: Flask, client: FlaskClient,
                                                               token_for) -> None:  # type: ignore[no-untyped-def]
    code = new_complaint(app)
    with app.app_context():
        s = services()
        hold = holds.create_hold(s.db, s.clock, actor_of(app, "archivist"), name="诉讼", reason="起诉",
                                 owner="admin")
        holds.add_records(s.db, s.clock, actor_of(app, "archivist"), hold.id, [code])
    auditor = token_for("auditor")
    listed = client.get("/api/v1/archive/holds", headers=auditor).json["holds"]
    assert listed[0]["records"] == [code] and listed[0]["active"] and listed[0]["owner"] == "admin"
    assert client.get(f"/api/v1/archive/holds/{hold.id}", headers=auditor).json["name"] == "诉讼"
    assert client.get("/api/v1/archive/holds/999", headers=auditor).status_code == 404
    assert client.get("/api/v1/archive/tombstones", headers=auditor).json == {"tombstones": []}
    assert client.get("/api/v1/archive/disposal-lists", headers=auditor).json == {"lists": []}
    for path in ("/api/v1/archive/holds", "/api/v1/archive/tombstones",
                 "/api/v1/archive/catalogue?form=CP&year=2026"):
        assert client.get(path, headers=token_for("clerk")).status_code == 403
    bad = client.get("/api/v1/archive/catalogue?form=CP&year=20x6", headers=auditor)
    assert bad.status_code == 400 and "year" in bad.json["fields"]
    assert client.get("/api/v1/archive/catalogue", headers=auditor).json["fields"].keys() == {"form", "year"}


def test_the_read_side_is_in_the_openapi_document(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"/archive/catalogue", "/archive/holds", "/archive/holds/{hold_id}", "/archive/disposal-lists",
            "/archive/tombstones"} <= set(paths)
