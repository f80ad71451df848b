"""Two witnesses (监销人) confirm a destruction in a real browser, and the register prints: in
Chinese and in English, at a phone's width (390 px), on the system clock. The archivist names
the witnesses (a pair naming one person twice is refused in the page's language first); the
auditor and the admin each confirm on their own signed-in page; the archivist executes; the
worker files the register; its printed PDF, fetched from the list's page, lists the record by
档号 with its title masked and both witnesses with the second each confirmed. Every page passes
axe and fits the width."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select, update

from archive import disposal
from archive.models import Record
from core.clock import local
from core.web import services
from tests.support.destruction import WORDS
from tests.support.instance import actor_of
from tests.support.journeys import PHONE, MovedSystemClock, check, download, file_records, signed_in
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox
from tests.support.pdf import text_of

pytestmark = pytest.mark.browser

PAGE_WORDS = {
    "zh": {"twice": "两名监销人须为不同的人", "execute": "执行销毁", "print": "打印销毁清册",
           "executed": "销毁清单已执行，销毁清册为 DD-", "waits": "两名监销人均确认后，方可执行销毁。"},
    "en": {"twice": "two different people", "execute": "Execute the destruction",
           "print": "Print the register",
           "executed": "Destruction list executed; the destruction register is DD-",
           "waits": "The destruction can be executed once both witnesses have confirmed."},
}


@pytest.fixture
def clock() -> MovedSystemClock:
    return MovedSystemClock()


def approved_list(app: Flask) -> tuple[int, str, str]:
    """A filed complaint made due (its last day yesterday), appraised and approved: (list id,
    code, 档号)."""
    code = new_complaint(app)
    close_complaint(app, code)
    file_records(app)
    with app.app_context():
        s = services()
        yesterday = local(s.clock.now(), s.zone).date() - timedelta(days=1)
        with s.db.transaction() as session:
            session.execute(update(Record).where(Record.code == code).values(retention_until=yesterday))
            reference = session.scalar(select(Record.archival_code).where(Record.code == code))
        listed = disposal.propose(s.db, s.clock, s.zone, actor_of(app, "archivist"), [code],
                                  "保管期满，经鉴定无继续保存价值")
        disposal.decide(s.db, s.clock, actor_of(app, "admin"), listed.id, approve=True)
    return listed.id, code, reference or ""


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_two_witnesses_confirm_and_the_register_prints(  # type: ignore[no-untyped-def]
        app: Flask, clock: MovedSystemClock, live_server, new_page, artifacts, locale: str) -> None:
    language = locale[:2]
    words, page_words = WORDS[language], PAGE_WORDS[language]
    list_id, code, reference = approved_list(app)
    url = f"{live_server}/archive/disposal/{list_id}"

    archivist = signed_in(new_page, live_server, "archivist", locale, PHONE)
    archivist.goto(url)
    expect(archivist.locator("#execute-waits")).to_have_text(page_words["waits"])
    check(archivist, artifacts, f"witnesses-approved-{language}")
    archivist.get_by_label(words["first"], exact=True).select_option("auditor")
    archivist.get_by_label(words["second"], exact=True).select_option("auditor")
    archivist.get_by_role("button", name=words["name"]).click()
    summary = archivist.locator(".error-summary")
    expect(summary).to_contain_text(page_words["twice"])
    expect(archivist.locator("#witness_2-error")).to_contain_text(page_words["twice"])
    check(archivist, artifacts, f"witnesses-refused-{language}")
    archivist.get_by_label(words["second"], exact=True).select_option("admin")
    archivist.get_by_role("button", name=words["name"]).click()
    expect(archivist.locator("[role=status]")).to_contain_text(words["named"])
    expect(archivist.get_by_role("button", name=page_words["execute"])).to_have_count(0)

    for who in ("auditor", "admin"):  # each on their own signed-in page
        witness = signed_in(new_page, live_server, who, locale, PHONE)
        witness.goto(url)
        check(witness, artifacts, f"witnesses-{who}-to-confirm-{language}")
        witness.get_by_role("button", name=words["confirm"]).click()
        expect(witness.locator("[role=status]")).to_have_text(words["confirmed"])
        expect(witness.get_by_role("button", name=words["confirm"])).to_have_count(0)
        check(witness, artifacts, f"witnesses-{who}-confirmed-{language}")

    archivist.reload()
    expect(archivist.locator("#witness-list tbody tr")).to_have_count(2)
    archivist.get_by_role("button", name=page_words["execute"]).click()
    expect(archivist.locator("[role=status]")).to_contain_text(page_words["executed"])
    check(archivist, artifacts, f"witnesses-executed-{language}")
    file_records(app)  # the register's archival copy, then its filing
    work_outbox(app)  # and its filing stamp
    archivist.reload()
    pdf = download(archivist, page_words["print"])
    (artifacts / f"destruction-register-{language}.pdf").write_bytes(pdf)
    text = " ".join(text_of(pdf).split())
    assert reference and reference in text.replace(" ", "") and code in text
    assert "上海恒丰" not in text and "上***" in text
    for label in ("序号", "档号", "题名", "年度", "保管期限", "已保管年限", "页数", "销毁原因", "监销人签字"):
        assert label in text, label
    assert "Auditor（auditor）" in text and "Admin（admin）" in text
    assert len(re.findall(r"确认时间 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", text)) == 2

    # The register's record page lists its ten columns one card per record at phone width.
    archivist.get_by_role("link", name=re.compile(r"^DD-\d{4}-\d{6}$")).click()
    expect(archivist.locator("main")).to_contain_text(reference)
    check(archivist, artifacts, f"destruction-register-record-{language}")
