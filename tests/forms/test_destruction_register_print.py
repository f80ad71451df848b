"""The destruction register (销毁清册) as printed, read back with poppler the way an inspector's
tools would: its archival PDF/A (the copy kept permanently) and its handout have the register's
columns in order, each record's 档号 and masked title under them, the appraisal, the approver,
both witnesses with the second each confirmed, and the lines where each signs."""

from __future__ import annotations

import subprocess
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from archive import disposal, holds
from archive.models import Record, Rendition
from archive.ports import archive_ports
from archive.stores import file_store
from core.clock import FrozenClock, local
from core.web import services
from tests.support.artifacts import ARTIFACTS
from tests.support.destruction import witness
from tests.support.instance import actor_of
from tests.support.lifecycle import DAYS_TO_2030, filed_complaints, work_outbox
from tests.support.pdf import text_of
from tests.support.pdf_words import Page, pages_of

COLUMNS = ("序号", "档号", "题名", "年度", "保管期限", "已保管年限", "页数", "销毁原因")


def executed_register(app: Flask, clock: FrozenClock) -> tuple[str, dict[str, str], str]:
    """Two filed complaints on an approved list, one of them held after approval; both
    witnesses confirm; executed and filed. (register code, 档号 by code, held code)."""
    destroyed, held = filed_complaints(app, 2)
    with app.app_context(), services().db.reading() as session:
        references = dict(session.execute(select(Record.code, Record.archival_code)
                                          .where(Record.code.in_([destroyed, held]))).all())
    clock.advance(days=DAYS_TO_2030, microseconds=424242)
    with app.app_context():
        s = services()
        archivist = actor_of(app, "archivist")
        listed = disposal.propose(s.db, s.clock, s.zone, archivist, [destroyed, held], "期满，经鉴定可销毁")
        disposal.decide(s.db, s.clock, actor_of(app, "admin"), listed.id, approve=True)
        hold = holds.create_hold(s.db, s.clock, archivist, name="诉讼", reason="客户起诉", owner="archivist")
        holds.add_records(s.db, s.clock, archivist, hold.id, [held])
    witness(app, listed.id)
    with app.app_context():
        s = services()
        done = disposal.execute(s.db, s.clock, s.zone, actor_of(app, "archivist"), listed.id,
                                archive_ports().disposal_hooks())
    work_outbox(app)  # the register's archival copy, its filing and its stamp
    work_outbox(app)
    return done.register_code or "", references, held


def archival_copy(app: Flask, code: str) -> bytes:
    with app.app_context(), services().db.reading() as session:
        path = session.scalar(select(Rendition.path).join(Record).where(Record.code == code)
                              .order_by(Rendition.revision.desc(), Rendition.id.desc()))
    assert path, f"{code} has no archival copy"
    with app.app_context():
        return file_store().get(path)


def confirmations(app: Flask, register: str) -> list[str]:
    """Each witness's confirmation as the register prints it: office time, to the second."""
    with app.app_context(), services().db.reading() as session:
        data = session.scalar(select(Record.data).where(Record.code == register))
        zone = services().zone
    return [local(datetime.fromisoformat(w["confirmed_at"]), zone).strftime("%Y-%m-%d %H:%M:%S")
            for w in data["witnesses"]]


def header_positions(page: Page) -> list[float]:
    """The left edge of each column heading, on the table's heading line (the filing stamp in
    the margin has a 年度 of its own)."""
    first = next(word for word in page.words if word.text == COLUMNS[0])
    found = {word.text: word.x0 for word in page.words
             if word.text in COLUMNS and abs(word.top - first.top) < 6}
    assert set(found) == set(COLUMNS), found
    return [found[c] for c in COLUMNS]


def test_the_archival_register_prints_the_columns_masked_titles_and_both_witnesses(
        app: Flask, clock: FrozenClock) -> None:
    register, references, held = executed_register(app, clock)
    pdf = archival_copy(app, register)
    (ARTIFACTS / "destruction-register.pdf").write_bytes(pdf)
    saved = ARTIFACTS / "destruction-register.pdf"
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-singlefile", str(saved),
                    str(ARTIFACTS / "destruction-register-page1")], check=True)
    text = " ".join(text_of(pdf).split())
    page = pages_of(pdf)[0]
    assert page.width > page.height  # A4 landscape: eight columns
    positions = header_positions(page)
    assert positions == sorted(positions)  # in the order the standard lists them
    for code, reference in references.items():
        assert reference in text.replace(" ", "") and code in text
    assert "上海恒丰" not in text and "上***" in text  # titles masked
    assert "D3 定期3年" in text and "保管期满：客诉处理记录（3年）" in text.replace(" ", "")
    assert "冻结中，未销毁" in text  # the held one is listed, not destroyed
    for label in ("鉴定意见", "鉴定人", "批准人", "监销人", "确认时间", "销毁执行人", "监销人签字",
                  "批准人签字"):
        assert label in text, label
    assert "期满，经鉴定可销毁" in text and "Admin（admin）" in text
    assert "Auditor（auditor）" in text
    for moment in confirmations(app, register):
        assert moment in text
    assert held in text


def test_the_handout_prints_the_same_layout(app: Flask, clock: FrozenClock, logged_in) -> None:  # type: ignore[no-untyped-def]
    register, references, _held = executed_register(app, clock)
    answer = logged_in("auditor").get(f"/records/{register}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = " ".join(text_of(answer.data).split())
    assert all(column in text for column in COLUMNS)
    assert all(reference in text.replace(" ", "") for reference in references.values())
    assert "Auditor（auditor）" in text and "Admin（admin）" in text and "上海恒丰" not in text
    assert all(moment in text for moment in confirmations(app, register))
