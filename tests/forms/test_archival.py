"""The archival PDF/A rendition, end to end: queued by submitting, rendered by the outbox worker
after commit, stored write-once with its checksum, and checked with pikepdf and poppler."""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import zlib
from pathlib import Path

import pikepdf
import pytest
from flask import Flask
from sqlalchemy import select

from archive.files import BadKey, content_key
from archive.records import record_at_revision
from archive.renditions import renditions_of
from archive.stores import file_store
from core.audit.models import AuditEvent
from core.outbox import queue
from core.web import services
from forms import versions
from forms.pdf.archival import TOPIC, render_archival
from forms.pdf.service import configured_renderer
from tests.support.file_stores import rendition_path
from tests.support.instance import login, make_app
from tests.support.lifecycle import submit_cp

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def run_outbox(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    return result.output


def stored_file(app: Flask, code: str) -> Path:
    return rendition_path(app, code)


def test_submitting_queues_the_rendition_and_the_worker_stores_it(app: Flask) -> None:
    code = submit_cp(app)
    with app.app_context():
        assert [(i.topic, i.subject) for i in queue.pending(services().db)] == [
            (TOPIC, code), ("search.index", code)]
        assert renditions_of(services().db, code) == []  # nothing rendered inside the request
    assert "2 done, 0 failed" in run_outbox(app)  # the PDF and the index entry
    with app.app_context():
        [stored] = renditions_of(services().db, code)
        assert queue.pending(services().db) == []
    path = stored_file(app, code)
    data = path.read_bytes()
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
    assert path == Path(app.instance_path) / "renditions" / content_key(stored.sha256)  # by content
    assert stored.profile == "PDF/A-3u" and path.stat().st_mode & 0o222 == 0  # read-only
    with app.app_context(), services().db.reading() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == code)).all()
    assert "rendition.store" in actions


def test_the_rendition_is_pdf_a_3u_with_metadata_output_intent_fonts_and_attached_data(app: Flask) -> None:
    code = submit_cp(app, complaint="外包装破损，产品表面有划痕")
    run_outbox(app)
    path = stored_file(app, code)
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "U")
        assert meta["dc:title"] == f"客户抱怨处理表 {code}"
        assert code in meta["pdf:Keywords"] and "CP 版号 6" in meta["pdf:Keywords"]
        assert "版号 6" in meta["dc:description"] and meta["dc:creator"] == ["Clerk"]
        assert meta["xmp:CreateDate"].startswith("2026-03-02T01:30:00")
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and len(intent.DestOutputProfile.read_bytes()) > 1000
        [(name, attached)] = pdf.attachments.items()
        assert name == f"{code}.r1.json"
        assert pdf.Root.AF[0].AFRelationship == "/Source"
        document = json.loads(attached.get_file().read_bytes())
    assert document["code"] == code and document["revision"] == 1
    assert document["data"]["complaint"] == "外包装破损，产品表面有划痕"
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    assert all(" yes yes yes " in line for line in fonts.splitlines()[2:]), fonts
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "外包装破损" in text and code in text and "归档版本" in text and "打印时间" not in text


