"""The signature on the RS pages and copies: the filling page's pad and its no-JavaScript box,
the server's stamp on what the page posts, the drawing on the record page and printed in the
customer copy's signature box (read back from the PDF: its paths and its text)."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import pikepdf
import pytest
from flask.testing import FlaskClient

from archive.files import content_key
from archive.renditions import renditions_of
from archive.stores import file_store
from core.clock import FrozenClock
from core.web import services
from forms.fields.signature import seen_fingerprint
from forms.spec.library import load_or_fail
from tests.support.instance import csrf_token
from tests.support.pdf import text_of
from tests.support.samples import RS_DATA
from tests.support.signature_pdf import longest_polyline

#: A zigzag of 12 points: 11 line segments in one path, which nothing else on a copy draws.
ZIGZAG = [[100 + 60 * i, 60 if i % 2 else 240] for i in range(12)]
NOW = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
RS = load_or_fail()["RS"]
EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def microseconds(clock: FrozenClock) -> None:
    clock.current = NOW


def page_input(**changes: str) -> dict[str, str]:
    """RS_DATA as the filling page posts it (no JavaScript: the strokes' hidden input as given)."""
    data = {"policy_no": RS_DATA["policy_no"], "policyholder": RS_DATA["policyholder"],
            "phone": RS_DATA["phone"], "due_date": RS_DATA["due_date"], "instalment": "3",
            "policy_state": "lapsed", "service_staff": "clerk", "nonpayment_reason": "资金周转困难",
            "visits-0-visit_date": "2026-03-01", "visits-0-method": "face", "action": "submit"}
    return {**data, **changes}


def fill(client: FlaskClient, headers: dict[str, str] | None = None, **changes: str):  # type: ignore[no-untyped-def]
    page = client.get("/forms/RS/new", headers=headers)
    return client.post("/forms/RS/new", headers=headers,
                       data={"csrf_token": csrf_token(page.text), **page_input(**changes)})


def code_of(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.text[:2000]
    return str(response.headers["Location"].rsplit("/", 1)[1])


def record_data(app, code: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    from sqlalchemy import select

    from archive.models import Record
    from core.web import services

    with app.app_context(), services().db.reading() as session:
        return dict(session.scalar(select(Record.data).where(Record.code == code)))


def test_the_page_offers_a_pad_for_javascript_and_a_box_that_works_without(logged_in):  # type: ignore[no-untyped-def]
    page = logged_in("clerk").get("/forms/RS/new", headers={"Accept-Language": "en"}).text
    assert 'data-signature-pad' in page and 'id="customer_signature-pad"' in page
    pad = page.split('id="customer_signature-pad"')[1].split(">")[0]
    assert "hidden" in pad  # shown by the script only
    assert '<input id="customer_signature-strokes" name="customer_signature-strokes" type="hidden"' in page
    assert re.search(r'<input [^>]*id="customer_signature-on_paper"[^>]*type="checkbox"', page)
    assert 'for="customer_signature-on_paper">Signed on paper (no drawing)</label>' in page
    assert "Customer: sign in the box with a finger, a stylus or the mouse." in page
    assert "signature-pad.js" in page


def test_a_face_to_face_visit_without_a_signature_is_refused_naming_it(logged_in):  # type: ignore[no-untyped-def]
    client = logged_in("clerk")
    response = fill(client, EN)
    assert response.status_code == 422
    assert "Required when “Visit log: Method” is “Face-to-face”." in response.text
    assert 'href="#customer_signature-on_paper"' in response.text  # the summary links to the box
    assert fill(client, EN, **{"visits-0-method": "phone"}).status_code == 302


def test_the_drawing_posted_is_stamped_by_the_server_and_shown_on_the_record_page(app, logged_in):  # type: ignore[no-untyped-def]
    client = logged_in("clerk")
    response = fill(client, **{"customer_signature-strokes": json.dumps([ZIGZAG, [[500, 150]]])})
    assert response.status_code == 302, response.text
    code = response.headers["Location"].rsplit("/", 1)[1]
    data = record_data(app, code)
    signature = data["customer_signature"]
    assert signature == {"strokes": [ZIGZAG, [[500, 150]]], "captured_by": "clerk",
                         "captured_at": "2026-03-02T01:30:00.123456+00:00",
                         "fingerprint": seen_fingerprint(RS, data)}
    page = client.get(f"/records/{code}").text
    assert "签名后记录内容已更改" not in page  # signed what it says
    d = "M" + "L".join(f"{x} {y}" for x, y in ZIGZAG)
    assert f'<path d="{d}"/>' in page and '<circle cx="500" cy="150"' in page


def test_signed_on_paper_by_the_box_alone(app, logged_in):  # type: ignore[no-untyped-def]
    response = fill(logged_in("clerk"), **{"customer_signature-on_paper": "y"})
    assert response.status_code == 302
    code = response.headers["Location"].rsplit("/", 1)[1]
    assert record_data(app, code)["customer_signature"]["on_paper"] is True


def test_a_correction_of_another_field_keeps_the_signatures_stamp(app, logged_in, clock):  # type: ignore[no-untyped-def]
    client = logged_in("clerk")
    code = code_of(fill(client, **{"customer_signature-strokes": json.dumps([ZIGZAG])}))
    before = record_data(app, code)["customer_signature"]
    clock.current = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    page = client.get(f"/records/{code}/actions/correct")
    assert page.status_code == 200 and 'value="[[[100,240]' in page.text  # the pad redraws it
    form = {"csrf_token": csrf_token(page.text), "revision": "1", "reason": "保单号笔误",
            "policy_no": "P20240315002"}
    corrected = client.post(f"/records/{code}/actions/correct", data={**prefilled(page.text), **form})
    assert corrected.status_code == 302, corrected.text[:2000]
    after = record_data(app, code)
    assert after["policy_no"] == "P20240315002" and after["customer_signature"] == before
    # what the customer signed is no longer what the record says: the page and the copy say so
    assert "The record was changed after this signature was taken" in client.get(
        f"/records/{code}", headers=EN).text
    signed_box = text_of(client.get(f"/records/{code}.pdf?variant=customer").data).split("客户签名")[1]
    assert "签名后记录内容已更改" in signed_box


def prefilled(html: str) -> dict[str, str]:
    """Every input, selected option and text area value an action page pre-fills."""
    from html.parser import HTMLParser

    found: dict[str, str] = {}

    class Reader(HTMLParser):
        textarea: str | None = None
        select: str | None = None

        def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
            a = dict(attrs)
            if tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "radio", "submit"):
                found[a["name"]] = a.get("value") or ""
            elif tag == "input" and a.get("type") in ("checkbox", "radio") and "checked" in a:
                found[a["name"]] = a.get("value") or "y"
            elif tag == "textarea":
                self.textarea = a.get("name")
                found[self.textarea] = ""
            elif tag == "select":
                self.select = a.get("name")
            elif tag == "option" and self.select and "selected" in a:
                found[self.select] = a.get("value") or ""

        def handle_data(self, data):  # type: ignore[no-untyped-def]
            if self.textarea:
                found[self.textarea] += data

        def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
            if tag == "textarea":
                self.textarea = None
            if tag == "select":
                self.select = None

    Reader().feed(html)
    found.pop("csrf_token", None)
    return {k: v.removeprefix("\n") for k, v in found.items()}


def test_the_customer_copy_prints_the_drawing_in_its_signature_box(app, logged_in):  # type: ignore[no-untyped-def]
    client = logged_in("clerk")
    drawn = code_of(fill(client, **{"customer_signature-strokes": json.dumps([ZIGZAG])}))
    paper = code_of(fill(client, **{"customer_signature-on_paper": "y"}))
    drawn_pdf = client.get(f"/records/{drawn}.pdf?variant=customer").data
    paper_pdf = client.get(f"/records/{paper}.pdf?variant=customer").data
    assert longest_polyline(drawn_pdf) >= len(ZIGZAG) - 1 > longest_polyline(paper_pdf)
    drawn_text, paper_text = text_of(drawn_pdf), text_of(paper_pdf)
    assert "客户联" in drawn_text and "客户签名" in drawn_text and "签于纸面" not in drawn_text
    signed_line = next(line for line in paper_text.splitlines() if "客户签名" in line)
    assert "签于纸面" in signed_line  # in the signature box, on the label's line


def test_the_api_takes_a_drawing_stamps_it_itself_and_names_what_is_wrong(app, client, token_for):  # type: ignore[no-untyped-def]
    headers = token_for("clerk")
    schema = client.get("/api/v1/forms/RS", headers=headers).json
    published = json.dumps(schema)
    assert '"on_paper": {"const": true}' in published and '"maximum": 1000' in published
    forged = {"strokes": [ZIGZAG], "captured_by": "supervisor", "captured_at": "2020-01-01T00:00:00+00:00",
              "fingerprint": "0" * 64}
    response = client.post("/api/v1/records", headers=headers,
                           json={"form": "RS", "data": {**RS_DATA, "customer_signature": forged}})
    assert response.status_code == 201, response.json
    stored = record_data(app, response.json["code"])
    assert stored["customer_signature"]["captured_by"] == "clerk"
    assert stored["customer_signature"]["captured_at"] == "2026-03-02T01:30:00.123456+00:00"
    assert stored["customer_signature"]["fingerprint"] == seen_fingerprint(RS, stored)
    anonymised = client.post("/api/v1/records", headers=headers, json={"form": "RS", "data": {
        **RS_DATA, "customer_signature": {"anonymised": True}}})
    assert anonymised.status_code == 422
    assert anonymised.json["fields"]["customer_signature"].startswith("Only anonymisation marks a signature")
    bad = client.post("/api/v1/records", headers=headers, json={"form": "RS", "data": {
        **RS_DATA, "customer_signature": {"strokes": [[[5, 2000]]]}}})
    assert bad.status_code == 422
    assert bad.json["fields"] == {"customer_signature": "Stroke 1 has a point that is not [x, y] with whole "
                                                        "numbers within 0–1000 and 0–300."}


def test_the_archival_copy_draws_the_signature_and_stays_pdf_a(app, logged_in):  # type: ignore[no-untyped-def]
    code = code_of(fill(logged_in("clerk"), **{"customer_signature-strokes": json.dumps([ZIGZAG])}))
    result = app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    assert "0 failed" in result.output, result.output
    with app.app_context():
        [stored] = renditions_of(services().db, code)
        pdf = file_store().get(content_key(stored.sha256))
    assert longest_polyline(pdf) >= len(ZIGZAG) - 1 and "客户签名" in text_of(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        report = pikepdf.pdfa.check(document, "3b")  # 3u checked as 3b: the letter is the one known finding
        violations = [f for f in report.findings if f.kind == "violation" and f.rule != "ISO_19005_3:6.6.4-3"]
    assert violations == [], violations


def test_a_reader_without_the_need_gets_copies_without_the_drawing(app, logged_in, token_for):  # type: ignore[no-untyped-def]
    """The customer's signature is personal: the records office reads RS masked, so its copies
    draw nothing in the box (the drawing is no text: read back as paths), and neither does its
    page or the API; all three say it was signed, so a withheld drawing never reads as "not
    signed"."""
    code = code_of(fill(logged_in("clerk"), **{"customer_signature-strokes": json.dumps([ZIGZAG])}))
    for role, drawn in (("clerk", True), ("supervisor", True), ("archivist", False), ("auditor", False)):
        client = logged_in(role)
        pdf = client.get(f"/records/{code}.pdf?variant=customer").data
        assert (longest_polyline(pdf) >= len(ZIGZAG) - 1) is drawn, role
        signed_line = next(line for line in text_of(pdf).splitlines() if "客户签名" in line)
        assert ("已签名（不予显示）" in signed_line) is not drawn, (role, signed_line)
        assert "—" not in signed_line, (role, signed_line)
        page = client.get(f"/records/{code}", headers={"Accept-Language": "en"}).text
        assert ("signature-drawing" in page) is drawn and ("Signed (withheld)" in page) is not drawn, role
        answer = app.test_client().get(f"/api/v1/records/{code}", headers=token_for(role))
        api = answer.get_json()["data"]["customer_signature"]
        assert ("strokes" in api) is drawn and api.get("withheld", False) is not drawn, (role, api)
