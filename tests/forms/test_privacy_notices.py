"""Consent and purpose (issue 21, part C): privacy notices registered like specs, recorded with
each record at submission, kept when the notice moves on, shown on the pages, the API and the
handout, and carried by archive export and import."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from archive.models import Record
from core.auth import accounts
from core.clock import FrozenClock, SystemClock
from core.web import services
from forms.notice_files import NOTICE_DIR, NoticeError, load_notice_file, load_notices, parse_notice
from forms.privacy_notices import notice_for_form, register_notices
from tests.support.file_stores import rendition_path
from tests.support.instance import VALID_CP, csrf_token
from tests.support.legacy_sheets import CP_HEADERS, cp_row, run_import, write_xlsx
from tests.support.pdf import text_of

SHIPPED = NOTICE_DIR / "customer-service.toml"


def notice_file(folder: Path, version: int, purpose_en: str = "To handle your complaint.") -> Path:
    """A copy of the shipped notice at ``version`` with its own English purpose for complaints."""
    text = SHIPPED.read_text("utf-8")
    raw = tomllib.loads(text)
    text = text.replace(f"version = {raw['version']}", f"version = {version}", 1)
    text = text.replace(raw["purposes"]["CP"]["en"], purpose_en, 1)
    path = folder / "customer-service.toml"
    path.write_text(text, "utf-8")
    return path


def register(app: Flask, folder: Path | None = None) -> Any:
    with app.app_context():
        notices, problems = load_notices(folder or NOTICE_DIR)
        assert problems == []
        return register_notices(services().db, services().clock, notices)


def record_row(app: Flask, code: str) -> Record:
    with app.app_context(), services().db.reading() as session:
        row = session.scalar(select(Record).where(Record.code == code))
        session.expunge(row)
        return row


def submit_page(app: Flask, logged_in: Any, language: str = "zh") -> str:
    client = logged_in("clerk")
    page = client.get("/forms/CP/new", headers={"Accept-Language": language})
    made = client.post("/forms/CP/new", data={
        "csrf_token": csrf_token(page.text), "action": "submit", "channel": "phone",
        "received_at": "2026-03-02 09:00", "customer_name": "测试客户", "phone": "138 0013 8000",
        "complaint": "产品表面划痕"})
    assert made.status_code == 302, made.text
    return made.headers["Location"].rsplit("/", 1)[1]


# --- the files and their registration ------------------------------------------------------

def test_the_shipped_notice_says_what_why_how_long_who_and_the_rights_in_both_languages() -> None:
    notice = load_notice_file(SHIPPED)
    assert notice.label == "customer-service v1"
    for word in ("收集", "保存", "查阅", "更正", "删除", "15日"):
        assert word in notice.text["zh"], word
    for word in ("collect", "How long", "Who sees", "correct", "delete", "15 days"):
        assert word in notice.text["en"], word


def test_registering_twice_changes_nothing_and_an_edited_text_is_refused_naming_the_file(
        app: Flask, tmp_path: Path) -> None:
    assert register(app).registered == ["customer-service v1"]
    assert register(app).unchanged == ["customer-service v1"]
    notice_file(tmp_path, 1, "For something else entirely.")
    report = register(app, tmp_path)
    assert report.registered == [] and len(report.problems) == 1
    assert "notices/customer-service.toml" in report.problems[0]
    assert "changed but its version did not" in report.problems[0]
    assert "version = 2" in report.problems[0]
    notice_file(tmp_path, 2, "For something else entirely.")
    assert register(app, tmp_path).registered == ["customer-service v2"]


def test_flask_init_registers_the_notices_and_forms_check_checks_them(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init"])
    assert "Privacy notices: 1 new version(s) registered ['customer-service v1']" in result.output
    checked = runner.invoke(args=["forms", "check"])
    assert checked.exit_code == 0 and "OK: 1 privacy notice(s) (customer-service v1)." in checked.output
    app.config["PRIVACY_NOTICES"] = {"CP": "no-such-notice"}
    refused = runner.invoke(args=["forms", "check"])
    assert refused.exit_code == 1 and "form CP names notice 'no-such-notice'" in refused.output
    app.config["PRIVACY_NOTICES"] = ["CP"]
    refused = runner.invoke(args=["forms", "check"])
    assert refused.exit_code == 1 and "PRIVACY_NOTICES must map form codes to notice ids" in refused.output
    app.config["NOTICE_DIR"] = str(tmp_path)
    app.config["PRIVACY_NOTICES"] = {"CP": "customer-service"}
    notice_file(tmp_path, 1, "Edited in place.")
    again = runner.invoke(args=["init"])
    assert "problem: notices/customer-service.toml: the text of customer-service v1 changed" in again.output


def test_bad_files_are_refused_with_every_problem_named(tmp_path: Path) -> None:
    bad = tmp_path / "visits.toml"
    bad.write_text('id = "Visits!"\nversion = 0\n[title]\nzh = "告知书"\n'
                   '[purpose]\nzh = ""\nen = "x"\n', "utf-8")
    with pytest.raises(NoticeError) as refused:
        load_notice_file(bad)
    problems = "\n".join(refused.value.problems)
    for expected in ("id must be lower-case", "version must be a whole number", "[title] en is missing",
                     "[purpose] zh is missing or empty", "[text] is missing"):
        assert expected in problems, expected
    (tmp_path / "broken.toml").write_text("id = ", "utf-8")
    with pytest.raises(NoticeError, match="not valid TOML"):
        load_notice_file(tmp_path / "broken.toml")
    forms = tmp_path / "forms.toml"
    forms.write_text(SHIPPED.read_text("utf-8").replace('id = "customer-service"', 'id = "forms"')
                     .replace("[purposes.RS]", "[purposes.rs]"), "utf-8")
    with pytest.raises(NoticeError, match=r"\[purposes.rs\]: not a form code"):
        load_notice_file(forms)
    named = tmp_path / "other.toml"
    named.write_text(SHIPPED.read_text("utf-8"), "utf-8")
    with pytest.raises(NoticeError, match="differs from the file name 'other'"):
        load_notice_file(named)


texts = st.one_of(st.text(max_size=8), st.integers(), st.none(), st.booleans())
tables = st.dictionaries(st.sampled_from(["zh", "en", "fr"]), texts, max_size=3)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "version", "title", "purpose", "text", "purposes", "extra"]),
                       st.one_of(texts, tables), max_size=6))
def test_any_table_is_a_notice_or_a_refusal_naming_the_file(raw: dict[str, Any]) -> None:
    try:
        notice = parse_notice(raw, "notices/x.toml")
    except NoticeError as refused:
        assert refused.problems and all(p.startswith("notices/x.toml") for p in refused.problems)
    else:
        assert notice.version >= 1 and set(notice.text) == {"zh", "en"}


def test_each_form_records_its_own_purpose_and_an_unknown_form_none(app: Flask) -> None:
    register(app)
    with app.app_context(), services().db.reading() as session:
        visit, complaint = notice_for_form(session, "VR"), notice_for_form(session, "CP")
        assert visit and complaint and visit.notice_id == complaint.notice_id == "customer-service"
        assert visit.purpose["en"].startswith("To register your visit")
        assert complaint.purpose["en"].startswith("To receive, investigate")
        assert notice_for_form(session, "ZZ") is None and notice_for_form(session, "AR") is None


# --- recorded at submission and kept --------------------------------------------------------

def test_a_page_submission_records_the_notice_and_the_record_page_shows_it(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    register(app)
    fill = logged_in("clerk").get("/forms/CP/new", headers={"Accept-Language": "en"})
    assert "Customer service privacy notice" in fill.text and "version 1" in fill.text
    assert "To receive, investigate and answer your complaint" in fill.text and "Your rights" in fill.text
    code = submit_page(app, logged_in)
    row = record_row(app, code)
    assert (row.notice_id, row.notice_version) == ("customer-service", 1)
    assert row.purpose["zh"] == "受理、调查和答复您的投诉，并按规定留存投诉处理记录。"  # the form's own
    page = logged_in("supervisor").get(f"/records/{code}", headers={"Accept-Language": "zh-CN"})
    assert "个人信息告知书" in page.text and "客户服务个人信息告知书" in page.text
    assert "收集目的" in page.text and "customer-service v1" in page.text


def test_a_form_without_a_notice_and_an_unregistered_notice_record_none(  # type: ignore[no-untyped-def]
        app: Flask, client, token_for) -> None:
    made = client.post("/api/v1/records", headers=token_for("clerk"), json={"form": "CP", "data": VALID_CP})
    assert made.status_code == 201 and made.json["notice"] is None  # nothing registered yet
    register(app)
    app.config["PRIVACY_NOTICES"] = {"ZZ": "customer-service"}  # CP not named, ZZ no form at all
    later = client.post("/api/v1/records", headers=token_for("clerk"), json={"form": "CP", "data": VALID_CP})
    assert later.status_code == 201 and later.json["notice"] is None


@pytest.mark.parametrize("clock", [FrozenClock(datetime(2026, 3, 2, 1, 30, 5, 123456, tzinfo=UTC)),
                                   SystemClock()], ids=["frozen-microseconds", "system-clock"])
def test_the_api_records_the_notice_and_its_json_names_it(app: Flask, client, token_for, clock) -> None:  # type: ignore[no-untyped-def]
    register(app)
    made = client.post("/api/v1/records", headers=token_for("clerk"), json={"form": "CP", "data": VALID_CP})
    assert made.status_code == 201, made.json
    notice = made.json["notice"]
    assert notice["id"] == "customer-service" and notice["version"] == 1
    assert notice["purpose"]["en"].startswith("To receive, investigate and answer your complaint")
    read = client.get(f"/api/v1/records/{made.json['code']}", headers=token_for("clerk")).json
    assert read["notice"] == notice
    [listed] = client.get("/api/v1/records", headers=token_for("clerk")).json["records"]
    assert "notice" not in listed  # a list does not read it (it would say null): the record names it
    assert record_row(app, made.json["code"]).submitted_at == clock.now() or isinstance(clock, SystemClock)


def test_a_record_under_v1_keeps_v1_everywhere_after_the_notice_becomes_v2(
        app: Flask, logged_in, client, token_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    register(app)
    old = submit_page(app, logged_in)
    register(app, notice_file(tmp_path, 2, "To handle your matter (second notice).").parent)
    new = client.post("/api/v1/records", headers=token_for("clerk"),
                      json={"form": "CP", "data": VALID_CP}).json
    assert new["notice"]["version"] == 2
    assert new["notice"]["purpose"]["en"] == "To handle your matter (second notice)."
    kept = client.get(f"/api/v1/records/{old}", headers=token_for("clerk")).json["notice"]
    assert kept["version"] == 1 and kept["purpose"]["en"].startswith("To receive, investigate")
    page = logged_in("clerk").get(f"/records/{old}", headers={"Accept-Language": "en"}).text
    assert "customer-service v1" in page and "second notice" not in page
    fill = logged_in("clerk").get("/forms/CP/new", headers={"Accept-Language": "en"}).text
    assert "version 2" in fill and "second notice" in fill
    old_pdf = text_of(logged_in("clerk").get(f"/records/{old}.pdf").data)
    new_pdf = text_of(logged_in("clerk").get(f"/records/{new['code']}.pdf").data)
    assert "customer-service 第 1 版 (v1)" in old_pdf and "second notice" not in old_pdf
    assert "customer-service 第 2 版 (v2)" in new_pdf and "second notice" in new_pdf


# --- printed ---------------------------------------------------------------------------------

def test_the_handout_and_the_archival_copy_print_the_notice_and_its_purpose(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    register(app)
    code = submit_page(app, logged_in)
    handout = text_of(logged_in("clerk").get(f"/records/{code}.pdf").data)
    assert "个人信息告知书 Privacy notice：customer-service 第 1 版 (v1)" in handout
    assert "收集目的：受理、调查和答复您的投诉" in handout
    assert "Purpose: To receive, investigate and answer your complaint" in handout
    receipt = text_of(logged_in("clerk").get(f"/records/{code}.pdf?variant=receipt").data)
    assert "customer-service 第 1 版 (v1)" in receipt and "收集目的：受理、调查和答复您的投诉" in receipt
    result = app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    assert "failed" not in result.output or "0 failed" in result.output, result.output
    archival = rendition_path(app, code).read_bytes()
    assert "customer-service 第 1 版 (v1)" in text_of(archival)
    with pikepdf.open(rendition_path(app, code)) as pdf:  # still PDF/A-3u, fonts embedded
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "U")
        [(_name, attached)] = pdf.attachments.items()  # the record as filed names its notice
        document = json.loads(attached.get_file().read_bytes())
        assert document["notice"]["id"] == "customer-service" and document["notice"]["version"] == 1
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_a_legacy_import_records_no_notice_and_says_so(  # type: ignore[no-untyped-def]
        app: Flask, tmp_path: Path, logged_in, token_for) -> None:
    register(app)  # a notice in force for CP does not reach a record filled on paper years ago
    book = write_xlsx(tmp_path / "registers.xlsx", {
        "CP": [CP_HEADERS, cp_row("CP-2026-000050", datetime(2026, 1, 10, 9, 0))]})
    assert run_import(app, book, "--commit")[0] == 0
    row = record_row(app, "CP-2026-000050")
    assert (row.notice_id, row.notice_version, row.purpose) == (None, None, None)
    read = app.test_client().get("/api/v1/records/CP-2026-000050", headers=token_for("archivist")).json
    assert read["notice"] is None
    page = logged_in("archivist").get("/records/CP-2026-000050", headers={"Accept-Language": "en"}).text
    assert "Privacy notice: none (imported from a legacy register)." in page
    handout = text_of(logged_in("archivist").get("/records/CP-2026-000050.pdf").data)
    assert "个人信息告知书 Privacy notice：无（历史档案导入） / none (imported)" in handout


@pytest.mark.postgres
@pytest.mark.parametrize("clock", [FrozenClock(datetime(2026, 3, 2, 1, 30, 5, 123456, tzinfo=UTC))],
                         ids=["frozen-microseconds"])
def test_on_postgresql_the_notice_is_recorded_and_v1_kept_after_v2(  # type: ignore[no-untyped-def]
        pg_app: Flask, tmp_path: Path, clock) -> None:
    runner = pg_app.test_cli_runner()
    assert "Privacy notices: 1 new version(s)" in runner.invoke(args=["init"]).output
    client = pg_app.test_client()
    with pg_app.app_context():
        token = accounts.create_token(services().db, services().clock, "clerk", "test")
    headers = {"Authorization": f"Bearer {token}"}
    old = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": VALID_CP}).json
    pg_app.config["NOTICE_DIR"] = str(notice_file(tmp_path, 2, "Second purpose.").parent)
    assert "['customer-service v2']" in runner.invoke(args=["init"]).output
    new = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": VALID_CP}).json
    assert (old["notice"]["version"], new["notice"]["version"]) == (1, 2)
    assert client.get(f"/api/v1/records/{old['code']}", headers=headers).json["notice"] == old["notice"]
    assert record_row(pg_app, new["code"]).purpose["en"] == "Second purpose."
    assert record_row(pg_app, old["code"]).submitted_at == clock.now()
