"""The filing stamp (归档章) on the archival copy, end to end: a complaint is filed by the real
outbox worker, the filed revision's copy is rendered again with the stamp and replaces the
unstamped one; the stored PDF is read back with poppler (pdftotext -bbox, the words and where
they are) and pikepdf (the paths painted, the PDF/A metadata, the attached JSON)."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
from pathlib import Path

import pikepdf
from flask import Flask

from archive.archival_codes import ArchivalReference, retention_label
from archive.files import content_key
from archive.filing_stamp import content_of_attached
from archive.records import record_at_revision
from archive.stores import file_store
from archive.verification import MATCH, UNSTAMPED, verify_file
from core.web import services
from forms import versions
from forms.names import load_names
from forms.pdf.archival import render_archival
from forms.pdf.service import configured_renderer
from tests.support.filing_stamp import (
    BODY_RIGHT,
    BODY_TOP,
    attached_json,
    events,
    expected_cells,
    filed,
    row_of,
    stamp_box,
    stamp_words,
    stored_pdf,
    work_outbox_without_stamping,
)
from tests.support.instance import actor_of
from tests.support.lifecycle import close_complaint, new_complaint, step, work_outbox
from tests.support.pdf_words import Word, mm, pages_of

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_the_filed_copy_carries_the_stamp_in_the_top_right_margin_over_no_other_text(app: Flask) -> None:
    code = filed(app)
    record, rendition = row_of(app, code)
    assert record.archival_code and rendition.archival_code == record.archival_code
    reference = ArchivalReference.parse(record.archival_code)
    pdf = stored_pdf(app, rendition)
    assert hashlib.sha256(pdf).hexdigest() == rendition.sha256
    box = stamp_box(pdf)
    assert box is not None
    x0, top, x1, bottom = box
    assert abs((x1 - x0) - mm(45)) < mm(1) and abs((bottom - top) - mm(16)) < mm(1)  # DA/T 22's 45 x 16 mm
    assert top > 0 and bottom <= BODY_TOP and x1 <= BODY_RIGHT + 0.5  # in the margin, above the body
    page = pages_of(pdf)[0]
    inside = stamp_words(page, box)
    assert {word.text for word in inside} == expected_cells(reference, rendition.pages)
    assert len(inside) == 12  # six labels, six values, nothing else in the box
    assert reference.item == 1 and "0001" in {word.text for word in inside}  # the first item filed
    others = [word for word in page.words if word not in inside]
    assert not [(w.text, o.text) for w in inside for o in others if w.overlaps(o)]
    assert not [o.text for o in others if o.overlaps(Word("box", *box))]  # the box covers no text
    assert all(pages_of(pdf)[0].words)  # page 1 was read
    ARTIFACTS.mkdir(exist_ok=True)
    kept = ARTIFACTS / "cp-filed-stamped.pdf"
    kept.write_bytes(pdf)  # looked at: pdftoppm -r 80 -png, kept beside it
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-singlefile", str(kept),
                    str(ARTIFACTS / "cp-filed-stamped-page1")], check=True)


def test_the_stamped_copy_replaces_the_unstamped_one_same_pages_audited_purged(app: Flask) -> None:
    code = new_complaint(app)
    close_complaint(app, code)
    work_outbox_without_stamping(app)
    record, unstamped = row_of(app, code)
    assert record.filed_at is not None and unstamped.archival_code is None  # filed, not stamped yet
    before = stored_pdf(app, unstamped)
    assert "全宗号" not in {w.text for w in pages_of(before)[0].words}
    work_outbox(app)  # the stamping, then the purge of the unstamped file
    _, stamped = row_of(app, code)
    assert (stamped.id, stamped.revision, stamped.pages) == (unstamped.id, unstamped.revision,
                                                             unstamped.pages)
    assert stamped.sha256 != unstamped.sha256 and stamped.replaced_sha256 == unstamped.sha256
    assert stamped.content_fingerprint == unstamped.content_fingerprint  # the content did not change
    assert len(pages_of(stored_pdf(app, stamped))) == unstamped.pages
    [filing] = events(app, code, "record.file")
    [stamping] = events(app, code, "rendition.stamp")
    assert filing["sha256"] == unstamped.sha256 and filing["archival_code"] == record.archival_code
    assert stamping == {"revision": record.filed_revision, "archival_code": record.archival_code,
                        "pages": unstamped.pages, "sha256": stamped.sha256,
                        "replaced_sha256": unstamped.sha256}
    with app.app_context():
        store = file_store()
        assert not store.exists(unstamped.path) and store.exists(stamped.path)
        assert stamped.path == content_key(stamped.sha256)
        s = services()
        clerk = actor_of(app, "clerk")
        assert verify_file(s.db, s.clock, clerk, stored_pdf(app, stamped)).outcome == MATCH
        assert verify_file(s.db, s.clock, clerk, before).outcome == UNSTAMPED  # downloaded before filing



def test_the_attached_json_carries_the_stamp_and_the_fingerprint_stays_the_contents(app: Flask) -> None:
    code = filed(app)
    record, rendition = row_of(app, code)
    reference = ArchivalReference.parse(record.archival_code or "")
    attached = attached_json(stored_pdf(app, rendition), code, rendition.revision)
    document = json.loads(attached)
    assert document["filing_stamp"] == {
        "archival_code": record.archival_code, "fonds": reference.fonds, "year": reference.year,
        "item": f"{reference.item:04d}", "retention": reference.retention,
        "retention_label": retention_label(reference.retention, "zh"),
        "organisation": reference.organisation, "pages": rendition.pages}
    assert document["code"] == code and document["revision"] == rendition.revision
    assert hashlib.sha256(content_of_attached(attached)).hexdigest() == rendition.content_fingerprint


def test_the_stamped_copy_is_still_pdf_a_3u_with_embedded_fonts(app: Flask, tmp_path: Path) -> None:
    code = filed(app)
    _, rendition = row_of(app, code)
    pdf = stored_pdf(app, rendition)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        meta = document.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "U")
        [intent] = document.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1"
        assert document.Root.AF[0].AFRelationship == "/Source"
        report = pikepdf.pdfa.check(document, "3b")  # 3u checked as 3b: the letter is the one known finding
        violations = [f for f in report.findings if f.kind == "violation" and f.rule != "ISO_19005_3:6.6.4-3"]
    assert violations == [], violations
    (tmp_path / "copy.pdf").write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "copy.pdf")], capture_output=True, check=True,
                           text=True).stdout
    assert all(" yes yes yes " in line for line in fonts.splitlines()[2:]), fonts


def test_the_handout_is_not_stamped(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = filed(app)
    handout = logged_in("clerk").get(f"/records/{code}.pdf")
    assert handout.status_code == 200 and handout.mimetype == "application/pdf"
    page = pages_of(handout.data)[0]
    assert not {"全宗号", "件号", "保管期限", "机构（问题）"} & {word.text for word in page.words}
    assert stamp_box(handout.data) is None


def test_a_correction_after_filing_is_stamped_from_the_start_with_the_same_reference(app: Flask) -> None:
    code = filed(app)
    record, filed_copy = row_of(app, code)
    step(app, code, "correct", "supervisor", {"phone": "13900139000"}, reason="号码记错")
    work_outbox(app)
    corrected_record, corrected = row_of(app, code, record.revision + 1)
    assert corrected_record.archival_code == record.archival_code  # never renumbered
    assert corrected.archival_code == record.archival_code and corrected.replaced_sha256 is None
    reference = ArchivalReference.parse(record.archival_code or "")
    pdf = stored_pdf(app, corrected)
    box = stamp_box(pdf)
    assert box is not None
    assert {w.text for w in stamp_words(pages_of(pdf)[0], box)} == expected_cells(reference, corrected.pages)
    assert json.loads(attached_json(pdf, code, corrected.revision))["filing_stamp"]["archival_code"] == \
        record.archival_code
    _, filed_again = row_of(app, code, filed_copy.revision)
    assert filed_again.sha256 == filed_copy.sha256  # the filed revision's stamped copy stays
    assert [e["revision"] for e in events(app, code, "rendition.stamp")] == [record.filed_revision]
    stored = {e["revision"]: e.get("archival_code") for e in events(app, code, "rendition.store")}
    assert stored[corrected.revision] == record.archival_code and stored[filed_copy.revision] is None


def test_the_stamped_copy_renders_to_the_same_bytes_again(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    code = filed(app)
    record, rendition = row_of(app, code)
    clock.advance(days=2)
    with app.app_context():
        s = services()
        with s.db.reading() as session:
            view = record_at_revision(session, code, rendition.revision)
        assert view is not None
        again = render_archival(configured_renderer(app.config, Path(app.instance_path)),
                                versions.spec_version(s.db, "CP", view.form_version), view,
                                company=app.config["COMPANY_NAME"], zone=s.zone,
                                public_url=app.config["PUBLIC_URL"], names=load_names(s.db),
                                stamp=ArchivalReference.parse(record.archival_code or ""))
    assert again.pdf == stored_pdf(app, rendition) and again.pages == rendition.pages


def test_the_record_page_names_the_stamps_reference_or_says_it_is_being_added(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = new_complaint(app)
    close_complaint(app, code)
    work_outbox_without_stamping(app)
    clerk = logged_in("clerk")
    waiting = clerk.get(f"/records/{code}", headers={"Accept-Language": "zh"}).text
    assert "归档章" in waiting and "正在加盖到归档副本上" in waiting
    work_outbox(app)
    record, _ = row_of(app, code)
    for language, label in (("zh", "<dt>归档章</dt>"), ("en", "<dt>Filing stamp (归档章)</dt>")):
        page = clerk.get(f"/records/{code}", headers={"Accept-Language": language}).text
        assert f"{label}<dd>{record.archival_code}</dd>" in page
        assert "正在加盖" not in page and "Being added" not in page
