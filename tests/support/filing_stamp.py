"""Shared by the filing stamp's tests (tests/forms/test_filing_stamp*.py): a complaint filed by
the real worker, its renditions row, the stored file, and where the stamp is on page 1 (the paths
painted in the top margin's right half, the words inside them)."""

from __future__ import annotations

import io
from typing import Any

import pikepdf
from flask import Flask
from sqlalchemy import select

from archive.archival_codes import ArchivalReference, retention_label
from archive.filing_stamp import STAMP_TOPIC
from archive.models import Record, Rendition
from archive.stores import file_store
from core.audit.models import AuditEvent
from core.web import services
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox
from tests.support.pdf import A4, painted_boxes
from tests.support.pdf_words import Page, Word, mm

#: The body's content box, top-down points (static/pdf/print.css: margins 22 18 22 16 mm).
BODY_TOP, BODY_RIGHT = mm(22), A4[0] - mm(18)


def filed(app: Flask) -> str:
    """A complaint closed, countersigned and filed by the worker (its copy then stamped)."""
    code = new_complaint(app)
    close_complaint(app, code)
    work_outbox(app)
    return code


def row_of(app: Flask, code: str, revision: int | None = None) -> tuple[Record, Rendition]:
    with app.app_context(), services().db.reading() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        assert record is not None
        rendition = session.scalar(select(Rendition).where(
            Rendition.record_id == record.id, Rendition.revision == (revision or record.filed_revision)))
        assert rendition is not None
        session.expunge_all()
        return record, rendition


def stored_pdf(app: Flask, rendition: Rendition) -> bytes:
    with app.app_context():
        return file_store().get(rendition.path)


def stamp_box(pdf: bytes) -> tuple[float, float, float, float] | None:
    """The union of the paths painted on page 1 in the top margin's right half (the stamp's
    rules), top-down points (x0, top, x1, bottom); None if nothing is painted there."""
    height = A4[1]
    found = [(x0, height - y1, x1, height - y0) for x0, y0, x1, y1 in painted_boxes(pdf)[0]
             if height - y1 < BODY_TOP and x0 > A4[0] / 2]
    if not found:
        return None
    return (min(b[0] for b in found), min(b[1] for b in found),
            max(b[2] for b in found), max(b[3] for b in found))


def stamp_words(page: Page, box: tuple[float, float, float, float]) -> list[Word]:
    return [word for word in page.words if word.inside(box)]


def expected_cells(reference: ArchivalReference, pages: int) -> set[str]:
    return {"全宗号", reference.fonds, "年度", str(reference.year), "件号", f"{reference.item:04d}",
            "保管期限", retention_label(reference.retention, "zh"), "机构（问题）", reference.organisation,
            "页数", str(pages)}


def attached_json(pdf: bytes, code: str, revision: int) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return document.attachments[f"{code}.r{revision}.json"].get_file().read_bytes()


def events(app: Flask, code: str, action: str) -> list[dict[str, Any]]:
    with app.app_context(), services().db.reading() as session:
        return [dict(detail) for detail in session.scalars(select(AuditEvent.detail).where(
            AuditEvent.object_id == code, AuditEvent.action == action).order_by(AuditEvent.id))]


def work_outbox_without_stamping(app: Flask) -> None:
    app.test_cli_runner().invoke(args=["outbox", "run", "--once", "--skip-topics", STAMP_TOPIC])
