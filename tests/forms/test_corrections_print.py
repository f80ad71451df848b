"""A correction (勘误) on paper: each corrected field's original value struck through beside the
new one, with reason, who and when, as the record page shows it; nothing overwritten, the
original readable, and masked for a reader without the need (issue 15, item 7)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from flask import Flask

from archive.records import get_record
from core.clock import FrozenClock, SystemClock
from core.web import services
from forms.printing import LAYOUTS, print_context
from forms.versions import spec_version
from tests.support.instance import actor_of, login, make_app
from tests.support.lifecycle import new_complaint, step
from tests.support.pdf import painted_boxes, text_of

MASKED_OLD_PHONE, OLD_PHONE, NEW_PHONE = "138****8000", "13800138000", "13900139000"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC))


def corrected(app: Flask, clock: FrozenClock) -> str:
    code = new_complaint(app, order_no="SO-2026-0001")
    clock.advance(minutes=20)
    step(app, code, "correct", "clerk", {"order_no": "SO-2026-0815"}, reason="订单号抄错")
    clock.advance(hours=1)
    step(app, code, "correct", "supervisor", {"phone": NEW_PHONE}, reason="号码记错")
    return code


def words(pdf: bytes) -> list[tuple[str, float, float, float, float]]:
    """Every word of page 1 with its box in PDF points, y upwards (as painted_boxes gives)."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode()

    class Words(HTMLParser):
        found: list[tuple[str, float, float, float, float]]
        height = 0.0
        box: dict[str, str] | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = {k: v or "" for k, v in attrs}
            if tag == "page":
                self.height = float(a["height"])
            self.box = a if tag == "word" else None

        def handle_data(self, data: str) -> None:
            if self.box is not None:
                b = {k: float(v) for k, v in self.box.items()}
                top, bottom = self.height - b["ymin"], self.height - b["ymax"]
                self.found.append((data, b["xmin"], bottom, b["xmax"], top))
                self.box = None

    parser = Words()
    parser.found = []
    parser.feed(html)
    return parser.found


def struck(pdf: bytes, word: str) -> bool:
    """Whether a thin horizontal line is painted across ``word`` (through its middle half)."""
    boxes = painted_boxes(pdf)[0]
    for text, x0, y0, x1, y1 in words(pdf):
        if word in text:
            middle, quarter = (y0 + y1) / 2, (y1 - y0) / 4
            if any(b[3] - b[1] < 1.5 and b[0] <= x0 + 1 and b[2] >= x1 - 1
                   and middle - quarter <= (b[1] + b[3]) / 2 <= middle + quarter for b in boxes):
                return True
    return False


def test_the_printed_copy_strikes_the_original_beside_the_new_value(app, clock, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = corrected(app, clock)
    pdf = logged_in("clerk").get(f"/records/{code}.pdf").data
    text = text_of(pdf)
    for expected in ("已勘误", "订单号抄错", "号码记错", "2026-03-02 09:50", "2026-03-02 10:50",
                     "Clerk", "Supervisor", "订单编号", "联系电话"):
        assert expected in text, expected
    old, new = text.index("SO-2026-0001"), text.index("SO-2026-0815")
    assert old < new and "\n" not in text[old:new]  # the original on the same line, before the new
    assert text.index("订单号抄错") < text.index("SO-2026-0001")  # under its correction's reason
    assert OLD_PHONE in text and NEW_PHONE in text
    assert struck(pdf, "SO-2026-0001") and struck(pdf, OLD_PHONE)
    assert not struck(pdf, "SO-2026-0815") and not struck(pdf, NEW_PHONE)


def test_a_reader_without_the_need_sees_the_corrected_values_masked(app, clock, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = corrected(app, clock)
    text = text_of(logged_in("auditor").get(f"/records/{code}.pdf").data)
    assert "号码记错" in text and MASKED_OLD_PHONE in text and "139****9000" in text
    assert OLD_PHONE not in text and NEW_PHONE not in text


def test_the_archival_copy_carries_the_corrections_too(app, clock) -> None:  # type: ignore[no-untyped-def]
    """The archival rendition is laid out by the same print_context, unmasked and undated."""
    code = corrected(app, clock)
    with app.app_context():
        s = services()
        record = get_record(s.db, s.clock, actor_of(app, "archivist"), code)
        spec = spec_version(s.db, record.form_code, record.form_version)
        context = print_context(spec, record, s.zone, "公司", None, public_url="https://x", has_logo=False)
    html = LAYOUTS.get_template("record.html").render(**context, copies=[None])
    assert "<del>SO-2026-0001</del>" in html and f"<del>{OLD_PHONE}</del>" in html


def test_corrections_print_on_the_system_clock(app_factory_system_clock) -> None:  # type: ignore[no-untyped-def]
    app, client = app_factory_system_clock
    code = new_complaint(app, order_no="SO-2026-0001")
    step(app, code, "correct", "clerk", {"order_no": "SO-2026-0815"}, reason="订单号抄错")
    text = text_of(client.get(f"/records/{code}.pdf").data)
    assert "SO-2026-0001" in text and text.index("SO-2026-0001") < text.index("SO-2026-0815")


@pytest.fixture
def app_factory_system_clock(template_db, instance_dir):  # type: ignore[no-untyped-def]
    database = instance_dir / "dossier.sqlite3"
    shutil.copy(template_db, database)
    application = make_app(f"sqlite:///{database}", SystemClock())
    client = application.test_client()
    login(client, "clerk")
    yield application, client
    with application.app_context():
        services().db.dispose()


def test_the_receipt_marks_a_correction_of_what_it_shows(app, clock, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = new_complaint(app)
    step(app, code, "classify", "supervisor", {"cause_class": "quality", "level": "1",
                                              "responsible_department": "CS"})
    clerk = logged_in("clerk")
    assert "已勘误" not in text_of(clerk.get(f"/records/{code}.pdf?variant=receipt").data)
    clock.advance(minutes=30)
    step(app, code, "correct", "supervisor", {"level": "3", "order_no": "SO-9"}, reason="实为重大投诉")
    pdf = clerk.get(f"/records/{code}.pdf?variant=receipt").data
    text = text_of(pdf)
    assert "已勘误" in text and "实为重大投诉" in text and "2026-03-02 10:00" in text
    old, new = text.index("一级（权限内）"), text.rindex("三级（重大投诉）")
    assert old < new and "\n" not in text[old:new] and struck(pdf, "一级（权限内）")
    assert "SO-9" not in text  # the receipt shows what it shows; the order number is not on it
