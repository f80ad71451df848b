"""``records import`` on registers with mistakes: the dry run names each problem by sheet, row
and column in Chinese and in English and changes nothing; ``--commit`` of a file with one bad
row writes nothing; files that are no register get one line, never a traceback."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from archive.models import Record
from archive.stores import file_store
from core.auth import accounts
from core.db import Base
from core.web import services
from forms.legacy.service import ImportFailed, Options, import_file
from tests.support.instance import VALID_CP
from tests.support.legacy_sheets import (
    CP_HEADERS,
    VR_HEADERS,
    cp_row,
    jpeg,
    run_import,
    vr_row,
    write_csv,
    write_xlsx,
)

DAY = datetime(2016, 4, 5, 9, 30)


def snapshot(app: Flask) -> dict[str, Any]:
    """Every table's row count and the stored files' keys: what an import could change."""
    with app.app_context():
        with services().db.reading() as session:
            counts = {name: session.scalar(select(func.count()).select_from(table))
                      for name, table in Base.metadata.tables.items()}
        return {"tables": counts, "files": sorted(file_store().keys())}


def existing_code(app: Flask) -> str:
    """A record typed in Dossier before the import (its code is taken)."""
    client = app.test_client()
    with app.app_context():
        token = accounts.create_token(services().db, services().clock, "clerk", "t")
    made = client.post("/api/v1/records", json={"form": "CP", "data": VALID_CP},
                       headers={"Authorization": f"Bearer {token}"})
    assert made.status_code == 201
    return made.get_json()["code"]


def mistaken_register(tmp_path: Path, taken: str) -> tuple[Path, Path]:
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "good.jpg").write_bytes(jpeg(1))
    (scans / "empty.jpg").write_bytes(b"")
    (tmp_path / "outside.jpg").write_bytes(jpeg(2))
    book = write_xlsx(tmp_path / "mistakes.xlsx", {
        "VR": [VR_HEADERS,
               vr_row("VR-2016-000001", DAY, 扫描件="good.jpg"),  # row 2: fine
               vr_row("VR-2016-000002", DAY, 来访日期="2016-02-30"),  # row 3: bad date
               vr_row("VR-2016-000003", DAY, 客户姓名或称呼=None),  # row 4: required missing
               vr_row("VR-2016-000001", DAY),  # row 5: code twice in the file
               vr_row("CP-2016-000004", DAY),  # row 6: code of another form
               vr_row("VR-2016-000006", DAY, 状态="已归档"),  # row 7: unknown state
               vr_row("VR-2016-000007", DAY, 扫描件="missing.jpg"),  # row 8: no such scan
               vr_row("VR-2016-000008", DAY, 扫描件="../outside.jpg"),  # row 9: a path
               vr_row("VR-2016-000009", DAY, 扫描件="empty.jpg")],                # row 10: 0 bytes
        "CP": [CP_HEADERS,
               cp_row(taken, datetime(2026, 3, 1, 8, 0)),  # row 2: code taken
               cp_row("CP-2016-000010", DAY, 投诉渠道="传真"),  # row 3: unknown choice
               cp_row("CP-2016-000011", "2016-13-01", 受理时间=DAY)],  # row 4: bad record date
    })
    return book, scans


#: (sheet, row, column) of every mistake, and a word of its message in each language.
EXPECTED = [
    ("VR", 3, "来访日期", "日期不存在", "This date does not exist"),
    ("VR", 4, "客户姓名或称呼", "必填", "required"),
    ("VR", 5, "原编号", "第 2 行", "row 2"),
    ("VR", 6, "原编号", "CP", "CP"),
    ("VR", 7, "状态", "已归档", "已归档"),
    ("VR", 8, "扫描件", "missing.jpg", "missing.jpg"),
    ("VR", 9, "扫描件", "../outside.jpg", "../outside.jpg"),
    ("VR", 10, "扫描件", "0", "0 bytes"),
    ("CP", 2, "原编号", "CP-2026-000001", "already a record's code"),
    ("CP", 3, "投诉渠道", "应为：电话、网络", "is not one of the choices: Phone, Online"),
    ("CP", 4, "日期", "2015-03-01", "2015-03-01"),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_dry_run_names_every_mistake_and_changes_nothing(app: Flask, tmp_path: Path, lang: str) -> None:
    taken = existing_code(app)
    book, scans = mistaken_register(tmp_path, taken)
    before = snapshot(app)
    status, output = run_import(app, book, "--scans", str(scans), "--lang", lang)
    assert status == 1
    lines = output.splitlines()
    for sheet, row, column, zh, en in EXPECTED:
        where = (f"工作表“{sheet}”第 {row} 行，“{column}”列" if lang == "zh"
                 else f"Sheet “{sheet}”, row {row}, column “{column}”")
        matching = [line for line in lines if line.startswith(where)]
        assert matching, f"{where} not reported:\n{output}"
        assert (zh if lang == "zh" else en) in matching[0], matching[0]
    assert len([line for line in lines if line.startswith(("工作表", "Sheet"))]) == len(EXPECTED), output
    assert snapshot(app) == before


def test_a_commit_of_a_file_with_one_bad_row_writes_nothing(app: Flask, tmp_path: Path) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    rows = [vr_row(f"VR-2016-{n:06d}", DAY, 扫描件=f"s{n}.jpg") for n in range(1, 30)]
    for n in range(1, 30):
        (scans / f"s{n}.jpg").write_bytes(jpeg(n))
    rows.append(vr_row("VR-2016-000030", DAY, 联系电话="12345"))  # the last row is wrong
    book = write_xlsx(tmp_path / "one-bad.xlsx", {"VR": [VR_HEADERS, *rows]})
    before = snapshot(app)
    status, output = run_import(app, book, "--scans", str(scans), "--commit", "--lang", "en")
    assert status == 1 and "row 31, column “联系电话”" in output and "Nothing was imported" in output
    assert snapshot(app) == before  # no record, no counter, no audit event, no scan left in the store


def test_a_failing_write_is_rolled_back_with_its_scans(app: Flask, tmp_path: Path) -> None:
    """A row whose code a submission takes between the check and the write (the service's
    ``writing`` step, called just before its transaction): the UNIQUE key refuses it inside the
    transaction; the record written before it and the scan stored for it go too."""
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "a.jpg").write_bytes(jpeg(3))
    book = write_xlsx(tmp_path / "race.xlsx", {"CP": [
        CP_HEADERS, cp_row(None, datetime(2026, 1, 2), 扫描件="a.jpg"),
        cp_row("CP-2026-000001", datetime(2026, 1, 3))]})
    before = snapshot(app)
    with app.app_context(), force_locale("en"):
        s = services()
        with pytest.raises(ImportFailed, match="rolled back, nothing was written"):
            import_file(s.db, s.clock, s.zone, accounts.actor_named(s.db, "archivist"), file_store(), book,
                        Options(scans=scans, commit=True, locale="en"),
                        writing=lambda total: existing_code(app))
    after = snapshot(app)
    assert after["files"] == before["files"]
    assert after["tables"]["records"] == before["tables"]["records"] + 1  # the submission only


@pytest.mark.parametrize(("name", "content", "message"), [
    ("notes.docx", b"PK\x03\x04whatever", "neither CSV nor XLSX"),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "cannot be read as an XLSX workbook"),
    ("renamed.xlsx", "编号,日期\n".encode(), "not an XLSX workbook"),
    ("empty.csv", b"", "is empty"),
    ("blank.csv", b"\n\n,,\n", "is empty"),
    ("binary.csv", b"\x00\x01\x02", "not a text (CSV) file"),
])
def test_a_file_that_is_no_register_gets_one_line(app: Flask, tmp_path: Path, name: str, content: bytes,
                                                  message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    status, output = run_import(app, path, "--lang", "en")
    assert status == 1
    assert output.count("\n") == 1 and output.startswith("Error: ") and message in output, output


def test_a_file_fields_cell_is_a_row_problem(app: Flask, tmp_path: Path) -> None:
    """CP's defect photos are a file field: a cell cannot hold files (a scan has its column)."""
    rows = [[*CP_HEADERS, "缺陷照片"], [*cp_row(None, DAY), "photo.jpg"], [*cp_row(None, DAY), None]]
    book = write_xlsx(tmp_path / "photos.xlsx", {"CP": rows})
    status, output = run_import(app, book, "--lang", "en")
    assert status == 1
    assert "Sheet “CP”, row 2, column “缺陷照片”: Files are not imported from a cell" in output, output
    assert "row 3" not in output


