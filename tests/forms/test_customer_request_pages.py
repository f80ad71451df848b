"""The personal data request's pages and its copy for the customer: the duty shown before
deciding, wrong input answered on the page in the user's language, CSRF, who may; the answer PDF
read back (the customer's data in it, other people's masked); the request's input under
hypothesis; the whole path on the system clock."""

from __future__ import annotations

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from archive.models import Record
from core.clock import SystemClock
from core.web import services
from forms.submission import submit
from forms.validation import InvalidData
from tests.support.customer_requests import (
    CUSTOMER,
    PHONE,
    customer_complaint,
    decide_on,
    events,
    items,
    register,
    request_data,
    step,
)
from tests.support.instance import actor_of, csrf_token, login
from tests.support.pdf import text_of

EN = {"Accept-Language": "en"}
CONTACT = "王建国"  # the customer's contact person: someone else, masked on the copy
RELATIVE = "李梅"


def visit_of_the_customer(app: Flask) -> str:
    with app.app_context():
        s = services()
        return submit(s.db, s.clock, s.zone, actor_of(app, "sales"), "VR", {
            "visit_date": "2026-03-02", "customer_name": CUSTOMER, "phone": PHONE, "needs": "两室一厅",
            "related_customer": f"配偶 {RELATIVE}", "receiving_staff": "sales"}).code


def test_the_answer_pdf_holds_the_customers_data_and_masks_other_peoples(app: Flask) -> None:
    complaint = customer_complaint(app, PHONE, filed=False, contact=CONTACT)
    visit = visit_of_the_customer(app)
    code = register(app, request_kinds=["see", "delete"])
    step(app, code, "gather", "clerk")
    decide_on(app, code, complaint, include=True, deletion="keep")
    decide_on(app, code, visit, include=True, deletion="keep")
    step(app, code, "carry_out", "supervisor")
    client = app.test_client()
    login(client, "clerk")
    response = client.get(f"/customer-requests/{code}/answer.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = text_of(response.data)
    assert CUSTOMER in text and PHONE in text and complaint in text and visit in text
    assert CONTACT not in text and RELATIVE not in text and "Sales" not in text
    assert "他人信息" in text
    assert "保留" in text and "kept" in text and "尚未办结归档" in text  # the statement, both languages
    assert sorted(e.object_id for e in events(app, "record.copy")) == sorted([complaint, visit])
    assert len(events(app, "customer_request.copy", code)) == 1


def test_the_answer_is_only_for_a_carried_out_request_and_its_department(app: Flask) -> None:
    code = register(app, request_kinds=["see"])
    client = app.test_client()
    login(client, "clerk")
    assert client.get(f"/customer-requests/{code}/answer.pdf").status_code == 403
    login(client, "sales")
    assert client.get(f"/customer-requests/{code}").status_code == 403


def test_the_page_shows_the_duty_and_answers_wrong_input_in_both_languages(app: Flask) -> None:
    complaint = customer_complaint(app, PHONE, filed=False)
    code = register(app)
    step(app, code, "gather", "clerk")
    client = app.test_client()
    login(client, "supervisor")
    page = client.get(f"/customer-requests/{code}")
    assert page.status_code == 200 and complaint in page.text and 'data-duty="open"' in page.text
    assert CUSTOMER in page.text and PHONE in page.text  # whose request (customer service reads it whole)
    token = csrf_token(page.text)
    decision_url = f"/customer-requests/{code}/records/{complaint}"
    assert client.post(decision_url, data={"deletion": "delete"}).status_code == 400  # no CSRF token
    wrong = client.post(f"/customer-requests/{code}/records/{complaint}",
                        data={"csrf_token": token, "deletion": "delete"})
    assert wrong.status_code == 400 and "只能保留" in wrong.text
    wrong_en = client.post(f"/customer-requests/{code}/records/{complaint}", headers=EN,
                           data={"csrf_token": token, "deletion": "maybe"})
    assert wrong_en.status_code == 400 and "Choose delete or keep" in wrong_en.text
    early = client.post(f"/customer-requests/{code}/carry_out", data={"csrf_token": token}, headers=EN)
    assert early.status_code == 400 and "Decide on every gathered record first" in early.text
    done = client.post(decision_url, data={"csrf_token": token, "deletion": "keep"})
    assert done.status_code == 302 and items(app, code)[complaint].deletion == "keep"
    assert client.post(f"/customer-requests/{code}/nonsense", data={"csrf_token": token}).status_code == 400
    login(client, "clerk")  # registered it: may read, may not decide
    clerk_page = client.get(f"/customer-requests/{code}")
    denied = client.post(f"/customer-requests/{code}/records/{complaint}",
                         data={"csrf_token": csrf_token(clerk_page.text), "deletion": "keep"})
    assert denied.status_code == 403
    login(client, "admin")  # decides too, but reads the customer's data masked
    admin_page = client.get(f"/customer-requests/{code}").text
    assert CUSTOMER not in admin_page and PHONE not in admin_page and "138****8000" in admin_page


KINDS = st.lists(st.sampled_from(["see", "correct", "delete", "", "erase", "查阅"]), max_size=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=KINDS, name=st.text(max_size=120), phone=st.text(max_size=20),
       check=st.sampled_from(["callback", "id_in_person", "", "guess"]))
def test_any_request_input_is_registered_or_refused_naming_it(app: Flask, kinds, name, phone, check) -> None:  # type: ignore[no-untyped-def]
    data = request_data(request_kinds=kinds, customer_name=name, phone=phone, identity_check=check)
    with app.app_context():
        s = services()
        try:
            code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "PR", data).code
        except InvalidData as refused:
            assert refused.errors and set(refused.errors) <= set(data) | {"reason"}
            return
        with s.db.reading() as session:
            stored = session.scalar(select(Record.data).where(Record.code == code))
    assert stored["request_kinds"] and set(stored["request_kinds"]) <= {"see", "correct", "delete"}
    assert stored["identity_check"] in {"callback", "id_in_person"} and stored["customer_name"].strip()


