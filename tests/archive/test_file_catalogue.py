"""The 归档文件目录 (issue 20): a year's filed items in 档号 order with 件号, 责任者, 文号, 题名, 日期,
页数, 备注; filtered by retention and organisation code; titles masked as the catalogue masks them;
the records office only — checked on the page, the CSV, the printed PDF (read back with pdftotext
and pdfinfo) and the API, on SQLite and PostgreSQL, with the frozen clock and the system clock."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from archive import file_catalogue
from archive.archival_codes import ArchivalReference
from archive.models import Record, Rendition
from core.audit.models import AuditEvent
from core.clock import FrozenClock, SystemClock
from core.web import services
from forms.masking import mask_text
from tests.support.filed_items import NAME, FiledItems, file_items
from tests.support.instance import actor_of, login, make_app, populate
from tests.support.legacy_sheets import CP_HEADERS, cp_row, run_import, write_xlsx
from tests.support.lifecycle import work_outbox
from tests.support.pdf import outside_the_body
from tests.support.query_plans import plan_of, scanned_tables, statements

OFFICE = ("archivist", "auditor", "admin")
OTHERS = ("clerk", "supervisor", "sales")


def _codes(app: Flask) -> dict[str, str]:
    """code → 档号 of every filed record."""
    with app.app_context(), services().db.reading() as session:
        return dict(session.execute(select(Record.code, Record.archival_code)
                                    .where(Record.archival_code.is_not(None))).all())


def _pages(app: Flask, code: str) -> int:
    with app.app_context(), services().db.reading() as session:
        return session.scalar(select(Rendition.pages).join(Record, Record.id == Rendition.record_id).where(
            Record.code == code, Rendition.revision == Record.filed_revision, Rendition.kind == "archival"))


@pytest.mark.parametrize("engine", [pytest.param("app", id="sqlite"),
                                    pytest.param("pg_app", id="postgresql", marks=pytest.mark.postgres)])
def test_items_come_in_archival_code_order_with_the_archivists_columns(
        engine: str, request: pytest.FixtureRequest) -> None:
    app = request.getfixturevalue(engine)
    filed = file_items(app)
    references = _codes(app)
    assert set(references) == set(filed.all)
    with app.app_context():
        s = services()
        archivist = actor_of(app, "archivist")
        listed = file_catalogue.items(s.db, s.clock, s.zone, archivist, file_catalogue.ItemFilter(2026))
        in_order = [i.archival_code for i in listed]
        assert in_order == sorted(references.values(), key=lambda c: c.encode())  # byte order of the 档号
        groups = [c.rsplit("-", 1)[0] for c in in_order]
        assert groups == ["Q012-WS·2026-D3-KF"] * 2 + ["Q012-WS·2026-D3-XS", "Q012-WS·2026-D30-KF"]
        by_code = {i.code: i for i in listed}
        for code, item in by_code.items():
            assert item.archival_code == references[code]
            assert item.item == ArchivalReference.parse(references[code]).item
            assert item.formed.isoformat() == "2026-03-02" and item.pages == _pages(app, code) > 0
        assert by_code[filed.sales].department == "SALES" and by_code[filed.thirty].department == "CS"
        assert by_code[filed.corrected].remarks == ("corrected",)
        assert by_code[filed.held].remarks == ("on_hold",) and by_code[filed.sales].remarks == ()
        def listed_for(*wanted: str | int | None) -> list[file_catalogue.CatalogueItem]:
            return file_catalogue.items(s.db, s.clock, s.zone, archivist, file_catalogue.ItemFilter(*wanted))

        thirty, sales = listed_for(2026, "D30"), listed_for(2026, None, "XS")
        both, none = listed_for(2026, "D3", "KF"), listed_for(2027)
        paged = [file_catalogue.items_page(s.db, s.clock, s.zone, archivist, file_catalogue.ItemFilter(2026),
                                           page=n, per_page=3) for n in (1, 2, 3)]
    assert [i.code for i in thirty] == [filed.thirty] and [i.code for i in sales] == [filed.sales]
    assert [i.code for i in both] == filed.service and none == []
    assert [[i.archival_code for i in p.items] for p in paged] == [in_order[:3], in_order[3:], in_order[3:]]
    assert [(p.page, p.pages, p.total) for p in paged] == [(1, 2, 4), (2, 2, 4), (2, 2, 4)]


def test_titles_are_masked_and_only_the_records_office_reads_it_everywhere(
        app: Flask, logged_in, token_for) -> None:  # type: ignore[no-untyped-def]
    filed = file_items(app)
    masked = mask_text(f"{NAME}0")
    where = {"page": "/archive/catalogue/items?year=2026",
             "csv": "/archive/catalogue/items?year=2026&format=csv",
             "pdf": "/archive/catalogue/items?year=2026&format=pdf"}
    for role in OFFICE:
        client = logged_in(role)
        for kind, path in where.items():
            response = client.get(path)
            assert response.status_code == 200, (role, kind)
            text = _text(response.data) if kind == "pdf" else response.get_data(as_text=True)
            assert NAME not in text and masked in text, (role, kind)
            assert all(code in text for code in filed.all), (role, kind)
        api = app.test_client().get("/api/v1/archive/catalogue/items?year=2026", headers=token_for(role))
        assert api.status_code == 200 and NAME not in api.get_data(as_text=True), role
        assert [i["code"] for i in api.json["items"]][:2] == filed.service
        assert any(i["title"].startswith(masked) for i in api.json["items"])
    for role in OTHERS:
        client = logged_in(role)
        for kind, path in where.items():
            assert client.get(path).status_code == 403, (role, kind)
        api = app.test_client().get("/api/v1/archive/catalogue/items?year=2026", headers=token_for(role))
        assert api.status_code == 403, role


def _text(pdf: bytes, *layout: str) -> str:
    return subprocess.run(["pdftotext", *layout, "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def test_the_printed_catalogue_reads_back_in_the_archivists_layout(app: Flask, logged_in, tmp_path) -> None:  # type: ignore[no-untyped-def]
    filed = file_items(app)
    references = _codes(app)
    response = logged_in("archivist").get("/archive/catalogue/items?year=2026&format=pdf")
    assert response.mimetype == "application/pdf"
    assert 'filename="file-catalogue-2026.pdf"' in response.headers["Content-Disposition"]
    path = tmp_path / "items.pdf"
    path.write_bytes(response.data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    assert re.search(r"Title:\s+归档文件目录 Q012 2026", info), info
    text = _text(response.data, "-layout")
    for heading in ("件号", "责任者", "文号", "题名", "日期", "页数", "备注", "编目人", "审核人"):
        assert heading in text, heading
    assert "全宗号 Q012" in text and "共 4 件" in text and "打印于 2026-03-02 09:30" in text
    assert "Q012-WS·2026-D3-KF · 定期3年" in text and "Q012-WS·2026-D30-KF · 定期30年" in text
    positions = [text.index(code) for code in sorted(filed.all, key=lambda c: references[c].encode())]
    assert positions == sorted(positions)  # 档号 order
    corrected_line = next(line for line in text.splitlines() if filed.corrected in line)
    assert "0001" in corrected_line and "客户服务部" in corrected_line and "20260302" in corrected_line
    assert "归档后更正" in corrected_line
    assert "冻结中" in next(line for line in text.splitlines() if filed.held in line)
    assert "销售部" in next(line for line in text.splitlines() if filed.sales in line)  # by name, not code
    assert NAME not in text and mask_text(f"{NAME}0") in text
    assert outside_the_body(response.data) == []
    with app.app_context(), services().db.reading() as session:
        printed = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "record.print")).all()
    assert any(set(filed.all) <= set(d.get("codes", [])) for d in printed)


def test_the_page_and_csv_in_both_languages_and_each_read_audited(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    filed = file_items(app)
    archivist = logged_in("archivist")
    english = archivist.get("/archive/catalogue/items?year=2026&organisation=kf",
                            headers={"Accept-Language": "en"}).text
    assert "Item catalogue" in english and "corrected after filing" in english and "on legal hold" in english
    assert filed.sales not in english and filed.thirty in english  # KF only (typed in lower case)
    chinese = archivist.get("/archive/catalogue/items?year=2026&retention=D3",
                            headers={"Accept-Language": "zh-CN"}).text
    assert "归档文件目录" in chinese and "归档后更正" in chinese and "冻结中" in chinese
    assert filed.thirty not in chinese and filed.sales in chinese
    rows = list(csv.reader(io.StringIO(archivist.get("/archive/catalogue/items?year=2026&format=csv")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == file_catalogue.CSV_HEADER and len(rows) == 5
    sales_row = next(r for r in rows if r[4] == filed.sales)
    assert sales_row[3] == "SALES" and sales_row[1] == "1" and sales_row[6] == "2026-03-02"
    with app.app_context(), services().db.reading() as session:
        events = session.execute(select(AuditEvent.action, AuditEvent.detail).where(
            AuditEvent.action.in_(["record.list", "record.export"])).order_by(AuditEvent.seq)).all()
    listed = [d for a, d in events if "file_catalogue" in d]
    assert [d["file_catalogue"] for d in listed] == ["2026 * KF", "2026 D3 *", "2026 * *"]
    assert filed.sales in listed[1]["codes"] and filed.sales not in listed[0]["codes"]
    assert events[-1][0] == "record.export" and set(listed[-1]["codes"]) == set(filed.all)


SAID = {"year": ("The year must be a number from 2000 to 2100.", "年份须为 2000 到 2100 之间的数字。"),
        "retention": ("The retention code is Y (permanent) or D and the years, e.g. D30.",
                      "保管期限代码为 Y（永久）或 D 加年数，例如 D30。"),
        "organisation": ("The organisation code is capital letters and digits, e.g. KF.",
                         "机构（问题）代码由大写字母和数字组成，例如 KF。")}


@pytest.mark.parametrize(("query", "field"), [("year=1999", "year"), ("year=abc", "year"),
                                               ("year=2026&retention=D", "retention"),
                                               ("year=2026&organisation=K-F", "organisation")])
def test_bad_filters_are_named_in_both_languages(app: Flask, logged_in, token_for, query: str,
                                                 field: str) -> None:  # type: ignore[no-untyped-def]
    archivist = logged_in("archivist")
    for language, words in zip(("en", "zh-CN"), SAID[field], strict=True):
        page = archivist.get(f"/archive/catalogue/items?{query}", headers={"Accept-Language": language})
        assert page.status_code == 400 and words in page.text and f'href="#{field}"' in page.text
    api = app.test_client().get(f"/api/v1/archive/catalogue/items?{query}", headers=token_for("archivist"))
    assert api.status_code == 400 and field in api.json["fields"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(year=st.text(max_size=6), retention=st.text(max_size=5), organisation=st.text(max_size=9))
def test_any_filter_typed_is_a_list_or_a_named_refusal(app: Flask, token_for, year: str, retention: str,
                                                       organisation: str) -> None:  # type: ignore[no-untyped-def]
    answer = app.test_client().get("/api/v1/archive/catalogue/items", headers=token_for("archivist"),
                                   query_string={"year": year, "retention": retention,
                                                 "organisation": organisation})
    valid = (year.strip().isascii() and year.strip().isdigit() and 2000 <= int(year.strip()) <= 2100
             and re.fullmatch(r"Y|D[1-9][0-9]{0,2}|", retention.strip().upper()) is not None
             and re.fullmatch(r"[A-Z0-9]{1,8}|", organisation.strip().upper()) is not None)
    assert answer.status_code == (200 if valid else 400), (year, retention, organisation, answer.json)
    if not valid:
        assert set(answer.json["fields"]) <= {"year", "retention", "organisation"} and answer.json["fields"]


def test_on_the_system_clock_today_s_year_is_the_default(template_db, instance_dir, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The page without a year shows this year in the office's zone, on the real clock; a frozen
    clock with microseconds files items dated by their submission, not by the microseconds."""
    app = make_app(f"sqlite:///{tmp_path / 'system.sqlite3'}", SystemClock())
    populate(app)
    client = app.test_client()
    login(client, "archivist")
    page = client.get("/archive/catalogue/items", headers={"Accept-Language": "en"}).text
    assert f'value="{datetime.now(UTC).astimezone(services_zone(app)).year}"' in page
    assert "No filed items for this year." in page


