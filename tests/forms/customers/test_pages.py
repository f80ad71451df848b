"""The customer's view in every place that shows it, for every role: the lookup by number, the
page, the API (by number, by id, from a record), the record page's link, the search page's
banner and hit links. Each role sees the records its scope covers, masked as on their pages,
and a number or record outside its scope finds nothing. Need-to-know asks admins first."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.auth import accounts
from core.clock import FrozenClock
from core.web import services
from tests.support.customers import CLEAR_DIGITS, LANDLINE, MOBILE, Customer, five_records
from tests.support.instance import csrf_token, login
from tests.support.lifecycle import work_outbox

#: username -> (which of the customer's records the role sees, whether it reads them whole)
SEES = {
    "admin": ("all", False), "auditor": ("all", False), "archivist": ("all", False),
    "clerk": ("customer_service", True), "supervisor": ("customer_service", True),
    "sales": ("visit", True), "sales_boss": ("visit", True),
}


def _expected(customer: Customer, scope: str) -> list[str]:
    """In the page's order: open complaints first, then newest first."""
    return {"all": [customer.open_complaint, customer.visit, customer.renewal_by_policy,
                    customer.renewal_by_phone, customer.closed_complaint],
            "customer_service": [customer.open_complaint, customer.renewal_by_policy,
                                 customer.renewal_by_phone, customer.closed_complaint],
            "visit": [customer.visit]}[scope]


def _codes_in(text: str) -> list[str]:
    found = re.findall(r"\b(?:CP|RS|VR)-2026-\d{6}\b", text)
    return list(dict.fromkeys(found))


def _clear(text: str) -> bool:
    return any(digits in text for digits in CLEAR_DIGITS)


@pytest.fixture
def customer(app: Flask, clock: FrozenClock) -> Customer:
    made = five_records(app, clock)
    work_outbox(app)  # indexed for the search page
    return made


@pytest.mark.parametrize("username", sorted(SEES))
def test_every_place_shows_the_role_its_records_masked_as_on_their_pages(
        app: Flask, customer: Customer, username: str, logged_in: Callable[[str], FlaskClient],
        token_for: Callable[[str], dict[str, str]]) -> None:
    scope, whole = SEES[username]
    expected = _expected(customer, scope)
    number = LANDLINE if scope == "visit" else MOBILE
    web, api = logged_in(username), app.test_client()
    headers = token_for(username)
    page_url = f"/customers/{customer.customer_id}"

    found = web.get("/customers", query_string={"number": f"+86 {number[:3]}-{number[3:7]}-{number[7:]}"})
    assert found.status_code == 302 and found.headers["Location"].endswith(page_url), "lookup"
    page = web.get(page_url).get_data(as_text=True)
    assert _codes_in(page.split('id="customer-records"')[1]) == expected, "page"
    assert _clear(page) is whole, "page masking"

    for url in (f"/api/v1/customers?number={number}", f"/api/v1{page_url}",
                f"/api/v1/records/{expected[0]}/customer"):
        answer = api.get(url, headers=headers)
        assert answer.status_code == 200, url
        assert [r["code"] for r in answer.json["records"]] == expected, url
        assert _clear(answer.get_data(as_text=True)) is whole, f"{url} masking"

    for code in customer.codes:
        link = web.get(f"/records/{code}/customer")
        assert link.status_code == (302 if code in expected else 404), f"record link {code}"
        record_page = web.get(f"/records/{code}")
        assert ('id="customer-link"' in record_page.get_data(as_text=True)) is (code in expected), code
    assert web.get(f"/records/{customer.stranger}/customer").headers.get("Location", "") != page_url

    search = web.get("/search", query_string={"q": number}).get_data(as_text=True)
    assert (page_url in search) is True, "search banner"
    for code in _codes_in(search):
        assert f"/records/{code}/customer" in search, f"search hit link {code}"


def test_a_number_only_another_department_carries_finds_nothing(
        customer: Customer, logged_in: Callable[[str], FlaskClient],
        token_for: Callable[[str], dict[str, str]], app: Flask) -> None:
    """Sales sees the visit (landline) but not the complaints carrying the mobile: the mobile
    finds nothing for them, as it finds nothing for a number no record carries."""
    sales = logged_in("sales")
    for number in (MOBILE, "13700000000"):
        answer = sales.get("/customers", query_string={"number": number})
        assert answer.status_code == 404 and 'id="not-found"' in answer.get_data(as_text=True)
        assert app.test_client().get("/api/v1/customers", query_string={"number": number},
                                     headers=token_for("sales")).status_code == 404
    assert customer.customer_id not in sales.get("/search", query_string={"q": MOBILE}).get_data(as_text=True)
    clerk = logged_in("clerk")
    assert clerk.get("/customers/" + "0" * 20).status_code == 404
    assert clerk.get("/customers/%25").status_code == 404