def test_the_whole_path_on_the_system_clock(configured_app) -> None:  # type: ignore[no-untyped-def]
    app = configured_app(SystemClock())
    complaint = customer_complaint(app, PHONE, filed=False)
    with app.app_context():
        received = services().clock.now().isoformat()
    code = register(app, received_at=received)
    step(app, code, "gather", "clerk")
    decide_on(app, code, complaint, deletion="keep")
    step(app, code, "carry_out", "supervisor")
    step(app, code, "close", "clerk")
    assert items(app, code)[complaint].outcome == "kept"
    with app.app_context(), services().db.reading() as session:
        request = session.scalar(select(Record).where(Record.code == code))
        assert request.state == "closed" and request.deadline_met_at is not None
        assert request.deadline_met_at <= request.due_at


def test_a_landline_is_found_with_and_without_its_dash_and_prefix(app: Flask) -> None:
    dashed = customer_complaint(app, "021-62345678", filed=False)
    plain = customer_complaint(app, "+8602162345678", filed=False)
    other = customer_complaint(app, "021-62345679", filed=False)
    code = register(app, phone="02162345678")
    step(app, code, "gather", "clerk")
    assert set(items(app, code)) == {dashed, plain} and other not in items(app, code)


def test_an_admin_outside_customer_service_states_a_reason_first(configured_app) -> None:  # type: ignore[no-untyped-def]
    """Need-to-know (part D) reaches the request's page and its answer: they read the request
    through the record services, so an admin (department ARCHIVE) is asked why, nothing shown."""
    app = configured_app(SystemClock(), NEED_TO_KNOW="record")
    code = register(app, request_kinds=["see"])
    admin = app.test_client()
    login(admin, "admin")
    asked = admin.get(f"/customer-requests/{code}", headers=EN)
    assert asked.status_code == 403 and "say why you need to read it" in asked.text
    assert CUSTOMER not in asked.text
    assert admin.get(f"/customer-requests/{code}/answer.pdf").status_code == 403
    supervisor = app.test_client()
    login(supervisor, "supervisor")  # customer service's own work: never asked
    assert supervisor.get(f"/customer-requests/{code}").status_code == 200


def test_carrying_out_from_the_record_pages_action_is_refused_and_names_the_request_page(app: Flask) -> None:
    complaint = customer_complaint(app, PHONE, filed=False)
    code = register(app)
    step(app, code, "gather", "clerk")
    decide_on(app, code, complaint, deletion="keep")
    client = app.test_client()
    login(client, "supervisor")
    page = client.get(f"/records/{code}/actions/carry_out", headers=EN)
    assert page.status_code == 200
    refused = client.post(f"/records/{code}/actions/carry_out", headers=EN,
                          data={"csrf_token": csrf_token(page.text), "revision": "2"})
    assert refused.status_code == 422 and "on the request&#39;s page" in refused.text
    assert items(app, code)[complaint].outcome is None  # nothing done


def test_the_record_page_and_the_inbox_send_carrying_out_to_the_request_page(app: Flask) -> None:
    """Where the supervisor is offered "carry out", the link is the request's page (where the
    system does it), never the bare action that would refuse it."""
    complaint = customer_complaint(app, PHONE, filed=False)
    code = register(app)
    step(app, code, "gather", "clerk")
    decide_on(app, code, complaint, deletion="keep")
    client = app.test_client()
    login(client, "supervisor")
    wanted = f'href="/customer-requests/{code}#decisions"'
    for url in (f"/records/{code}", "/inbox"):
        page = client.get(url, headers=EN).text
        assert wanted in page, url
        assert f"/records/{code}/actions/carry_out" not in page, url


def test_a_correction_takes_a_phone_as_people_type_it_and_refuses_an_empty_value(app: Flask) -> None:
    """The walk found "139 1111 2222" refused (the message's own example format) and a chosen
    field with no value dropped without a word."""
    complaint = customer_complaint(app, PHONE, filed=False)
    code = register(app, request_kinds=["correct"], correction_wanted="电话号码已更换")
    step(app, code, "gather", "clerk")
    client = app.test_client()
    login(client, "supervisor")
    token = csrf_token(client.get(f"/customer-requests/{code}").text)
    url = f"/customer-requests/{code}/records/{complaint}"
    empty = client.post(url, headers=EN, data={"csrf_token": token, "correction_field": "phone",
                                               "correction_value": "  "})
    assert empty.status_code == 400 and "Give the corrected value" in empty.text
    assert items(app, code)[complaint].decided_at is None
    typed = client.post(url, headers=EN, data={"csrf_token": token, "correction_field": "phone",
                                               "correction_value": "+86 139-1111-2222"})
    assert typed.status_code == 302, typed.text
    assert items(app, code)[complaint].correction == {"phone": "+8613911112222"}
