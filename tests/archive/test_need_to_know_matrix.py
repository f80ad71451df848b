"""Need-to-know as a matrix: every role, inside and outside the record's department, against
every place that shows a record. An auditor or admin reading outside their own department's
work is asked for a reason (the page: the reason form, 403; the API: 403 ``reason_required``);
nobody else is ever asked, and lists and search results (titles only) never ask.

One office for the module (NEED_TO_KNOW "session", the product's default): an access request
(AR, no personal fields, so the archival copy is open to the records office) with a supporting
document, submitted by a CS clerk, and a complaint (CP) for the reveal. Each role has an
"inside" user of CS and an "outside" one (the auditor of the test users has no department).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from core.auth import accounts
from core.clock import FrozenClock
from core.web import services
from forms.customers.linking import customer_id_of
from forms.submission import submit
from tests.support.attachments import stored_files
from tests.support.instance import PASSWORD, VALID_CP, actor_of, login, make_app
from tests.support.lifecycle import work_outbox
from tests.support.upload_samples import photo_jpeg

START = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)

#: user → (role, department, inside the records' department CS)
USERS = {
    "clerk": ("clerk", "CS", True), "sales": ("clerk", "SALES", False),
    "supervisor": ("supervisor", "CS", True), "sales_boss": ("supervisor", "SALES", False),
    "archivist_cs": ("archivist", "CS", True), "archivist": ("archivist", "ARCHIVE", False),
    "auditor_cs": ("auditor", "CS", True), "auditor": ("auditor", None, False),
    "admin_cs": ("admin", "CS", True), "admin": ("admin", "ARCHIVE", False),
}
NEW_USERS = ("archivist_cs", "auditor_cs", "admin_cs")
ASKED = frozenset({"auditor", "admin"})  # organisation-wide, outside their department's work
IN_SCOPE = frozenset(USERS) - {"sales", "sales_boss"}

#: Every place that shows a record's content ({AR}: the record, {sha}: its file). API places
#: start with /api/.
PLACES = {
    "record page": "/records/{AR}",
    "handout PDF": "/records/{AR}.pdf",
    "archival copy": "/records/{AR}/archival.pdf",
    "attachment": "/records/{AR}/files/{sha}",
    "thumbnail": "/records/{AR}/files/{sha}/thumb",
    "actions page": "/records/{AR}/actions/approve",
    "API record": "/api/v1/records/{AR}",
    "API print": "/api/v1/records/{AR}/pdf",
    "API archival copy": "/api/v1/records/{AR}/archival",
    "API attachment": "/api/v1/records/{AR}/files/{sha}",
    "API revisions": "/api/v1/records/{AR}/revisions",
    "API actions": "/api/v1/records/{AR}/actions",
    "API holds": "/api/v1/records/{AR}/holds",
    "customer page": "/customers/{customer}",  # the complaints' customer (forms.customers)
    "API customer": "/api/v1/customers/{customer}",
}
#: Places that list records (titles only): nobody is asked there.
LISTS = {"record list": "/records", "search results": "/search?q=AR-2026",
         "API record list": "/api/v1/records", "API search": "/api/v1/search?q=AR-2026"}


@dataclass
class Office:
    app: Flask
    codes: dict[str, str]
    tokens: dict[str, dict[str, str]]

    def client(self, user: str) -> FlaskClient:
        client = self.app.test_client()
        login(client, user)
        return client


@pytest.fixture(scope="module")
def office(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    directory = tmp_path_factory.mktemp("need_to_know")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOSSIER_INSTANCE", str(directory))
        patch.delenv("DOSSIER_DATABASE_URL", raising=False)
        shutil.copy(template_db, directory / "dossier.sqlite3")
        app = make_app(f"sqlite:///{directory / 'dossier.sqlite3'}", FrozenClock(START),
                       NEED_TO_KNOW="session")
        codes = build_records(app)
        tokens = {}
        with app.app_context():
            for user in USERS:
                token = accounts.create_token(services().db, services().clock, user, "matrix")
                tokens[user] = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        yield Office(app, codes, tokens)
        with app.app_context():
            services().db.dispose()


def build_records(app: Flask) -> dict[str, str]:
    """The extra users, an AR with a supporting photo and a CP, both by the CS clerk, rendered."""
    with app.app_context():
        s = services()
        for user in NEW_USERS:
            role, department, _inside = USERS[user]
            accounts.create_user(s.db, s.clock, username=user, password=PASSWORD, role=role,
                                 department_code=department, display_name=user.title())
        clerk = actor_of(app, "clerk")
        photo = stored_files(app, photo_jpeg())
        ar = submit(s.db, s.clock, s.zone, clerk, "AR", {
            "applicant_department": "CS", "records_wanted": "CP-2026", "purpose": "audit",
            "reason": "核对东区投诉处理时限", "period_from": "2026-03-02", "period_to": "2026-03-09",
            "supporting_documents": photo}).code
        cp = submit(s.db, s.clock, s.zone, clerk, "CP", dict(VALID_CP)).code
        cp2 = submit(s.db, s.clock, s.zone, clerk, "CP", dict(VALID_CP)).code
    work_outbox(app)  # renders the archival copies and thumbnails, indexes for search
    with app.app_context(), services().db.reading() as session:
        customer = customer_id_of(session, cp)
    assert customer is not None
    return {"AR": ar, "CP": cp, "CP2": cp2, "sha": photo[0]["sha256"], "customer": customer}


def asked(response: TestResponse, api: bool) -> bool:
    """Whether the response asks for a need-to-know reason (and shows nothing of the record)."""
    if response.status_code != 403:
        return False
    if api:
        return bool(response.is_json and response.json.get("problem") == "reason_required")
    return 'action="/need-to-know/reason"' in response.get_data(as_text=True)


def fetch(office: Office, client: FlaskClient, user: str, url: str) -> TestResponse:
    if url.startswith("/api/"):
        return office.app.test_client().get(url, headers=office.tokens[user])
    return client.get(url)


@pytest.mark.parametrize("user", list(USERS))
def test_asked_for_a_reason_exactly_where_the_rule_says(office: Office, user: str) -> None:
    client = office.client(user)
    must_ask = user in ASKED
    for place, url in PLACES.items():
        response = fetch(office, client, user, url.format(**office.codes))
        assert asked(response, url.startswith("/api/")) is must_ask, (place, user, response.status_code)
        assert response.status_code < 500, (place, user)
        if not must_ask and user in IN_SCOPE and place != "actions page":
            assert response.status_code == 200, (place, user, response.status_code)
        if user not in IN_SCOPE:
            assert response.status_code in (403, 404), (place, user, response.status_code)
    for place, url in LISTS.items():
        response = fetch(office, client, user, url)
        assert response.status_code == 200 and not asked(response, url.startswith("/api/")), (place, user)


@pytest.mark.parametrize("user", sorted(ASKED))
def test_once_stated_every_place_and_record_reads_for_the_session(office: Office, user: str) -> None:
    client = office.client(user)
    ar = office.codes["AR"]
    form = client.get(f"/records/{ar}")
    assert asked(form, api=False)
    stated = client.post("/need-to-know/reason", data={
        "csrf_token": _csrf(form), "code": ar, "next": f"/records/{ar}", "reason": "季度合规检查：投诉时限"})
    assert stated.status_code == 302 and stated.headers["Location"] == f"/records/{ar}"
    for place, url in PLACES.items():
        if not url.startswith("/api/"):
            response = client.get(url.format(**office.codes))
            assert response.status_code in (200, 403) and not asked(response, False), (place, user)
    assert client.get(f"/records/{office.codes['CP']}").status_code == 200  # another record, no asking
    again = office.client(user)  # a new sign-in is a new session: asked again
    assert asked(again.get(f"/records/{ar}"), api=False)


def _csrf(response: TestResponse) -> str:
    from tests.support.instance import csrf_token

    return csrf_token(response.get_data(as_text=True))


@pytest.mark.parametrize("user", list(USERS))
def test_an_action_over_the_api_asks_exactly_where_a_read_does(office: Office, user: str) -> None:
    """An action answers with the record it changed: an auditor or admin outside their work is
    asked first (nothing is done); everyone else gets the action's own answer."""
    answer = office.app.test_client().post(f"/api/v1/records/{office.codes['CP2']}/actions/no-such-step",
                                           json={}, headers=office.tokens[user])
    assert asked(answer, api=True) is (user in ASKED), (user, answer.status_code, answer.json)
    if user not in ASKED:
        assert answer.status_code in (403, 404), (user, answer.status_code)
