"""Date-and-time fields take RFC 3339 times with fractional seconds, from the API, from the web
form and from the services that write records themselves, and store them in one normal form:
``YYYY-MM-DDTHH:MM:SS[.ffffff]±HH:MM`` in the office's zone (issue 15, item 1; a real clock always carries a
fraction, and the field's pattern refused it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from jsonschema import Draft202012Validator

from core.clock import FrozenClock
from core.web import services
from forms.fields import REGISTRY, BuildContext
from forms.spec.library import load_or_fail
from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of, csrf_token

SPECS = load_or_fail()
RECEIVED = SPECS["CP"].field("received_at")
CTX = BuildContext(locale="en")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC))


@pytest.mark.parametrize(("sent", "stored"), [
    ("2026-03-02T09:00:00.123456789+08:00", "2026-03-02T09:00:00.123456+08:00"),
    ("2026-03-02T09:00:00.5+08:00", "2026-03-02T09:00:00.500000+08:00"),
    ("2026-03-02T01:00:00.25Z", "2026-03-02T09:00:00.250000+08:00"),  # in the office's zone
    ("2026-03-02t01:00:00z", "2026-03-02T09:00:00+08:00"),
    ("2026-03-01T20:00:00-05:00", "2026-03-02T09:00:00+08:00"),
    ("2026-03-02T09:00+08:00", "2026-03-02T09:00:00+08:00"),
    ("2026-03-02T09:00:00.000+08:00", "2026-03-02T09:00:00+08:00"),
])
def test_the_api_takes_fractions_and_stores_them_normalised(client, token_for, sent: str,  # type: ignore[no-untyped-def]
                                                            stored: str) -> None:
    headers = token_for("clerk")
    schema = client.get("/api/v1/forms/CP", headers=headers).json["schema"]
    assert Draft202012Validator(schema).is_valid({**VALID_CP, "received_at": sent})
    made = client.post("/api/v1/records", headers=headers,
                       json={"form": "CP", "data": {**VALID_CP, "received_at": sent}})
    assert made.status_code == 201, made.json
    assert made.json["data"]["received_at"] == stored
    page = client.get(f"/api/v1/records/{made.json['code']}", headers=headers)
    assert page.json["data"]["received_at"] == stored


@pytest.mark.parametrize("sent", ["2026-03-02T09:00:00.+08:00", "2026-03-02T09:00.5+08:00",
                                  "2026-03-02T09:00:00.1234567891+08:00", "2026-03-02T09:00:00.5",
                                  "2026-03-02T24:00:00.5+08:00"])
def test_the_api_refuses_what_is_no_rfc_3339_time(client, token_for, sent: str) -> None:  # type: ignore[no-untyped-def]
    headers = token_for("clerk")
    schema = client.get("/api/v1/forms/CP", headers=headers).json["schema"]
    refused = client.post("/api/v1/records", headers=headers,
                          json={"form": "CP", "data": {**VALID_CP, "received_at": sent}})
    assert refused.status_code == 422 and "received_at" in refused.json["fields"]
    if sent.endswith("24:00:00.5+08:00"):
        return  # the pattern cannot know the hour's range; the field's own check refuses it
    assert not Draft202012Validator(schema).is_valid({**VALID_CP, "received_at": sent})


def test_a_service_writes_the_clock_time_with_its_fraction(app: Flask, clock: FrozenClock) -> None:
    with app.app_context():
        s = services()
        record = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP",
                        {**VALID_CP, "received_at": clock.now().isoformat()})
    assert record.data["received_at"] == "2026-03-02T09:30:00.123456+08:00"


def test_the_web_form_reads_fractions_and_prefills_them_unchanged(logged_in, token_for, client) -> None:  # type: ignore[no-untyped-def]
    parse = REGISTRY["datetime"].parse
    assert parse(RECEIVED, "2026-03-02 09:00:00.25", CTX) == "2026-03-02T09:00:00.250000+08:00"
    assert parse(RECEIVED, "2026-03-02 09:00:07,5", CTX) == "2026-03-02T09:00:07.500000+08:00"
    stored = "2026-03-02T01:00:00.123456+00:00"
    typed = REGISTRY["datetime"].as_input(RECEIVED, stored, CTX)
    assert typed == "2026-03-02 09:00:00.123456"
    assert datetime.fromisoformat(parse(RECEIVED, typed, CTX)) == datetime.fromisoformat(stored)
    made = client.post("/api/v1/records", headers=token_for("clerk"),
                       json={"form": "CP", "data": {**VALID_CP, "received_at": stored}})
    page = logged_in("clerk").get(f"/records/{made.json['code']}")
    # shown in office time like the deadline beside it (an API client's UTC was shown as 01:00)
    assert page.status_code == 200 and "2026-03-02 09:00" in page.text and "2026-03-02 01:00" not in page.text


def test_the_fill_page_takes_a_time_with_a_fraction(logged_in, token_for, client) -> None:  # type: ignore[no-untyped-def]
    clerk = logged_in("clerk")
    page = clerk.get("/forms/CP/new")
    made = clerk.post("/forms/CP/new", data={
        "csrf_token": csrf_token(page.text), "action": "submit", "channel": "phone",
        "received_at": "2026-03-02 09:00:05.25", "customer_name": "测试客户",
        "phone": "138 0013 8000", "complaint": "产品表面划痕"})
    assert made.status_code == 302, made.text
    code = made.headers["Location"].rsplit("/", 1)[1]
    shown = client.get(f"/api/v1/records/{code}", headers=token_for("clerk")).json
    assert shown["data"]["received_at"] == "2026-03-02T09:00:05.250000+08:00"