def test_a_workbook_damaged_after_its_header_is_one_line(app: Flask, tmp_path: Path) -> None:
    """The sheet's XML cut in the middle of its rows: read up to there, then one line."""
    rows = [vr_row(None, DAY) for _ in range(200)]
    whole = write_xlsx(tmp_path / "whole.xlsx", {"VR": [VR_HEADERS, *rows]})
    cut = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(cut, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            cut_here = len(data) // 2 if item.filename.startswith("xl/worksheets/") else len(data)
            target.writestr(item, data[:cut_here])
    status, output = run_import(app, cut, "--lang", "en")
    assert status == 1 and output.startswith("Error: "), output
    assert "cannot be read as an XLSX workbook" in output and "Traceback" not in output


def test_wrong_headers_and_unknown_forms_get_one_line(app: Flask, tmp_path: Path) -> None:
    cases = {
        "XX": ([["原编号", "日期"], ["XX-2016-000001", DAY]], "not a form"),
        "VR": ([[*VR_HEADERS, "备注栏"], [*vr_row(None, DAY), "x"]], "column L “备注栏”: no such field"),
    }
    for sheet, (rows, message) in cases.items():
        book = write_xlsx(tmp_path / f"{sheet}.xlsx", {sheet: rows})
        status, output = run_import(app, book, "--lang", "en")
        assert status == 1 and output.startswith("Error: ") and message in output, output
    no_date = write_xlsx(tmp_path / "nodate.xlsx", {"VR": [[h for h in VR_HEADERS if h != "日期"]]})
    assert "has no column “date”" in run_import(app, no_date, "--lang", "en")[1]
    no_phone = write_xlsx(tmp_path / "nophone.xlsx", {"VR": [[h for h in VR_HEADERS if h != "联系电话"]]})
    assert "required field(s) Phone" in run_import(app, no_phone, "--lang", "en")[1]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_in_gb18030(app: Flask, tmp_path: Path, encoding: str) -> None:
    visit = vr_row("VR-2016-000005", "2016/4/5 9:30", 来访日期="2016年4月5日")
    rows = [["表单", *VR_HEADERS], ["VR", *visit], ["CP", *[""] * len(VR_HEADERS)]]
    rows[2][1 + VR_HEADERS.index("日期")] = "2016-04-06"
    path = write_csv(tmp_path / "register.csv", rows, encoding)
    status, output = run_import(app, path, "--lang", "en")
    assert status == 1  # the CP row has no CP fields: its required ones are named
    assert "Sheet “register”, row 3, column “Customer”: This field is required." in output, output
    assert "row 2" not in output  # the Chinese VR row was read whole, in whichever encoding
    path = write_csv(tmp_path / "register.csv", rows[:2], encoding)
    status, output = run_import(app, path, "--commit", "--lang", "en")
    assert status == 0, output
    with app.app_context(), services().db.reading() as session:
        imported = session.scalar(select(Record).where(Record.code == "VR-2016-000005"))
        assert imported is not None
        assert imported.data["customer_name"] == "张三" and imported.data["visit_date"] == "2016-04-05"


def test_a_forced_wrong_encoding_is_one_line(app: Flask, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gbk.csv", [VR_HEADERS, vr_row(None, date(2016, 1, 2))], "gb18030")
    status, output = run_import(app, path, "--encoding", "utf-8", "--lang", "en")
    assert status == 1 and output.startswith("Error: ") and "cannot be read as utf-8 text" in output
