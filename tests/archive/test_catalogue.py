"""The catalogue (案卷目录) as the records office reads and prints it: titles masked for roles
without the need of customers' names, on the page, the CSV, the API and the printed PDF (a real
WeasyPrint PDF, read back with pdftotext and pdfinfo)."""

from __future__ import annotations

import re
import subprocess

import pytest
from flask import Flask
from sqlalchemy import select

from archive import catalogue
from core.audit.models import AuditEvent
from core.web import services
from forms.masking import mask_text
from tests.support.instance import VALID_CP, actor_of
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


def test_a_year_is_paged_in_code_order_numbered_as_a_whole_and_audited_per_page(
        app: Flask, logged_in, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    codes = _filed(app, 3)
    monkeypatch.setattr(catalogue, "PER_PAGE", 2)
    archivist = logged_in("archivist")
    english = {"Accept-Language": "en"}
    first = archivist.get("/archive/catalogue?form=CP&year=2026", headers=english).text
    assert codes[0] in first and codes[1] in first and codes[2] not in first
    assert "Page 1 of 2" in first and 'rel="next"' in first and "CP-2026 (3)" in first
    second = archivist.get("/archive/catalogue?form=CP&year=2026&page=2", headers=english).text
    assert codes[2] in second and codes[0] not in second and 'rel="prev"' in second
    assert '<td data-label="No. ">3</td>' in second  # numbered as in the whole catalogue
    assert NAME not in second and mask_text(f"{NAME}2") in second
    past = archivist.get("/archive/catalogue?form=CP&year=2026&page=99", headers=english).text
    assert codes[2] in past and "Page 2 of 2" in past  # an old link past the end: the last page
    with app.app_context(), services().db.reading() as session:
        listed = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "record.list")
                                 .order_by(AuditEvent.seq)).all()
    assert [d["codes"] for d in listed[-3:]] == [codes[:2], codes[2:], codes[2:]]  # what each page showed
    whole = archivist.get("/archive/catalogue?form=CP&year=2026&format=csv").get_data(as_text=True)
    assert all(code in whole for code in codes)  # the download is every page


@pytest.mark.parametrize("engine", [pytest.param("app", id="sqlite"),
                                    pytest.param("pg_app", id="postgresql", marks=pytest.mark.postgres)])
def test_catalogue_pages_and_volumes_on_both_databases(engine: str, request: pytest.FixtureRequest) -> None:
    app = request.getfixturevalue(engine)
    codes = _filed(app, 3)
    with app.app_context():
        s = services()
        archivist = actor_of(app, "archivist")
        pages = [catalogue.catalogue_page(s.db, s.clock, s.zone, archivist, "CP", 2026, page=n, per_page=2)
                 for n in (1, 2)]
        volume = catalogue.catalogue_page(s.db, s.clock, s.zone, archivist, "CP", 2026, "CP-2026", per_page=2)
        other = catalogue.catalogue_page(s.db, s.clock, s.zone, archivist, "CP", 2026, "CP-2031", per_page=2)
    assert [[(e.number, e.code) for e in p.entries] for p in pages] == [
        [(1, codes[0]), (2, codes[1])], [(3, codes[2])]]
    assert all(p.total == 3 and p.pages == 2 and p.volumes == [("CP-2026", 3)] for p in pages)
    assert [e.code for e in volume.entries] == codes[:2] and volume.pages == 2
    assert other.entries == [] and other.total == 0 and other.pages == 1
    assert all(e.pages for p in pages for e in p.entries)  # from the filed revision's archival copy