def services_zone(app: Flask):  # type: ignore[no-untyped-def]
    with app.app_context():
        return services().zone


def test_a_frozen_clock_with_microseconds_dates_items_in_the_office_zone(template_db, instance_dir,  # type: ignore[no-untyped-def]
                                                                         tmp_path) -> None:
    database = tmp_path / "micro.sqlite3"
    shutil.copy(template_db, database)
    clock = FrozenClock(datetime(2026, 12, 31, 16, 30, 5, 123456, tzinfo=UTC))  # 1 January 2027 in Shanghai
    app = make_app(f"sqlite:///{database}", clock)
    filed: FiledItems = file_items(app)
    with app.app_context():
        s = services()
        listed = file_catalogue.items(s.db, s.clock, s.zone, actor_of(app, "archivist"),
                                      file_catalogue.ItemFilter(2027))
    assert {i.code for i in listed} == set(filed.all)
    assert all(i.formed.isoformat() == "2027-01-01" and "·2027-" in i.archival_code for i in listed)


def test_an_imported_record_is_remarked_and_transfers_with_its_year(app: Flask, logged_in, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A closed complaint from a paper register of 2015 is filed at import with a 档号 of 2015:
    its line says 历史档案导入 / imported, in that year's catalogue and its transfer."""
    row = cp_row("CP-2015-000007", datetime(2015, 3, 1, 10))
    book = write_xlsx(tmp_path / "cp.xlsx", {"CP": [CP_HEADERS, row]})
    assert run_import(app, book, "--commit")[0] == 0
    work_outbox(app)
    references = _codes(app)
    assert "·2015-" in references["CP-2015-000007"]
    archivist = logged_in("archivist")
    english = archivist.get("/archive/catalogue/items?year=2015", headers={"Accept-Language": "en"})
    assert "CP-2015-000007" in english.text and "imported from a paper register" in english.text
    printed = _text(archivist.get("/archive/catalogue/items?year=2015&format=pdf").data, "-layout")
    assert "历史档案导入" in next(line for line in printed.splitlines() if "CP-2015-000007" in line)
    result = app.test_cli_runner().invoke(args=["archive", "transfer", "--lang", "en", "--year", "2015",
                                                "--out", str(tmp_path / "t2015")])
    assert result.exit_code == 0, result.output
    assert "1 record(s)" in result.output


@pytest.mark.parametrize("engine", [pytest.param("app", id="sqlite"),
                                    pytest.param("pg_app", id="postgresql", marks=pytest.mark.postgres)])
def test_a_page_of_items_reads_no_growing_table_whole(engine: str, request: pytest.FixtureRequest) -> None:
    """The page counts and pages the year from ix_records_year_archival (migration 0022): its
    cost follows the year asked for, not the archive's size."""
    app = request.getfixturevalue(engine)
    file_items(app)
    client = app.test_client()
    login(client, "archivist")
    with statements(app) as captured:
        for query in ("year=2026", "year=2026&retention=D30", "year=2026&organisation=XS&page=2"):
            assert client.get(f"/archive/catalogue/items?{query}").status_code == 200
    assert captured and scanned_tables(app, captured) == {}
    listing = [c for c in captured if "archival_code LIKE" in c[0]]
    assert listing and all("ix_records_year_archival" in plan_of(app, *c) for c in listing)


def test_the_api_pages_when_asked(app: Flask, token_for, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    filed = file_items(app)
    monkeypatch.setattr(file_catalogue, "PER_PAGE", 3)
    archivist = token_for("archivist")
    client = app.test_client()
    second = client.get("/api/v1/archive/catalogue/items?year=2026&page=2", headers=archivist).json
    assert (second["page"], second["pages"], second["total"]) == (2, 2, 4)
    assert [i["code"] for i in second["items"]] == [filed.thirty]  # D30 sorts after D3's groups
    past = client.get("/api/v1/archive/catalogue/items?year=2026&page=9", headers=archivist).json
    assert past["page"] == 2
    for page in ("0", "x", "²"):
        bad = client.get(f"/api/v1/archive/catalogue/items?year=2026&page={page}", headers=archivist)
        assert bad.status_code == 400 and "page" in bad.json["fields"], page
    item = client.get("/api/v1/archive/catalogue/items?year=2026", headers=archivist).json["items"][0]
    assert set(item) == {"archival_code", "item", "department", "code", "title", "date", "pages", "remarks",
                         "retention_class", "retention_until"}


def test_the_filters_suggest_the_codes_in_use(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    page = logged_in("archivist").get("/archive/catalogue/items", headers={"Accept-Language": "zh-CN"}).text
    assert '<option value="Y">永久</option>' in page and '<option value="D3">定期3年</option>' in page
    assert '<option value="KF">客户服务部</option>' in page and '<option value="XS">销售部</option>' in page
    english = logged_in("auditor").get("/archive/catalogue/items", headers={"Accept-Language": "en"}).text
    assert '<option value="D3">3 years</option>' in english
    assert '<option value="KF">Customer Service' in english
