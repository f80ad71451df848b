"""A new field type is one class and nothing else (issue 17): a throwaway type, ``percent``,
defined here and registered only for these tests, walks through everything a record meets —
the filling page, the record page and its history, the JSON API and its published schema, the
printed handout and its corrections, search, and the archive export — and each shows the value
as the type says (typed ``42%`` or ``42``, stored ``42``, shown ``42%``, printed with its words
``42%（百分之四十二）``, found by ``百分之四十二``). No module outside forms/fields knows the
type: if one decided by type name, the value would be shown, printed or indexed otherwise."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from wtforms import StringField
from wtforms.fields.core import UnboundField

from core.i18n import pick
from core.web import services
from forms import versions
from forms.anonymise import anonymised_data
from forms.fields import (
    REGISTRY,
    BuildContext,
    DuplicateFieldType,
    FieldType,
    ParseError,
    Reading,
    register,
    registered,
)
from forms.masking import masked_data
from forms.spec.model import FieldSpec, FormSpec
from forms.spec.parser import SpecError, load_spec_file
from tests.support.instance import csrf_token
from tests.support.pdf import text_of

SPEC_PATH = Path(__file__).parent.parent / "support" / "specs" / "NT.toml"
DIGITS = "零一二三四五六七八九"


def in_words(number: int) -> str:
    """0-100 in Chinese numerals: 42 → 四十二, 10 → 十, 100 → 一百."""
    if number == 100:
        return "一百"
    tens, ones = divmod(number, 10)
    if not tens:
        return DIGITS[ones]
    return ("十" if tens == 1 else DIGITS[tens] + "十") + (DIGITS[ones] if ones else "")


class Percent(FieldType):
    """A whole percentage, 0 to 100: typed ``42`` or ``42%``, stored ``42``, shown ``42%``,
    printed with its amount in words as on a voucher, indexed by the words (百分之四十二),
    masked to its tens (``4*%``) and anonymised to 0."""

    name = "percent"

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        return {"type": "integer", "minimum": 0, "maximum": 100}

    def form_field(self, spec: FieldSpec, ctx: BuildContext) -> UnboundField:
        return StringField(pick(spec.label, ctx.locale), description=pick(spec.help, ctx.locale),
                           render_kw={"inputmode": "numeric", "placeholder": "0–100%"})

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        text = super().parse(spec, raw, ctx)
        if text is None:
            return None
        digits = text.removesuffix("%").strip()
        if not digits.isdigit() or int(digits) > 100:
            raise ParseError("Enter a percentage from 0 to 100, like 42%.")
        return int(digits)

    def display(self, spec: FieldSpec, value: Any, locale: str) -> str:
        return "" if value is None else f"{value}%"

    def as_input(self, spec: FieldSpec, value: Any, ctx: BuildContext) -> Any:
        return None if value is None else f"{value}%"

    def printed(self, spec: FieldSpec, value: Any, reading: Reading) -> dict[str, Any]:
        shown = self.shown(spec, value, reading)
        return {"value": f"{shown}（百分之{in_words(value)}）" if value is not None else shown}

    def searchable(self, spec: FieldSpec, value: Any) -> tuple[str, ...]:
        return (f"百分之{in_words(value)}",)

    def masked(self, spec: FieldSpec, value: Any) -> Any:
        return f"{str(value)[:-1]}*" if value >= 10 else "*"

    def placeholder(self, spec: FieldSpec, value: Any) -> Any:
        return 0


@pytest.fixture
def percent() -> Iterator[FieldType]:
    with registered(Percent) as kind:
        yield kind
    assert "percent" not in REGISTRY


@pytest.fixture
def spec(percent: FieldType) -> FormSpec:
    return load_spec_file(SPEC_PATH)


@pytest.fixture
def nt(app: Flask, spec: FormSpec, logged_in, token_for) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The NT form registered (as `flask init` does) and approved on the admin's page."""
    with app.app_context():
        report = versions.register_specs(services().db, services().clock, {"NT": spec})
    assert report.registered == ["NT v1"], report
    admin = logged_in("admin")
    listing = admin.get("/admin/forms")
    approved = admin.post("/admin/forms/NT/1/approve", data={"csrf_token": csrf_token(listing.text)})
    assert approved.status_code in (302, 303), approved.status_code
    return {"app": app, "web": logged_in("clerk"), "api": app.test_client(), "clerk": token_for("clerk"),
            "admin": token_for("admin")}


def run_outbox(app: Flask) -> None:
    output = app.test_cli_runner().invoke(args=["outbox", "run", "--once"]).output
    assert "0 failed" in output, output


def compact(text: str) -> str:
    """Text without white space (pdftotext lays words out with spaces and line breaks)."""
    return "".join(text.split())


def filled(web: FlaskClient, share: str) -> Any:
    page = web.get("/forms/NT/new")
    return web.post("/forms/NT/new", data={"csrf_token": csrf_token(page.text), "action": "submit",
                                           "title_text": "季度整改", "share": share})


def test_the_spec_knows_the_type_only_while_it_is_registered() -> None:
    with pytest.raises(SpecError, match="unknown type 'percent'"):
        load_spec_file(SPEC_PATH)
    with registered(Percent):
        assert load_spec_file(SPEC_PATH).field("share").type == "percent"
    assert "percent" not in REGISTRY


def test_a_registered_type_that_replaced_one_is_put_back() -> None:
    shipped = REGISTRY["integer"]

    class Whole(Percent):
        name = "integer"

    with registered(Whole) as kind:
        assert REGISTRY["integer"] is kind
    assert REGISTRY["integer"] is shipped


