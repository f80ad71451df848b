"""The signature field type: what the pad posts becomes strokes in a fixed box or "signed on
paper"; anything else is a clear field error; the server alone stamps who took it, when and
what the signer saw; the drawing is SVG made of numbers."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.anonymise import anonymised_data
from forms.fields import REGISTRY, BuildContext, ParseError
from forms.fields.signature import (
    HEIGHT,
    MAX_POINTS,
    MAX_STROKES,
    MAX_TOTAL_POINTS,
    WIDTH,
    refused_signatures,
    seen_fingerprint,
    signature_problem,
    signature_svg,
    stamp_signatures,
)
from forms.spec.library import load_or_fail
from forms.spec.parser import SpecError, parse_spec
from forms.validation import InvalidData, validate
from tests.support.samples import RS_DATA

CTX = BuildContext(locale="en")
RS = load_or_fail()["RS"]
FIELD = RS.field("customer_signature")
KIND = REGISTRY["signature"]
STROKES = [[[10, 20], [30, 40], [55, 41]], [[500, 150]]]
MOMENT = datetime(2026, 3, 2, 1, 5, 6, 123456, tzinfo=UTC)


def parse(raw: Any) -> Any:
    return KIND.parse(FIELD, raw, CTX)


def rs_with(signature: Any, **changes: Any) -> dict[str, Any]:
    data = {**RS_DATA, **changes}
    if signature is None:
        data.pop("customer_signature", None)
    else:
        data["customer_signature"] = signature
    return data


def test_the_pads_strokes_are_read_as_whole_numbers_in_the_box():
    assert parse({"strokes": json.dumps(STROKES), "on_paper": False}) == {"strokes": STROKES}
    assert parse({"strokes": "[[[0,0],[1000.0,300]]]", "on_paper": False}) == {
        "strokes": [[[0, 0], [1000.0, 300]]]}
    assert validate(RS, rs_with({"strokes": [[[0, 0], [1000.0, 300]]]}))["customer_signature"] == {
        "strokes": [[[0, 0], [1000, 300]]]}


def test_signed_on_paper_by_the_box_alone_and_nothing_is_no_answer():
    assert parse({"strokes": "", "on_paper": True}) == {"on_paper": True}
    assert parse({"strokes": "", "on_paper": False}) is None
    assert parse({"strokes": "[]", "on_paper": False}) is None
    assert parse(None) is None


@pytest.mark.parametrize(("raw", "says"), [
    ({"strokes": json.dumps(STROKES), "on_paper": True}, "not both"),
    ({"strokes": "[[[1,2]", "on_paper": False}, "could not be read"),
    ({"strokes": "{\"a\": 1}", "on_paper": False}, "could not be read"),
    ({"strokes": "[[[1001,2]]]", "on_paper": False}, "0–1000 and 0–300"),
    ({"strokes": "[[[1,2,3]]]", "on_paper": False}, "Stroke 1"),
    ({"strokes": "[[[1,2]],[[true,2]]]", "on_paper": False}, "Stroke 2"),
    ({"strokes": "[[]]", "on_paper": False}, "Stroke 1 must be a list"),
    ({"strokes": "[" * 60000, "on_paper": False}, "too long"),
    ("a drawing", "could not be read"),
])
def test_what_the_page_cannot_have_sent_is_a_message_beside_the_field(raw, says):
    with pytest.raises(ParseError, match=re.escape(says)):
        parse(raw)


@pytest.mark.parametrize(("value", "says"), [
    ({"strokes": [[[1, 2]]], "on_paper": True}, "one of the two"),
    ({}, "one of the two"),
    ({"on_paper": False}, "only be true"),
    ({"strokes": [[[1, 2]]], "svg": "<svg onload=alert(1)>"}, "“svg” is not accepted"),
    ({"strokes": [[[-1, 2]]]}, "0–1000 and 0–300"),
    ({"strokes": [[[1, 301]]]}, "0–1000 and 0–300"),
    ({"strokes": [[[1.5, 2]]]}, "whole numbers"),
    ({"strokes": [[[1, 2]]] * (MAX_STROKES + 1)}, f"more than {MAX_STROKES} strokes"),
    ({"strokes": [[[1, 2]] * (MAX_POINTS + 1)]}, f"1 to {MAX_POINTS} points"),
    ({"strokes": [[[1, 2]] * MAX_POINTS] * (MAX_TOTAL_POINTS // MAX_POINTS + 1)},
     f"more than {MAX_TOTAL_POINTS} points"),
    ({"on_paper": True, "fingerprint": "xyz"}, "64 hexadecimal"),
    ("signed", "Send a signature as"),
])
def test_the_api_gets_a_message_naming_what_is_wrong(value, says):
    with pytest.raises(InvalidData) as refused:
        validate(RS, rs_with(value))
    assert set(refused.value.errors) == {"customer_signature"}
    assert says in refused.value.errors["customer_signature"]


JSON = st.recursive(st.none() | st.booleans() | st.integers(-5, 1500) | st.floats(allow_nan=True)
                    | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                        st.sampled_from(["strokes", "on_paper", "captured_by", "captured_at",
                                         "fingerprint", "x"]) | st.text(max_size=5), inner, max_size=4),
                    max_leaves=30)
POINT = st.tuples(st.integers(0, WIDTH), st.integers(0, HEIGHT)).map(list)
DRAWING = st.lists(st.lists(POINT, min_size=1, max_size=20), min_size=1, max_size=10)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(value=JSON | st.fixed_dictionaries({"strokes": JSON}) | st.fixed_dictionaries({"strokes": DRAWING},
                                                                                     optional={"x": JSON}))
def test_any_json_is_taken_or_refused_with_a_message_never_an_exception(value):
    try:
        clean = validate(RS, rs_with(value))
    except InvalidData as refused:
        assert list(refused.errors) == ["customer_signature"]
        message = refused.errors["customer_signature"]
        assert isinstance(message, str) and message.strip()
        assert signature_problem(value) is not None or value is None
    else:
        stored = clean["customer_signature"]
        assert signature_problem(stored) is None
        assert KIND.display(FIELD, stored, "zh") in ("已签名", "签于纸面")
        svg = signature_svg(stored, "客户签名")
        shape = r'<svg [^<>]*>(<g [^<>]*>)(<(path|circle) [^<>]*/>)+</g></svg>'
        assert svg is None or re.fullmatch(shape, str(svg))


@settings(max_examples=200)
@given(raw=st.fixed_dictionaries({"strokes": st.text(max_size=60) | DRAWING.map(json.dumps),
                                  "on_paper": st.booleans()}) | JSON)
def test_anything_posted_is_a_value_or_a_parse_error(raw):
    try:
        value = parse(raw)
    except ParseError as refused:
        assert str(refused).strip()
    else:
        assert value is None or signature_problem(value) is None


def test_the_svg_is_paths_of_the_numbers_and_the_label_is_escaped():
    svg = str(signature_svg({"strokes": STROKES}, '<b>"客户"</b>'))
    assert '<path d="M10 20L30 40L55 41"/>' in svg and '<circle cx="500" cy="150"' in svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg and f'viewBox="0 0 {WIDTH} {HEIGHT}"' in svg
    assert signature_svg({"on_paper": True}, "x") is None


def test_the_server_stamps_who_when_and_what_was_seen_over_whatever_the_client_sent():
    forged = {"strokes": STROKES, "captured_by": "boss", "captured_at": "2020-01-01T00:00:00+00:00",
              "fingerprint": "0" * 64}
    clean = validate(RS, rs_with(forged))
    stamped = stamp_signatures(RS, clean, {}, "clerk", MOMENT)
    signature = stamped["customer_signature"]
    assert signature == {"strokes": STROKES, "captured_by": "clerk",
                         "captured_at": "2026-03-02T01:05:06.123456+00:00",
                         "fingerprint": seen_fingerprint(RS, clean)}
    assert {k: v for k, v in stamped.items() if k != "customer_signature"} == \
        {k: v for k, v in clean.items() if k != "customer_signature"}


def test_the_fingerprint_covers_the_other_fields_and_not_the_signature():
    data = validate(RS, rs_with({"strokes": STROKES}))
    same = seen_fingerprint(RS, {**data, "customer_signature": {"on_paper": True}})
    assert seen_fingerprint(RS, data) == same and re.fullmatch("[0-9a-f]{64}", same)
    assert seen_fingerprint(RS, {**data, "policyholder": "郑红"}) != same
    scanned = {**data, "signed_copy_scan": [{"sha256": "a" * 64, "name": "scan.jpg", "type": "image/jpeg",
                                             "size": 10}]}
    assert seen_fingerprint(RS, scanned) == same  # the scan of the signed copy comes after signing


def test_the_stored_drawing_keeps_its_stamp_and_a_new_one_is_stamped_again():
    first = stamp_signatures(RS, validate(RS, rs_with({"strokes": STROKES})), {}, "clerk", MOMENT)
    later = datetime(2026, 3, 3, tzinfo=UTC)
    resent = {**first, "customer_signature": {"strokes": STROKES, "captured_by": "boss"}}
    assert stamp_signatures(RS, resent, first, "supervisor", later) == first
    redrawn = {**first, "customer_signature": {"strokes": [[[1, 1], [2, 2]]]}}
    again = stamp_signatures(RS, redrawn, first, "supervisor", later)["customer_signature"]
    assert again["captured_by"] == "supervisor" and again["captured_at"] == "2026-03-03T00:00:00.000000+00:00"


def test_an_action_page_reads_the_stored_drawing_back_unchanged():
    stored = stamp_signatures(RS, validate(RS, rs_with({"strokes": STROKES})), {}, "clerk", MOMENT)
    value = stored["customer_signature"]
    shown = parse(KIND.as_input(FIELD, value, CTX))
    assert shown == {"strokes": STROKES}
    assert KIND.keep_untouched(FIELD, shown, shown, value) == value


def test_a_face_to_face_visit_needs_the_customers_signature_and_a_phone_call_does_not():
    with pytest.raises(InvalidData) as refused:
        validate(RS, rs_with(None))
    # outside a request the labels are the office's Chinese (the pages' languages: the browser test)
    assert refused.value.errors == {"customer_signature": "Required when “访问记录：方式” is “面访”."}
    phoned = [{"visit_date": "2026-03-01", "method": "phone"}]
    assert "customer_signature" not in validate(RS, rs_with(None, visits=phoned))
    assert validate(RS, rs_with({"on_paper": True}))["customer_signature"] == {"on_paper": True}


SPEC = """
code = "SG"
version = 1
title = { zh = "签", en = "Sign" }
department = "CS"
retention = "x"
category = { zh = "类", en = "Cat" }
[[fields]]
name = "visits"
type = "rows"
label = { zh = "访", en = "Visits" }
  [[fields.columns]]
  name = "method"
  type = "choice"
  label = { zh = "方式", en = "Method" }
  choices = [{ value = "face", zh = "面", en = "Face" }]
