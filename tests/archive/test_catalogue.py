"""The catalogue (案卷目录) as the records office reads and prints it: titles masked for roles
without the need of customers' names, on the page, the CSV, the API and the printed PDF (a real
WeasyPrint PDF, read back with pdftotext and pdfinfo)."""

from __future__ import annotations

import re
import subprocess

from flask import Flask
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.web import services
from forms.masking import mask_text
from tests.support.instance import VALID_CP
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox
from tests.support.pdf import outside_the_body, painted_boxes

NAME = VALID_CP["customer_name"]


def _filed(app: Flask, count: int = 2) -> list[str]:
    codes = [new_complaint(app, customer_name=f"{NAME}{n}") for n in range(count)]
    for code in codes:
        close_complaint(app, code)
    work_outbox(app)
    return codes


def test_the_catalogue_masks_customer_names_for_the_records_office(app: Flask, logged_in, token_for) -> None:  # type: ignore[no-untyped-def]
    codes = _filed(app)
    masked = mask_text(f"{NAME}0")
    for role in ("archivist", "auditor", "admin"):
        page = logged_in(role).get("/archive/catalogue?form=CP&year=2026").get_data(as_text=True)
        assert codes[0] in page and masked in page, role
        assert NAME not in page, role
    csv_text = logged_in("archivist").get("/archive/catalogue?form=CP&year=2026&format=csv").get_data(
        as_text=True)
    assert masked in csv_text and NAME not in csv_text
    listed = logged_in("admin").get("/archive/").get_data(as_text=True)  # the filing queue
    assert NAME not in listed
    entries = app.test_client().get("/api/v1/archive/catalogue?form=CP&year=2026",
                                    headers=token_for("archivist")).json["entries"]
    assert [e["code"] for e in entries] == codes
    assert all(e["title"].startswith(masked) and NAME not in e["title"] for e in entries)


def test_the_catalogue_prints_as_a_pdf_in_code_order(app: Flask, logged_in, tmp_path) -> None:  # type: ignore[no-untyped-def]
    codes = _filed(app, 3)
    archivist = logged_in("archivist")
    response = archivist.get("/archive/catalogue?form=CP&year=2026&volume=CP-2026&format=pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="catalogue-CP-2026-CP-2026.pdf"' in response.headers["Content-Disposition"]
    path = tmp_path / "catalogue.pdf"
    path.write_bytes(response.data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    assert re.search(r"Title:\s+案卷目录 客户抱怨处理表 2026 CP-2026", info), info
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert "共 3 件" in text and text.count("CP-2026 ") >= 3 and "立卷人" in text and "检查人" in text
    positions = [text.index(code) for code in codes]
    assert positions == sorted(positions)  # code order
    assert NAME not in text and mask_text(f"{NAME}1") in text
    assert "客诉处理记录（3年） · 至 2029-12-31" in text  # the class by its Chinese name
    assert painted_boxes(response.data)[0] and outside_the_body(response.data) == []  # within the margins
    with app.app_context(), services().db.reading() as session:
        printed = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "record.print")).all()
    assert any(set(codes) <= set(detail.get("codes", [])) for detail in printed)


def test_a_catalogue_pdf_of_an_empty_year_says_so_and_bad_years_are_refused(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    archivist = logged_in("archivist")
    response = archivist.get("/archive/catalogue?form=VR&year=2031&format=pdf")
    assert response.status_code == 200
    text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True,
                          check=True).stdout
    assert "无已归档记录".encode() in text
    refused = archivist.get("/archive/catalogue?form=CP&year=abc&format=pdf")
    assert refused.status_code == 400 and refused.mimetype == "text/html"
    assert logged_in("clerk").get("/archive/catalogue?form=CP&year=2026&format=pdf").status_code == 403