def test_the_same_revision_renders_to_the_same_bytes(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    code = submit_cp(app)
    run_outbox(app)
    clock.advance(days=3)  # a later render must not differ: nothing depends on the time of rendering
    with app.app_context():
        s = services()
        with s.db.reading() as session:
            record = record_at_revision(session, code, 1)
        assert record is not None
        spec = versions.spec_version(s.db, "CP", record.form_version)
        again = render_archival(configured_renderer(app.config, Path(app.instance_path)), spec, record,
                                company=app.config["COMPANY_NAME"], zone=s.zone,
                                public_url=app.config["PUBLIC_URL"])
    assert again.pdf == stored_file(app, code).read_bytes()


def test_a_failed_render_leaves_the_record_and_is_retried_until_it_works(
        app: Flask, clock, instance_dir: Path) -> None:  # type: ignore[no-untyped-def]
    code = submit_cp(app)
    broken = make_app(app.config["DATABASE_URL"], clock, PDF_FONT_REGULAR="/nonexistent/font.ttc")
    output = run_outbox(broken)
    assert "1 done, 1 failed" in output and "/nonexistent/font.ttc" in output  # indexed, not printed
    with broken.app_context():
        [item] = queue.pending(services().db)
    assert item.attempts == 1 and "No Chinese (regular) font" in (item.last_error or "")
    with app.app_context():
        assert renditions_of(services().db, code) == [] and file_store().is_empty()
    clock.advance(seconds=30)
    assert "1 done, 0 failed" in run_outbox(app)  # the fixed configuration renders it
    assert stored_file(app, code).exists()


def test_record_page_shows_the_checksum_and_the_download_is_the_stored_file(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = submit_cp(app)
    clerk = logged_in("clerk")
    assert "归档副本正在生成" in clerk.get(f"/records/{code}").get_data(as_text=True)
    run_outbox(app)
    page = clerk.get(f"/records/{code}").get_data(as_text=True)
    data = stored_file(app, code).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest in page and "PDF/A-3u" in page
    response = clerk.get(f"/records/{code}/archival.pdf")
    assert response.status_code == 200 and response.data == data
    assert response.headers["X-Content-SHA256"] == digest
    assert response.headers["Content-Disposition"] == f'attachment; filename="{code}.r1.pdf"'
    assert logged_in("sales").get(f"/records/{code}/archival.pdf").status_code == 403
    with app.app_context(), services().db.reading() as session:
        events = session.execute(select(AuditEvent.action, AuditEvent.actor_name).where(
            AuditEvent.object_id == code)).all()
    assert ("record.download", "clerk") in events and ("record.download.denied", "sales") in events


def test_the_api_serves_the_archival_file_and_says_when_there_is_none(app: Flask, token_for) -> None:  # type: ignore[no-untyped-def]
    code = submit_cp(app)
    client = app.test_client()
    headers = token_for("clerk")
    pending = client.get(f"/api/v1/records/{code}/archival", headers=headers)
    assert pending.status_code == 404 and "no archival copy stored yet" in pending.json["error"]
    run_outbox(app)
    response = client.get(f"/api/v1/records/{code}/archival", headers=headers)
    assert response.status_code == 200 and response.data == stored_file(app, code).read_bytes()
    assert client.get(f"/api/v1/records/{code}/archival?revision=x", headers=headers).status_code == 400
    assert client.get(f"/api/v1/records/{code}/archival?revision=9", headers=headers).status_code == 404
    assert client.get(f"/api/v1/records/{code}/archival", headers=token_for("sales")).status_code == 403


@pytest.mark.parametrize("path", ["../../etc/passwd", "CP-2026-000001/../../x"])
def test_the_store_refuses_paths_that_leave_it(app: Flask, path: str) -> None:
    with app.app_context(), pytest.raises(BadKey):
        file_store().get(path)


def dark_fraction(pgm: bytes) -> float:
    """Share of pixels darker than mid-grey in a binary PGM (P5) image from pdftoppm -gray."""
    magic, width, height, maxval, pixels = pgm.split(maxsplit=4)
    assert magic == b"P5" and maxval == b"255"
    pixels = pixels[: int(width) * int(height)]
    return sum(1 for value in pixels if value < 128) / len(pixels)


def test_the_first_page_renders_to_a_non_blank_image_kept_as_an_artifact(app: Flask) -> None:
    code = submit_cp(app)
    run_outbox(app)
    path = stored_file(app, code)
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-singlefile", str(path),
                    str(ARTIFACTS / "cp-archival-page1")], check=True)
    pgm = subprocess.run(["pdftoppm", "-r", "50", "-gray", "-f", "1", "-singlefile", str(path)],
                         capture_output=True, check=True).stdout
    assert (ARTIFACTS / "cp-archival-page1.png").stat().st_size > 10_000
    assert 0.01 < dark_fraction(pgm) < 0.5  # text, rules and the QR code; not blank, not black


def tiny_png(width: int = 8, height: int = 8) -> bytes:
    """A solid dark-blue PNG written by hand (no imaging library needed)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\x1d\x35\x57" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def images_in(pdf: bytes) -> list[str]:
    out = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True).stdout
    return out.decode().splitlines()[2:]


def test_the_configured_logo_is_printed_and_a_bad_setting_is_a_clear_error(
        app: Flask, clock, instance_dir: Path) -> None:  # type: ignore[no-untyped-def]
    code = submit_cp(app)
    (instance_dir / "logo.png").write_bytes(tiny_png())
    url = app.config["DATABASE_URL"]

    def print_with(**config: object) -> tuple[int, bytes]:
        other = make_app(url, clock, **config)
        client = other.test_client()
        login(client, "clerk")
        response = client.get(f"/records/{code}.pdf")
        return response.status_code, response.data

    status, pdf = print_with(PDF_LOGO="logo.png")
    assert status == 200 and len(images_in(pdf)) >= 1
    status, pdf = print_with(PDF_LOGO="")
    assert status == 200 and images_in(pdf) == []
    status, page = print_with(PDF_LOGO="missing.png")
    assert status == 503 and "pdf_logo" in page.decode() and "no such file" in page.decode()
    status, page = print_with(PDF_LOGO="../secret_key")
    assert status == 503 and "must be a .png" in page.decode()
