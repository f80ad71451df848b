"""A record's files on paper (issue 19): the handout prints a file field's images where the spec
places them (pdfimages finds them) and lists every file by name and SHA-256; the archival PDF/A-3
embeds every original unchanged beside the JSON, its SHA-256 in the description, and stays as
clean for pikepdf's PDF/A checker as a copy without files."""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
from pathlib import Path

import pikepdf
from flask import Flask

from archive.files import content_key
from archive.records import record_at_revision
from archive.renditions import renditions_of
from archive.stores import file_store
from core.web import services
from forms import versions
from forms.pdf.archival import render_archival
from forms.pdf.service import configured_renderer
from forms.submission import submit
from tests.support.attachments import stored_files
from tests.support.instance import VALID_CP, actor_of
from tests.support.pdf import text_of
from tests.support.samples import RS_DATA
from tests.support.upload_samples import clean_pdf, photo_jpeg, png_with_text


def _submit_with_photos(client, headers) -> tuple[str, list[dict]]:
    sent = [{"name": name, "content_base64": base64.b64encode(body).decode()}
            for name, body in (photo_jpeg(), png_with_text())]
    made = client.post("/api/v1/records", headers=headers,
                       json={"form": "CP", "data": {**VALID_CP, "defect_photos": sent}})
    assert made.status_code == 201, made.json
    return made.json["code"], made.json["data"]["defect_photos"]


def _images(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    (tmp_path / "doc.pdf").write_bytes(pdf)
    listed = subprocess.run(["pdfimages", "-list", str(tmp_path / "doc.pdf")], capture_output=True,
                            check=True, text=True).stdout.splitlines()[2:]
    return [line.split() for line in listed]


def test_the_handout_prints_the_photos_and_lists_each_file_with_its_checksum(
        client, token_for, tmp_path: Path) -> None:
    headers = token_for("clerk")
    code, photos = _submit_with_photos(client, headers)
    handout = client.get(f"/api/v1/records/{code}/pdf", headers=headers)
    assert handout.status_code == 200 and handout.mimetype == "application/pdf"
    images = _images(handout.data, tmp_path)
    assert len([i for i in images if i[2] == "image"]) == 2, images  # both photos, nothing else raster
    text = text_of(handout.data)
    assert "缺陷照片" in text
    for photo in photos:
        assert photo["name"] in text and photo["sha256"][:32] in text.replace("\n", "").replace(" ", "")


def test_the_archival_copy_embeds_every_original_with_its_checksum(app: Flask, client, token_for) -> None:
    code, photos = _submit_with_photos(client, token_for("clerk"))
    result = app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    assert "0 failed" in result.output, result.output
    with app.app_context():
        [stored] = renditions_of(services().db, code)
        store = file_store()
        pdf_bytes = store.get(content_key(stored.sha256))
        originals = {p["sha256"]: store.get(content_key(p["sha256"])) for p in photos}
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        attached = {name: spec for name, spec in pdf.attachments.items()}
        assert f"{code}.r1.json" in attached and len(attached) == 3
        embedded = {}
        for name, spec in attached.items():
            if name.endswith(".json"):
                continue
            data = spec.get_file().read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            assert digest in str(spec.description) and name.startswith(f"{code}.r1.defect_photos.")
            embedded[digest] = data
        # WeasyPrint lists each file twice in /AF (from the name tree and as a filespec): the same objects
        assert {str(af.AFRelationship) for af in pdf.Root.AF} == {"/Source"}
        assert len({str(af.Desc) for af in pdf.Root.AF}) == 3
        report = pikepdf.pdfa.check(pdf, "3b")  # 3u checked as 3b: the letter is the one known finding
        violations = [f for f in report.findings if f.kind == "violation" and f.rule != "ISO_19005_3:6.6.4-3"]
    assert embedded == originals
    assert violations == [], violations
    assert len(_images(pdf_bytes, Path(app.instance_path))) >= 2  # printed on its pages as well


def test_the_archival_copy_of_a_record_with_photos_renders_to_the_same_bytes(app: Flask, client, token_for,
                                                                             clock) -> None:
    code, _photos = _submit_with_photos(client, token_for("clerk"))
    app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    clock.advance(days=1)
    with app.app_context():
        s = services()
        with s.db.reading() as session:
            record = record_at_revision(session, code, 1)
        spec = versions.spec_version(s.db, "CP", record.form_version)
        again = render_archival(configured_renderer(app.config, Path(app.instance_path)), spec, record,
                                company=app.config["COMPANY_NAME"], zone=s.zone,
                                public_url=app.config["PUBLIC_URL"])
        [stored] = renditions_of(s.db, code)
    assert hashlib.sha256(again.pdf).hexdigest() == stored.sha256


def test_a_pdf_attachment_is_listed_by_name_and_checksum_and_embedded_unchanged(
        app: Flask, client, token_for, tmp_path: Path) -> None:
    headers = token_for("clerk")
    name, body = clean_pdf(2)
    made = client.post("/api/v1/records", headers=headers, json={"form": "AR", "data": {
        "applicant_department": "CS", "records_wanted": "CP-2026-000001", "purpose": "audit",
        "reason": "审计", "period_from": "2026-03-02", "period_to": "2026-03-09",
        "supporting_documents": [{"name": name, "content_base64": base64.b64encode(body).decode()}]}})
    assert made.status_code == 201, made.json
    [document] = made.json["data"]["supporting_documents"]
    assert document["type"] == "application/pdf" and document["sha256"] == hashlib.sha256(body).hexdigest()
    handout = client.get(f"/api/v1/records/{made.json['code']}/pdf", headers=headers).data
    text = text_of(handout).replace("\n", "").replace(" ", "")
    assert document["name"].replace(" ", "") in text and document["sha256"][:32] in text
    assert _images(handout, tmp_path) == []  # a PDF is listed, not printed as an image
    app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    with app.app_context():
        [stored] = renditions_of(services().db, made.json["code"])
        archival = file_store().get(content_key(stored.sha256))
    with pikepdf.open(io.BytesIO(archival)) as pdf:
        embedded = [spec.get_file().read_bytes() for key, spec in pdf.attachments.items()
                    if not key.endswith(".json")]
    assert embedded == [body]  # a PDF is stored as sent


def test_the_batch_export_withholds_a_personal_file_from_who_lacks_the_need(app: Flask,
                                                                          tmp_path: Path) -> None:
    """``pdf export`` prints every record as the named user would (forms.printing.print_record):
    the archivist, who reads personal fields masked, gets RS's signed copy scan withheld; the
    clerk of the department gets it by name and checksum."""
    scan = stored_files(app, ("客户签字联.jpg", photo_jpeg()[1]))
    with app.app_context():
        s = services()
        submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "RS", {**RS_DATA, "signed_copy_scan": scan})
    texts = {}
    for who in ("clerk", "archivist"):
        out = tmp_path / who
        result = app.test_cli_runner().invoke(args=["pdf", "export", "--form", "RS", "--year", "2026",
                                                    "--out", str(out), "--by", who, "--processes", "1"])
        assert result.exit_code == 0, result.output
        [pdf] = sorted(out.rglob("*.pdf"))
        texts[who] = text_of(pdf.read_bytes()).replace("\n", "").replace(" ", "")
    assert "客户签字联.jpg" in texts["clerk"] and scan[0]["sha256"][:32] in texts["clerk"]
    assert "客户签字联.jpg" not in texts["archivist"] and scan[0]["sha256"][:16] not in texts["archivist"]
    assert "已隐去1个文件" in texts["archivist"]