@pytest.mark.parametrize("typed", ["", "   ", "x" * 65])
def test_a_lookup_that_is_no_number_is_refused_by_name(
        typed: str, logged_in: Callable[[str], FlaskClient], app: Flask,
        token_for: Callable[[str], dict[str, str]]) -> None:
    page = logged_in("clerk").get("/customers", query_string={"number": typed})
    assert page.status_code == 400 and 'id="number-error"' in page.get_data(as_text=True)
    answer = app.test_client().get("/api/v1/customers", query_string={"number": typed},
                                   headers=token_for("clerk"))
    assert answer.status_code == 422 and "number" in answer.json["fields"]


def test_the_page_and_its_reads_are_audited_without_the_number(
        app: Flask, customer: Customer, logged_in: Callable[[str], FlaskClient]) -> None:
    clerk = logged_in("clerk")
    with app.app_context(), services().db.reading() as session:
        before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    clerk.get(f"/customers/{customer.customer_id}")
    with app.app_context(), services().db.reading() as session:
        events = [(e.action, e.object_id, e.detail) for e in
                  session.scalars(select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id))]
    reads = sorted(code for action, code, _ in events if action == "record.read")
    assert reads == sorted(customer.customer_service)
    assert events[-1] == ("customer.view", customer.customer_id, {"records": 4, "withheld": 0})
    assert not _clear(str(events))


def test_need_to_know_asked_once_per_session_opens_the_page(
        configured_app: Callable[..., Flask], clock: FrozenClock) -> None:
    app = configured_app(clock, NEED_TO_KNOW="session")
    customer = five_records(app, clock)
    admin = app.test_client()
    login(admin, "admin")
    asked = admin.get(f"/customers/{customer.customer_id}")
    assert asked.status_code == 403 and 'name="reason"' in asked.get_data(as_text=True)
    html = asked.get_data(as_text=True)
    stated = admin.post("/need-to-know/reason", data={
        "csrf_token": csrf_token(html), "reason": "客户来电投诉处理复核", "code": _hidden(html, "code"),
        "next": _hidden(html, "next")})
    assert stated.status_code == 302 and stated.headers["Location"].endswith(customer.customer_id)
    shown = admin.get(f"/customers/{customer.customer_id}").get_data(as_text=True)
    assert len(_codes_in(shown.split('id="customer-records"')[1])) == 5


def test_need_to_know_asked_per_record_lists_what_waits_for_a_reason(
        configured_app: Callable[..., Flask], clock: FrozenClock) -> None:
    app = configured_app(clock, NEED_TO_KNOW="record")
    customer = five_records(app, clock)
    admin = app.test_client()
    login(admin, "admin")
    page = admin.get(f"/customers/{customer.customer_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="customer-records"' not in html
    assert sorted(_codes_in(html.split('id="withheld"')[1])) == sorted(customer.codes)
    with app.app_context():
        token = accounts.create_token(services().db, services().clock, "admin", "test")
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    bare = api.get(f"/api/v1/customers/{customer.customer_id}", headers=bearer)
    assert bare.status_code == 200 and bare.json["records"] == []
    assert sorted(bare.json["withheld"]) == sorted(customer.codes)
    reasoned = api.get(f"/api/v1/customers/{customer.customer_id}",
                       headers={**bearer, "X-Dossier-Reason": quote("监管检查抽样")})
    assert reasoned.status_code == 200, reasoned.json
    assert len(reasoned.json["records"]) == 5 and reasoned.json["withheld"] == []


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" type="hidden" value="([^"]*)"'
                      rf'|type="hidden" name="{name}" value="([^"]*)"'
                      rf'|id="{name}" name="{name}" type="hidden" value="([^"]*)"', html)
    assert found, name
    return next(g for g in found.groups() if g is not None).replace("&amp;", "&")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.text(max_size=80))
def test_whatever_is_typed_is_answered_never_a_server_error(
        typed: str, logged_in: Callable[[str], FlaskClient]) -> None:
    answer = logged_in("clerk").get("/customers", query_string={"number": typed})
    assert answer.status_code in (302, 400, 404), typed
    if answer.status_code == 400:
        assert 'id="number-error"' in answer.get_data(as_text=True)