[[fields]]
name = "sig"
type = "signature"
label = { zh = "签", en = "Sig" }
%s
[workflow]
initial = "new"
[workflow.states]
new = { zh = "新", en = "New" }
"""


SIGNER = 'signer = { zh = "客户", en = "Customer" }\n'
WHEN = 'required_when = { field = "%s", column = "method", equals = "%s" }'


@pytest.mark.parametrize(("keys", "says"), [
    ("", "needs signer"),
    (SIGNER + WHEN % ("visit", "face"), "names no other field 'visit'"),
    (SIGNER + WHEN % ("visits", "fac"), "'fac' is not a choice of 'method'"),
    (SIGNER + 'required_when = "face"', "required_when must be"),
    (SIGNER + "required = true\n" + WHEN % ("visits", "face"), "always required"),
])
def test_a_spec_names_what_is_wrong_with_a_signature_field(keys, says):
    with pytest.raises(SpecError) as refused:
        parse_spec(tomllib.loads(SPEC % keys), "SG.toml")
    assert any(says in problem for problem in refused.value.problems), refused.value.problems


def test_anonymising_leaves_an_answered_field_that_a_client_cannot_send():
    """A face-to-face visit still requires the field after the customer's data is gone, so the
    placeholder is ``anonymised`` (who took it and when kept); sending it is refused."""
    stored = stamp_signatures(RS, validate(RS, rs_with({"strokes": STROKES})), {}, "clerk", MOMENT)
    gone = anonymised_data(RS, stored)
    assert gone["customer_signature"] == {"anonymised": True, "captured_by": "clerk",
                                          "captured_at": "2026-03-02T01:05:06.123456+00:00",
                                          "fingerprint": stored["customer_signature"]["fingerprint"]}
    corrected = validate(RS, {**gone, "policy_no": "P2"})  # a later correction still validates
    assert refused_signatures(RS, corrected, gone) == {}
    assert stamp_signatures(RS, corrected, gone, "supervisor", MOMENT)["customer_signature"] == \
        gone["customer_signature"]
    assert KIND.display(FIELD, gone["customer_signature"], "zh") == "已匿名"
    assert signature_svg(gone["customer_signature"], "x") is None
    assert KIND.remark(FIELD, gone["customer_signature"], RS, gone) is None
    sent = validate(RS, rs_with({"anonymised": True}))
    assert set(refused_signatures(RS, sent, {})) == {"customer_signature"}
