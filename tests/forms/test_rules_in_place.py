"""Form rules do their work in the right place: an access request's saved searches run before the
approval's write transaction (never holding the writer lock), on the revision that is approved;
a submission's flags are written with the record, in its one INSERT, never by an UPDATE after."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from archive.models import Record
from core.audit.models import AuditEvent
from core.web import services
from forms.rules import access_request
from forms.workflow import act
from tests.support.instance import VALID_CP, actor_of

# q=压缩机异响 on CP, as the browser's address bar shows the search page
LINK = "http://127.0.0.1:5000/search?q=%E5%8E%8B%E7%BC%A9%E6%9C%BA%E5%BC%82%E5%93%8D&form=CP"
INSERT_COLUMNS = re.compile(r"^\s*INSERT INTO records \(([^)]*)\)", re.IGNORECASE)
UPDATE_RECORDS = re.compile(r"^\s*UPDATE records\b", re.IGNORECASE)


def engine_of(app: Flask) -> Engine:
    with app.app_context():
        return services().db.engine


@contextmanager
def listening(engine: Engine, *handlers: tuple[str, Callable[..., None]]) -> Iterator[None]:
    for name, handler in handlers:
        event.listen(engine, name, handler)
    try:
        yield
    finally:
        for name, handler in handlers:
            event.remove(engine, name, handler)


class WriteTransactions:
    """Which connections of an engine are in a write transaction now (core.db's ``dossier_write``),
    and the order in which write transactions began and searches ran."""

    def __init__(self) -> None:
        self.open: set[int] = set()
        self.events: list[str] = []

    def began(self, connection: Any) -> None:
        if connection.get_execution_options().get("dossier_write"):
            self.open.add(id(connection))
            self.events.append("write begins")

    def ended(self, connection: Any) -> None:
        self.open.discard(id(connection))

    def handlers(self) -> tuple[tuple[str, Callable[..., None]], ...]:
        return ("begin", self.began), ("commit", self.ended), ("rollback", self.ended)


def post_cp(client: FlaskClient, headers: dict[str, str], complaint: str) -> str:
    response = client.post("/api/v1/records", headers=headers,
                           json={"form": "CP", "data": {**VALID_CP, "complaint": complaint}})
    assert response.status_code == 201, response.json
    return str(response.json["code"])


def post_ar(client: FlaskClient, headers: dict[str, str], wanted: str) -> str:
    data = {"applicant_department": "SALES", "records_wanted": wanted, "purpose": "complaint",
            "reason": "跟进客户投诉", "period_from": "2026-03-02", "period_to": "2026-03-03"}
    response = client.post("/api/v1/records", headers=headers, json={"form": "AR", "data": data})
    assert response.status_code == 201, response.json
    return str(response.json["code"])


def granted_codes(app: Flask, request_code: str) -> list[str]:
    with app.app_context(), services().db.reading() as session:
        return list(session.scalar(select(AuditEvent.detail).where(
            AuditEvent.action == "access.grant", AuditEvent.object_id == request_code))["codes"])


def test_an_approvals_saved_search_runs_before_the_write_transaction(
        app: Flask, client: FlaskClient, token_for: Callable[[str], dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    clerk, sales = token_for("clerk"), token_for("sales")
    found = post_cp(client, clerk, "冷藏柜压缩机异响")
    post_cp(client, clerk, "划痕")
    app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    ar = post_ar(client, sales, f"上月压缩机投诉：{LINK}")
    writes, search = WriteTransactions(), access_request.codes_found

    def searching(*args: Any, **kwargs: Any) -> list[str]:
        writes.events.append("search in a write transaction" if writes.open else "search")
        return search(*args, **kwargs)

    monkeypatch.setattr(access_request, "codes_found", searching)
    with listening(engine_of(app), *writes.handlers()):
        approved = client.post(f"/api/v1/records/{ar}/actions/approve", headers=token_for("archivist"),
                               json={})
    assert approved.status_code == 200, approved.json
    assert "search in a write transaction" not in writes.events
    assert "write begins" in writes.events[writes.events.index("search"):]  # the approval's, after
    assert granted_codes(app, ar) == [found]  # what the search found, as before


def test_a_request_corrected_while_its_search_runs_is_approved_as_corrected(
        app: Flask, client: FlaskClient, token_for: Callable[[str], dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The approval takes the revision its searches were run for: a correction committed in
    between makes the workflow prepare again, on the corrected request, before approving it."""
    clerk, sales = token_for("clerk"), token_for("sales")
    found_by_search = post_cp(client, clerk, "冷藏柜压缩机异响")
    named_instead = post_cp(client, clerk, "划痕")
    app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    ar = post_ar(client, sales, f"上月压缩机投诉：{LINK}")
    searches, search = [], access_request.codes_found

    def searching_while_corrected(*args: Any, **kwargs: Any) -> list[str]:
        searches.append(args)
        s = services()
        act(s.db, s.clock, s.zone, actor_of(app, "sales"), ar, "correct",
            fields={"records_wanted": named_instead}, reason="只需要这一份")
        return search(*args, **kwargs)

    monkeypatch.setattr(access_request, "codes_found", searching_while_corrected)
    approved = client.post(f"/api/v1/records/{ar}/actions/approve", headers=token_for("archivist"),
                           json={})
    assert approved.status_code == 200, approved.json
    assert approved.json["revision"] == 3  # submitted, corrected, approved
    assert len(searches) == 1  # the corrected request names a code: nothing more to search
    assert granted_codes(app, ar) == [named_instead] and found_by_search != named_instead


def statements_of(engine: Engine, call: Callable[[], Any]) -> tuple[Any, list[str]]:
    seen: list[str] = []

    def executing(connection: Any, cursor: Any, statement: str, *rest: Any) -> None:
        seen.append(statement)

    with listening(engine, ("before_cursor_execute", executing)):
        result = call()
    return result, seen


def stored_flags(app: Flask, code: str) -> Any:
    with app.app_context(), services().db.reading() as session:
        return session.scalar(select(Record.flags).where(Record.code == code))


def test_a_submissions_flags_are_written_with_the_record(
        app: Flask, client: FlaskClient, token_for: Callable[[str], dict[str, str]]) -> None:
    engine = engine_of(app)
    visit = {"visit_date": "2026-03-02", "customer_name": "周女士", "phone": "13700001111",
             "needs": "三居室"}

    def register(staff: str) -> Any:
        return client.post("/api/v1/records", headers=token_for(staff), json={
            "form": "VR", "data": {**visit, "receiving_staff": staff}, "confirm_conflict": True})

    first = None
    for staff in ("sales", "sales_boss"):  # the customer's first registration, then a conflict
        response, statements = statements_of(engine, lambda staff=staff: register(staff))
        assert response.status_code == 201, response.json
        flags = response.json["flags"]
        if first is None:
            first = response.json["code"]
            assert flags == {"follow_ups_owed": 3}
        else:
            assert (flags["conflict_with"], flags["claimed_by"], flags["claimed_until"]) == (
                first, "sales", "2026-04-02")
        assert stored_flags(app, response.json["code"]) == flags
        inserts = [m[1] for m in map(INSERT_COLUMNS.match, statements) if m]
        assert len(inserts) == 1 and "flags" in inserts[0].replace(" ", "").split(",")
        assert not [s for s in statements if UPDATE_RECORDS.match(s)], statements


def test_a_record_without_flags_is_inserted_without_them(
        app: Flask, client: FlaskClient, token_for: Callable[[str], dict[str, str]]) -> None:
    response, statements = statements_of(engine_of(app), lambda: client.post(
        "/api/v1/records", headers=token_for("clerk"), json={"form": "CP", "data": VALID_CP}))
    assert response.status_code == 201 and response.json["flags"] == {}
    assert stored_flags(app, response.json["code"]) is None  # NULL, as before: not JSON null
    assert not [s for s in statements if UPDATE_RECORDS.match(s)], statements