def test_the_filling_page_takes_the_type_and_the_record_page_shows_it(nt) -> None:  # type: ignore[no-untyped-def]
    page = nt["web"].get("/forms/NT/new")
    assert 'name="share"' in page.text and 'placeholder="0–100%"' in page.text

    refused = filled(nt["web"], "120%")
    assert refused.status_code == 422
    assert "Enter a percentage from 0 to 100, like 42%." in refused.text
    assert '<a href="#share">' in refused.text  # the error summary links to the type's input

    created = filled(nt["web"], "42%")
    assert created.status_code == 302, created.text
    code = created.headers["Location"].rsplit("/", 1)[1]
    stored = nt["api"].get(f"/api/v1/records/{code}", headers=nt["clerk"])
    assert stored.json["data"]["share"] == 42  # parsed by the type, stored as its JSON value
    record = nt["web"].get(f"/records/{code}")
    assert "42%" in record.text and "百分之" not in record.text  # shown, not printed
    correcting = nt["web"].get(f"/records/{code}/actions/correct")
    assert 'name="share"' in correcting.text and 'value="42%"' in correcting.text  # as typed


def test_the_api_publishes_the_types_schema_and_takes_its_values(nt) -> None:  # type: ignore[no-untyped-def]
    form = nt["api"].get("/api/v1/forms/NT", headers=nt["clerk"])
    assert form.status_code == 200
    share = form.json["schema"]["properties"]["share"]
    assert (share["type"], share["minimum"], share["maximum"]) == ("integer", 0, 100)

    for wrong in (101, "42%"):
        refused = nt["api"].post("/api/v1/records", headers=nt["clerk"],
                                 json={"form": "NT", "data": {"title_text": "整改", "share": wrong}})
        assert refused.status_code == 422 and "share" in json.dumps(refused.json), refused.json
    created = nt["api"].post("/api/v1/records", headers=nt["clerk"],
                             json={"form": "NT", "data": {"title_text": "整改", "share": 42}})
    assert created.status_code == 201, created.json
    read = nt["api"].get(f"/api/v1/records/{created.json['code']}", headers=nt["clerk"])
    assert read.json["data"]["share"] == 42


def test_a_corrected_value_is_printed_searched_and_exported_as_the_type_says(nt, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app, api = nt["app"], nt["api"]
    created = filled(nt["web"], "42")
    code = created.headers["Location"].rsplit("/", 1)[1]
    run_outbox(app)
    assert code in search(api, nt["admin"], "百分之四十二")
    handout = compact(text_of(api.get(f"/api/v1/records/{code}/pdf", headers=nt["clerk"]).data))
    assert "42%（百分之四十二）" in handout

    corrected = api.post(f"/api/v1/records/{code}/actions/correct", headers=nt["clerk"],
                         json={"fields": {"share": 57}, "reason": "比例抄错"})
    assert corrected.status_code == 200, corrected.json
    run_outbox(app)

    history = nt["web"].get(f"/records/{code}").text
    assert "<del>42%</del> → <ins>57%</ins>" in history  # the history shows the type's values
    handout = compact(text_of(api.get(f"/api/v1/records/{code}/pdf", headers=nt["clerk"]).data))
    assert "57%（百分之五十七）" in handout  # the printed value
    assert "原42%→现57%" in handout  # the correction box, before and after as the type shows them
    assert code in search(api, nt["admin"], "百分之五十七")
    assert code not in search(api, nt["admin"], "百分之四十二")  # reindexed from the corrected value

    out = tmp_path / "export"
    exported = app.test_cli_runner().invoke(args=["archive", "export", "--lang", "en", "--out", str(out),
                                                  "--by", "archivist"])
    assert exported.exit_code == 0, exported.output
    [record_file] = out.glob(f"records/NT/*/{code}.json")
    document = json.loads(record_file.read_text(encoding="utf-8"))
    assert document["record"]["data"]["share"] == 57
    assert [r["data"]["share"] for r in document["revisions"]] == [42, 57]
    latest = max(document["renditions"], key=lambda r: r["revision"])
    archival = compact(text_of((out / "renditions" / latest["path"]).read_bytes()))
    assert "57%（百分之五十七）" in archival  # the archival copy prints the type's value


def test_masking_and_anonymising_ask_the_type(spec: FormSpec) -> None:
    personal = replace(spec, fields=tuple(replace(f, personal=f.name == "share") for f in spec.fields))
    data = {"title_text": "季度整改", "share": 42}
    assert masked_data(personal, data) == {"title_text": "季度整改", "share": "4*"}
    assert anonymised_data(personal, data) == {"title_text": "季度整改", "share": 0}


def search(api: FlaskClient, headers: dict[str, str], words: str) -> list[str]:
    found = api.get("/api/v1/search", query_string={"q": words, "per_page": 100}, headers=headers)
    assert found.status_code == 200, found.json
    return [hit["code"] for hit in found.json["hits"]]


def test_a_second_type_under_a_taken_name_is_refused() -> None:
    """register() refuses a name already taken: a second type would silently replace the first
    for every spec using it (registered() replaces on purpose, for a block only)."""

    class Whole(Percent):
        name = "integer"

    shipped = REGISTRY["integer"]
    with pytest.raises(DuplicateFieldType, match="'integer' is already registered"):
        register(Whole)
    assert REGISTRY["integer"] is shipped
