"""An archivist downloads a record's archival PDF/A and checks it on the verify page; a customer
opens the QR link in English. Both pages pass axe."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import expect

from archive.content import content_fingerprint
from archive.records import record_at_revision
from core.web import services
from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of
from tests.support.journeys import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_download_the_archival_copy_and_check_it(app: Flask, live_server, new_page, tmp_path, artifacts):  # type: ignore[no-untyped-def]
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP", VALID_CP).code
    assert "2 done" in app.test_cli_runner().invoke(args=["outbox", "run", "--once"]).output

    page = new_page("zh-CN")
    sign_in(page, live_server, "archivist")
    page.goto(f"{live_server}/records/{code}")
    expect(page.get_by_role("heading", name="归档副本")).to_be_visible()
    digest = page.locator(".code-hash").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载归档 PDF/A").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.name == f"{code}.r1.pdf"

    page.goto(f"{live_server}/verify")
    assert_accessible(page, "verify upload page")
    page.get_by_label("PDF 文件").set_input_files(str(saved))
    page.get_by_role("button", name="核验").click()
    expect(page.get_by_role("status")).to_contain_text(f"此文件是 {code} 第 1 版次的归档副本")
    page.screenshot(path=str(artifacts / "verify-file-zh.png"), full_page=True)
    assert_accessible(page, "verify result")

    page.get_by_label("PDF 文件").set_input_files(
        {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"})
    page.get_by_role("button", name="核验").click()
    expect(page.locator(".error-summary")).to_contain_text("该文件不是 PDF")
    assert_accessible(page, "verify upload with an error")


def test_a_customer_opens_the_qr_link_in_english(app: Flask, live_server, new_page, artifacts):  # type: ignore[no-untyped-def]
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP", VALID_CP).code
        with s.db.reading() as session:
            record = record_at_revision(session, code, 1)
        assert record is not None
        fingerprint = content_fingerprint(record)[:16]
    page = new_page("en-US")
    page.goto(f"{live_server}/verify/{code}?r=1&f={fingerprint}")
    expect(page.get_by_role("status")).to_contain_text("This copy matches the archive")
    page.screenshot(path=str(artifacts / "verify-link-en.png"), full_page=True)
    assert_accessible(page, "public verify page")
    page.goto(f"{live_server}/verify/{code}?r=1&f=0000000000000000")
    expect(page.get_by_role("status")).to_contain_text("No matching record")
