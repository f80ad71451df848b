"""Property-based tests of every field type (issue 15): any value a field's published JSON Schema
accepts is stored by the API as sent and shown on the record page as the type displays it; any
value it refuses is answered 422 naming the field, never 500. The test form PT has one field of
every type (tests/support/specs/PT.toml). The slower pipeline (PDF, search, export, import) is
tests/forms/test_field_pipeline.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from archive import records as archive_records
from core.auth.models import Department, User
from core.clock import FrozenClock
from core.web import services
from forms.fields import REGISTRY
from forms.fields.scalar import normalise_phone
from forms.validation import validate
from tests.support.field_values import PHONES, TEST_FORM, install_test_form, one_bad_field, record_data
from tests.support.instance import VALID_CP, actor_of, csrf_token
from tests.support.stored_values import BASE, assert_record_data


#: Shared across examples on purpose: one instance, each example adds its records to it.
def shared(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC))


@pytest.fixture
def pt(app: Flask, token_for, logged_in) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    install_test_form(app)
    return {"app": app, "api": app.test_client(), "headers": token_for("clerk"), "web": logged_in("clerk")}


def submit(pt: dict[str, Any], data: dict[str, Any]) -> Any:
    return pt["api"].post("/api/v1/records", json={"form": "PT", "data": data}, headers=pt["headers"])


def shown_values(app: Flask, data: dict[str, Any], locale: str = "zh") -> list[tuple[str, ...]]:
    """Every value as a page may show it (each cell of a table on its own): the type's display,
    or for a user or department its key or its name."""
    names = reference_names(app, locale)
    cells, files = [], []
    for field in TEST_FORM.fields:
        if field.name in data and field.type == "file":  # a tile per file, by its name
            files += [(item["name"],) for item in data[field.name]]
        elif field.name in data and field.type == "rows":
            cells += [(c, row[c.name]) for row in data[field.name] for c in field.columns if c.name in row]
        elif field.name in data:
            cells.append((field, data[field.name]))
    shown = [(REGISTRY[f.type].display(f, value, locale),
              *(names.get(value, ()) if f.type in ("user", "department") else ())) for f, value in cells]
    return shown + files


def reference_names(app: Flask, locale: str) -> dict[str, tuple[str, ...]]:
    """Usernames and department codes → their names (a department's Chinese name stands in for
    a missing English one)."""
    with app.app_context(), services().db.reading() as session:
        users = {u: (n,) for u, n in session.execute(select(User.username, User.display_name)) if n}
        rows = session.execute(select(Department.code, Department.name_zh, Department.name_en))
        return {**users, **{c: ((en if locale == "en" and en else zh),) for c, zh, en in rows}}


def assert_shown(text: str, shown: list[tuple[str, ...]]) -> None:
    for candidates in shown:
        assert any(str(escape(c)) in text for c in candidates), candidates


@shared(60)
@given(data=record_data())
def test_accepted_values_round_trip_through_the_api_and_the_record_page(pt, data) -> None:  # type: ignore[no-untyped-def]
    created = submit(pt, data)
    assert created.status_code == 201, created.json
    code = created.json["code"]
    read = pt["api"].get(f"/api/v1/records/{code}", headers=pt["headers"])
    assert read.status_code == 200
    assert read.json["data"] == created.json["data"]
    assert_record_data(data, read.json["data"])
    page = pt["web"].get(f"/records/{code}")
    assert page.status_code == 200
    assert_shown(page.text, shown_values(pt["app"], read.json["data"]))
    english = pt["web"].get(f"/records/{code}", headers={"Accept-Language": "en"})
    assert english.status_code == 200 and '<html lang="en' in english.text
    assert_shown(english.text, shown_values(pt["app"], read.json["data"], "en"))


@shared(120)
@given(bad=one_bad_field())
def test_refused_values_are_422_naming_the_field(pt, bad) -> None:  # type: ignore[no-untyped-def]
    name, value = bad
    response = submit(pt, {**BASE, name: value})
    assert response.status_code == 422, (response.status_code, response.json)
    assert name in response.json["fields"], response.json
    assert set(response.json["fields"]) == {name}  # the other fields are not blamed


@pytest.mark.parametrize(("name", "value"), [
    ("phone", "13800138000\n"), ("amount", "12\n"), ("email", "a@b.cn\n"),  # `$` before a final line break
    ("phone", "13８00138000"), ("phone", "021-6234５678"), ("amount", "١٢.5"),  # digits other than 0-9
    ("email", "\x00@a.bc"), ("email", "a\x1b@b.cn"),  # control characters (NUL breaks PostgreSQL)
])
def test_values_the_published_schema_refuses_are_refused(pt, name, value) -> None:  # type: ignore[no-untyped-def]
    """Found by the property above: each was stored as sent (201)."""
    response = submit(pt, {**BASE, name: value})
    assert response.status_code == 422 and set(response.json["fields"]) == {name}, response.json


def test_a_whole_number_sent_as_5_0_is_stored_as_5(pt) -> None:  # type: ignore[no-untyped-def]
    """Found by the round-trip property: stored as 5.0, the page showed "5.0"."""
    created = submit(pt, {**BASE, "count": 5.0, "lines": [{"item": "x", "qty": 12.0}]})
    assert created.status_code == 201
    assert created.json["data"]["count"] == 5 and type(created.json["data"]["count"]) is int
    assert type(created.json["data"]["lines"][0]["qty"]) is int
    page = pt["web"].get(f"/records/{created.json['code']}").text
    assert ">5<" in page and "5.0" not in page and "12.0" not in page


@pytest.mark.parametrize("moment", ["9999-12-31T20:00:00-05:00", "0001-01-01T00:00:00+14:00"])
def test_a_time_that_is_no_date_in_the_office_zone_is_refused(pt, moment) -> None:  # type: ignore[no-untyped-def]
    """Found by the correction property: in Shanghai these are in the years 10000 and 0; a
    complaint received then was a 500, and so was the correction page of any record holding one."""
    data = {**VALID_CP, "received_at": moment}
    response = pt["api"].post("/api/v1/records", json={"form": "CP", "data": data}, headers=pt["headers"])
    assert response.status_code == 422 and set(response.json["fields"]) == {"received_at"}, response.json
    assert "0001-01-02 and 9998-12-31" in response.json["fields"]["received_at"]


def test_times_before_1901_are_typed_and_shown_as_dates(pt) -> None:  # type: ignore[no-untyped-def]
    """Shanghai's offset before 1901 is local mean time (+08:05:43), which RFC 3339 cannot write:
    a typed 1900-01-01 00:00 was refused with a format message. Years before 1000 showed as "900-"."""
    web = pt["web"]
    token = csrf_token(web.get("/forms/PT/new").text)
    response = web.post("/forms/PT/new", data={"csrf_token": token, "action": "submit", "title_text": "旧",
                                               "moment": "1900-01-01 00:00"})
    assert response.status_code == 302
    code = response.headers["Location"].rsplit("/", 1)[1]
    kept = pt["api"].get(f"/api/v1/records/{code}", headers=pt["headers"]).json["data"]["moment"]
    assert kept == "1899-12-31T15:54:17+00:00"  # the same moment, in UTC
    created = submit(pt, {**BASE, "moment": "0900-05-01T08:00:00+08:00"})
    # stored in UTC like the typed one (Shanghai then kept local mean time); the year padded
    assert "0900-05-01 00:00" in pt["web"].get(f"/records/{created.json['code']}").text


@pytest.mark.parametrize(("data", "field"), [
    ('{"title_text": "a\\ud800b"}', "title_text"), ('{"title_text": "x", "notes": "\\udfff"}', "notes"),
    ('{"title_text": "x", "lines": [{"item": "\\ud83d"}]}', "lines")])
def test_text_with_an_unpaired_surrogate_is_refused_naming_the_field(pt, data, field) -> None:  # type: ignore[no-untyped-def]
    """JSON may escape half of a UTF-16 pair ("\\ud800"), which no UTF-8 text can hold: storing
    it was a 500. Found by probing the API with what JSON allows."""
    body = f'{{"form": "PT", "data": {data}}}'
    headers = {**pt["headers"], "Content-Type": "application/json"}
    response = pt["api"].post("/api/v1/records", data=body, headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert set(response.json["fields"]) == {field}, response.json


def test_a_reason_with_an_unpaired_surrogate_is_refused(pt) -> None:  # type: ignore[no-untyped-def]
    """A correction's reason with half a UTF-16 pair was a 500 (stored with the revision)."""
    code = submit(pt, BASE).json["code"]
    headers = {**pt["headers"], "Content-Type": "application/json"}
    response = pt["api"].post(f"/api/v1/records/{code}/actions/correct", headers=headers,
                              data='{"fields": {"title_text": "y"}, "reason": "a\\ud800"}')
    assert response.status_code == 422 and set(response.json["fields"]) == {"reason"}, response.json


