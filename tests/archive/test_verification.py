"""Checking copies against the archive: the QR code printed on every page leads to /verify,
which tells a current copy from an outdated or altered one; a file can be checked by its bytes."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select, update

from archive.models import Record, RecordRevision
from core.audit.models import AuditEvent
from core.web import services
from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of, csrf_token
from tests.support.lifecycle import submit_cp
from tests.support.pdf import qr_codes_on_pages


def correct(app: Flask, code: str, reason: str) -> None:
    """Append a correction revision as the workflow will (issue 5 brings the service)."""
    with app.app_context(), services().db.transaction() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        data = {**record.data, "phone": "13900139000"}
        session.add(RecordRevision(record_id=record.id, number=2, action="correct", state=record.state,
                                   data=data, actor_id=actor_of(app, "supervisor").user_id,
                                   at=services().clock.now(), reason=reason))
        session.execute(update(Record).where(Record.id == record.id).values(revision=2, data=data))


def test_every_page_carries_a_qr_code_that_verifies(app: Flask, logged_in, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP",
                      {**VALID_CP, "complaint": "包装破损。\n" * 300}).code
    pdf = logged_in("clerk").get(f"/records/{code}.pdf").data
    urls = qr_codes_on_pages(pdf, tmp_path)
    assert len(urls) >= 2 and len(set(urls)) == 1, urls  # several pages, the same code on each
    url = urlsplit(urls[0])
    assert (url.scheme, url.netloc, url.path) == ("http", "localhost", f"/verify/{code}")  # as served
    assert re.fullmatch(r"r=1&f=[0-9a-f]{16}", url.query)
    page = app.test_client().get(f"{url.path}?{url.query}")  # not signed in: a customer scanning
    assert page.status_code == 200 and "此副本与档案一致" in page.get_data(as_text=True)
    with app.app_context(), services().db.reading() as session:
        event = session.execute(select(AuditEvent.actor_name, AuditEvent.detail).where(
            AuditEvent.action == "record.verify")).one()
    assert event.actor_name == "public:verify" and event.detail["outcome"] == "match"


def test_a_corrected_record_marks_its_print_and_outdates_older_copies(app: Flask, logged_in,  # type: ignore[no-untyped-def]
                                                                      tmp_path: Path) -> None:
    code = submit_cp(app)
    clerk = logged_in("clerk")
    [old_url] = set(qr_codes_on_pages(clerk.get(f"/records/{code}.pdf").data, tmp_path / "old"))
    correct(app, code, "客户电话登记错误")
    new_pdf = clerk.get(f"/records/{code}.pdf").data
    text = subprocess.run(["pdftotext", "-", "-"], input=new_pdf, capture_output=True,
                          check=True).stdout.decode()
    assert "已勘误 CORRECTED" in text, text[:600]
    assert "Supervisor" in text and "客户电话登记错误" in text  # who corrected it, by display name
    assert "13900139000" in text
    [new_url] = set(qr_codes_on_pages(new_pdf, tmp_path / "new"))
    assert "r=2&" in new_url and new_url != old_url
    client = app.test_client()
    outdated = client.get(urlsplit(old_url).path + "?" + urlsplit(old_url).query).get_data(as_text=True)
    assert "此副本已过时" in outdated and "当前为第 2 版次" in outdated
    current = client.get(urlsplit(new_url).path + "?" + urlsplit(new_url).query).get_data(as_text=True)
    assert "此副本与档案一致" in current


def test_an_altered_or_unknown_copy_gets_the_same_answer_and_no_details(app: Flask) -> None:
    code = submit_cp(app)
    client = app.test_client()
    altered = client.get(f"/verify/{code}?r=1&f=0000000000000000").get_data(as_text=True)
    unknown = client.get("/verify/CP-2026-999999?r=1&f=0000000000000000").get_data(as_text=True)
    for page in (altered, unknown):
        assert "没有相符的档案" in page and "上海恒丰" not in page
    assert code not in altered.split("<main", 1)[-1]  # nothing about the record is revealed


@pytest.mark.parametrize(("query", "named"), [
    ("r=1", "f="), ("f=0123456789abcdef", "r="), ("r=x&f=0123456789abcdef", "r="),
    ("r=1&f=XYZ", "f="), ("r=1&f=0123456789abcdef0", "f="),
])
def test_a_malformed_link_is_a_400_that_says_which_part(app: Flask, query: str, named: str) -> None:
    response = app.test_client().get(f"/verify/CP-2026-000001?{query}")
    assert response.status_code == 400 and named in response.get_data(as_text=True)


def test_a_bad_code_in_the_link_is_named(app: Flask) -> None:
    response = app.test_client().get("/verify/..%2f..%2fetc?r=1&f=0123456789abcdef")
    assert response.status_code in (400, 404)
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_file_is_checked_byte_for_byte_against_the_stored_copies(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = submit_cp(app)
    app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    clerk = logged_in("clerk")
    stored = clerk.get(f"/records/{code}/archival.pdf").data

    def upload(data: bytes, name: str = "copy.pdf") -> tuple[int, str]:
        token = csrf_token(clerk.get("/verify").get_data(as_text=True))
        response = clerk.post("/verify", data={"csrf_token": token, "document": (io.BytesIO(data), name)},
                              content_type="multipart/form-data")
        return response.status_code, response.get_data(as_text=True)

    status, page = upload(stored)
    assert status == 200 and f"此文件是 {code} 第 1 版次的归档副本" in page
    middle = len(stored) // 2
    altered = stored[:middle] + bytes([stored[middle] ^ 1]) + stored[middle + 1:]  # one bit flipped
    status, page = upload(altered)
    assert status == 200 and "此文件不是本处存档的归档副本" in page
    status, page = upload(b"hello", "notes.txt")
    assert status == 400 and "该文件不是 PDF" in page
    token = csrf_token(clerk.get("/verify").get_data(as_text=True))
    assert clerk.post("/verify", data={"csrf_token": token}).status_code == 400  # no file chosen
    assert clerk.post("/verify", data={}, content_type="multipart/form-data").status_code == 400  # no CSRF
    assert app.test_client().get("/verify").status_code == 302  # sign-in required


def test_the_customer_receipt_carries_the_qr_code_too(app: Flask, logged_in, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code = submit_cp(app)
    receipt = logged_in("clerk").get(f"/records/{code}.pdf?variant=receipt").data
    [url] = qr_codes_on_pages(receipt, tmp_path)
    assert f"/verify/{code}?r=1&f=" in url
    page = app.test_client().get(url.split("localhost", 1)[1]).get_data(as_text=True)
    assert "此副本与档案一致" in page
