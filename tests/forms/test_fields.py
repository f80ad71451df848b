"""Field types: what people type becomes a clean value, or a message naming the problem."""

import re

import pytest

from forms.fields import REGISTRY, BuildContext, ParseError
from forms.spec.library import load_or_fail
from forms.validation import InvalidData, validate
from tests.support.instance import VALID_CP

EN = {"Accept-Language": "en"}
CTX = BuildContext(locale="en", users=(("clerk", "Clerk"),), departments=(("CS", "CS"),))
SPECS = load_or_fail()


def parse(form, name, raw):
    field = SPECS[form].field(name)
    return REGISTRY[field.type].parse(field, raw, CTX)


@pytest.mark.parametrize("typed", ["2026-11-23", "2026/11/23", "2026.11.23", "2026年11月23日",
                                   "20261123", " 2026-11-3 ".replace("-3", "-23")])
def test_dates_accept_what_people_type(typed):
    assert parse("VR", "visit_date", typed) == "2026-11-23"


@pytest.mark.parametrize("typed", ["2026-02-30", "23/11/2026", "昨天", "2026-13-01"])
def test_impossible_or_unreadable_dates_are_refused(typed):
    with pytest.raises(ParseError):
        parse("VR", "visit_date", typed)


@pytest.mark.parametrize(("typed", "stored"), [
    ("138 0013 8000", "13800138000"), ("138-0013-8000", "13800138000"),
    ("+8613800138000", "+8613800138000"), ("021-6234 5678", "021-62345678"),
    ("(021)62345678", "02162345678"),
])
def test_phones_are_normalised(typed, stored):
    assert parse("CP", "phone", typed) == stored


@pytest.mark.parametrize("typed", ["12345", "1380013800", "2380013800a", "电话"])
def test_bad_phones_are_refused(typed):
    with pytest.raises(ParseError):
        parse("CP", "phone", typed)


def test_datetime_is_stored_with_the_office_offset():
    assert parse("CP", "received_at", "2026-03-02 9:05") == "2026-03-02T09:05:00+08:00"


@pytest.mark.parametrize("typed", ["yesterday", "03/02 9:05", "2026-03-02 nine"])
def test_an_unreadable_datetime_asks_for_a_date_and_a_time(typed):
    with pytest.raises(ParseError, match=re.escape("Enter a date and time like 2026-11-23 14:30.")):
        parse("CP", "received_at", typed)
    with pytest.raises(ParseError, match="This date does not exist"):
        parse("CP", "received_at", "2026-02-30 9:05")


def test_integer_accepts_thousands_separators_and_refuses_words():
    assert parse("CP", "quantity", "1,200") == 1200
    with pytest.raises(ParseError):
        parse("CP", "quantity", "twelve")


def test_empty_input_is_no_value():
    assert parse("CP", "order_no", "   ") is None
    assert parse("RS", "visits", [{"visit_date": "", "method": "", "notes": ""}]) is None


def test_row_cells_report_their_position():
    with pytest.raises(ParseError) as failure:
        parse("RS", "visits", [{"visit_date": "2026-03-01", "method": "face"},
                               {"visit_date": "someday", "method": "phone"}])
    assert failure.value.cells == {"2.visit_date": "Enter a date like 2026-11-23."}




def test_valid_data_passes_and_empty_optionals_are_dropped(app):
    with app.test_request_context(headers=EN):
        clean = validate(SPECS["CP"], {**VALID_CP, "order_no": "", "quantity": None})
    assert clean == VALID_CP


def test_validation_names_every_wrong_field(app):
    bad = {**VALID_CP, "channel": "fax", "phone": "123", "quantity": -1, "surprise": 1,
           "received_at": "yesterday"}
    del bad["customer_name"]
    with app.test_request_context(headers=EN), pytest.raises(InvalidData) as failure:
        validate(SPECS["CP"], bad)
    assert failure.value.errors == {
        "channel": "Choose one of the listed options.",
        "phone": "Enter a valid phone number, like 138 0013 8000 or 021-6234 5678.",
        "quantity": "Must be at least 0.",
        "surprise": "There is no field called surprise in this form.",
        "received_at": "Enter a date and time like 2026-11-23T14:30:00+08:00.",
        "customer_name": "This field is required.",
    }


def test_calendar_checks_beyond_the_schema(app):
    with app.test_request_context(headers=EN), pytest.raises(InvalidData) as failure:
        validate(SPECS["VR"], {"visit_date": "2026-02-30", "customer_name": "周女士",
                               "phone": "13700001111", "needs": "三室",
                               "receiving_staff": "clerk"}, users={"clerk"})
    assert failure.value.errors == {
        "visit_date": "This date does not exist; check the month and day."}


def test_unknown_user_and_department_references_are_refused(app):
    with app.test_request_context(headers=EN), pytest.raises(InvalidData) as failure:
        validate(SPECS["AR"], {"applicant_department": "NOPE", "records_wanted": "CP-2026-000001",
                               "purpose": "audit", "reason": "审计", "period_from": "2026-03-01",
                               "period_to": "2026-03-08"}, users=set(), departments={"CS"})
    assert failure.value.errors == {"applicant_department": "NOPE is not a known department."}


def test_rows_errors_name_the_row(app):
    data = {"policy_no": "P1", "policyholder": "郑", "due_date": "2026-01-01", "instalment": 2,
            "policy_state": "lapsed", "service_staff": "clerk",
            "visits": [{"visit_date": "2026-02-01", "method": "face"}, {"method": "phone"}]}
    with app.test_request_context(headers=EN), pytest.raises(InvalidData) as failure:
        validate(SPECS["RS"], data, users={"clerk"})
    assert failure.value.errors == {"visits": "Row 2: Every row needs its required columns."}


def test_a_bad_cell_gets_its_column_types_message(app):
    data = {"policy_no": "P1", "policyholder": "郑", "due_date": "2026-01-01", "instalment": 2,
            "policy_state": "lapsed", "service_staff": "clerk",
            "visits": [{"visit_date": "2026-02-01", "method": "face"},
                       {"visit_date": "1 March", "method": "phone"}]}
    with app.test_request_context(headers=EN), pytest.raises(InvalidData) as failure:
        validate(SPECS["RS"], data, users={"clerk"})
    assert failure.value.errors == {"visits": "Row 2: Enter a date like 2026-11-23."}