def test_published_patterns_mean_the_same_in_every_regex_dialect(pt) -> None:  # type: ignore[no-untyped-def]
    """JSON Schema patterns are ECMA-262, where \\d is 0-9; Python's \\d takes any digit."""
    schema = pt["api"].get("/api/v1/forms/PT", headers=pt["headers"]).json["schema"]
    patterns = list(patterns_in(schema))
    assert len(patterns) >= 6 and not [p for p in patterns if "\\d" in p], patterns


def patterns_in(schema: Any) -> Any:
    if isinstance(schema, dict):
        yield from ([schema["pattern"]] if isinstance(schema.get("pattern"), str) else [])
        for value in schema.values():
            yield from patterns_in(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from patterns_in(value)


#: Typed input: what people put in boxes, and what a broken client might send.
TYPED = st.one_of(st.text(max_size=30), st.sampled_from([
    "", " ", "0", "-1", "１２", "13800138000", "１３８００１３８０００", "+86 138 0013 8000", "021-6234 5678",
    "2026-02-30", "2026年2月29日", "2024/2/29", "20240229", "2026-03-02 14:30", "2026-03-02 14:30:59.5",
    "14:30", "12.5", "1,000.25", "1e5", "NaN", "a@b.cn", "clerk", "CS", "a", "north", "是", "y"]))


@st.composite
def typed_form(draw: st.DrawFn) -> dict[str, Any]:
    """What a person (or a script) might post to the fill page, every box a string."""
    data: dict[str, Any] = {}
    for field in TEST_FORM.fields:
        if field.type == "rows":
            for index in range(draw(st.integers(0, 2))):
                for column in field.columns:
                    data[f"{field.name}-{index}-{column.name}"] = draw(TYPED)
        elif field.type == "multichoice":
            data[field.name] = draw(st.lists(st.one_of(TYPED, st.sampled_from(
                [c.value for c in field.choices])), max_size=3))
        elif draw(st.booleans()):
            data[field.name] = draw(TYPED)
    return data


@shared(80)
@given(typed=typed_form())
def test_typed_input_is_saved_valid_or_refused_naming_the_field(pt, typed) -> None:  # type: ignore[no-untyped-def]
    web = pt["web"]
    token = pt.setdefault("csrf", csrf_token(web.get("/forms/PT/new").text))
    response = web.post("/forms/PT/new", data={"csrf_token": token, "action": "submit", **typed})
    assert response.status_code in (302, 422), response.status_code
    if response.status_code == 422:
        links = re.findall(r'<a href="#([\w-]+)"', response.text)
        assert links, "a refused form names what to fix"
        assert all(link.split("-")[0] in {f.name for f in TEST_FORM.fields} for link in links), links
        return
    code = response.headers["Location"].rsplit("/", 1)[1]
    with pt["app"].app_context():
        s = services()
        record = archive_records.get_record(s.db, s.clock, actor_of(pt["app"], "clerk"), code)
        assert validate(TEST_FORM, record.data) == record.data  # stored as the API's schema accepts it


FULL_WIDTH = str.maketrans("0123456789+-", "０１２３４５６７８９＋－")


@shared(30)
@given(phone=PHONES, widths=st.lists(st.booleans(), min_size=16, max_size=16), spaced=st.booleans())
def test_a_phone_typed_in_full_width_digits_is_stored_in_ascii(pt, phone, widths, spaced) -> None:  # type: ignore[no-untyped-def]
    """A Chinese input method types １３８…: the same number as 138…, stored (and so found and
    claimed) as if typed in ASCII digits. Before, it was refused as no phone number."""
    typed = "".join(c.translate(FULL_WIDTH) if wide else c for c, wide in zip(phone, widths, strict=False))
    typed = " ".join(typed[i:i + 4] for i in range(0, len(typed), 4)) if spaced else typed
    web = pt["web"]
    token = pt.setdefault("csrf", csrf_token(web.get("/forms/PT/new").text))
    response = web.post("/forms/PT/new", data={"csrf_token": token, "action": "submit",
                                               "title_text": "电话", "phone": typed})
    assert response.status_code == 302, typed
    code = response.headers["Location"].rsplit("/", 1)[1]
    kept = pt["api"].get(f"/api/v1/records/{code}", headers=pt["headers"]).json["data"]["phone"]
    assert kept == normalise_phone(phone), (typed, kept)  # as if typed in ASCII


class _Inputs(HTMLParser):
    """Every (name, value) the page's record form would submit as it stands, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self.inside, self.text, self.select = False, None, None  # type: ignore[var-annotated]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.inside = self.inside or (tag == "form" and "record-form" in a.get("class", ""))
        if not self.inside:
            return
        if tag == "input" and "name" in a and (a.get("type") not in ("checkbox", "radio") or "checked" in a):
            if a.get("type") not in ("submit", "button"):
                self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "textarea" and "name" in a:
            self.text = (a["name"], "")
        elif tag == "select" and "name" in a:
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.pairs.append((self.select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text = (self.text[0], self.text[1] + data)  # type: ignore[index]

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.text:
            text = self.text[1].replace("\r\n", "\n").replace("\r", "\n")  # type: ignore[index]
            self.pairs.append((self.text[0], text.removeprefix("\n")))  # type: ignore[index]
            self.text = None
        self.inside = self.inside and tag != "form"
        self.select = None if tag == "select" else self.select


@shared(40)
@given(data=record_data())
def test_a_correction_changes_only_what_the_corrector_changed(pt, data) -> None:  # type: ignore[no-untyped-def]
    """The correction page pre-fills every field as stored; sent back with one field changed, the
    new revision differs from the last in that field alone (a time, a decimal, a phone or text
    the page shows otherwise than stored must not change by being shown)."""
    created = submit(pt, data)
    code, before = created.json["code"], created.json["data"]
    page = pt["web"].get(f"/records/{code}/actions/correct")
    assert page.status_code == 200
    parser = _Inputs()
    parser.feed(page.text)
    sent = MultiDict([(k, v) for k, v in parser.pairs if k not in ("title_text", "reason", "action")])
    sent.update({"title_text": "更正后的标题", "reason": "标题写错", "action": "submit"})
    done = pt["web"].post(f"/records/{code}/actions/correct", data=sent)
    assert done.status_code == 302, re.findall(r'<a href="#[^"]*">[^<]*', done.text)
    after = pt["api"].get(f"/api/v1/records/{code}", headers=pt["headers"]).json["data"]
    assert after == {**before, "title_text": "更正后的标题"}


@shared(40)
@given(typed=typed_form())
def test_a_draft_keeps_what_was_typed(pt, typed) -> None:  # type: ignore[no-untyped-def]
    """Saving a draft never fails on what was typed, and the draft's page gives it back as typed
    (less any NUL character, which a draft drops: forms.drafts)."""
    web = pt["web"]
    token = pt.setdefault("csrf", csrf_token(web.get("/forms/PT/new").text))
    saved = web.post("/forms/PT/new", data={"csrf_token": token, "action": "save_draft", **typed})
    assert saved.status_code == 302, saved.status_code
    page = web.get(saved.headers["Location"])
    assert page.status_code == 200
    parser = _Inputs()
    parser.feed(page.text)
    shown = dict(parser.pairs)
    for field in TEST_FORM.fields:
        if field.type in ("text", "textarea", "integer", "decimal", "date", "datetime", "phone", "email") \
                and field.name in typed:
            expected = typed[field.name].replace("\x00", "")
            if field.type == "textarea":  # as a browser reads a textarea: line breaks as LF
                expected = expected.replace("\r\n", "\n").replace("\r", "\n")
            assert shown.get(field.name) == expected, field.name
