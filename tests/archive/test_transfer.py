"""The year's transfer (年度移交, issue 20): ``archive transfer --year`` writes a folder the
archives service centre can take, verifies it by reading it back, and records it; the same year
again gives the same files apart from the manifest's date; a tampered package is caught; bad
arguments are refused in one line, never a traceback."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest
from click.testing import Result
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from archive.models import Record, Rendition
from archive.transfer_models import Transfer
from archive.transfer_package import PackageProblem, verify_package
from core.audit.models import AuditEvent
from core.clock import FrozenClock
from core.web import services
from forms.masking import mask_text
from tests.support.filed_items import NAME, file_items
from tests.support.instance import make_app
from tests.support.lifecycle import close_complaint, new_complaint, step, work_outbox


def transfer(app: Flask, *args: str, lang: str = "en") -> Result:
    return app.test_cli_runner().invoke(args=["archive", "transfer", "--lang", lang, *args])


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def archival_codes(app: Flask) -> dict[str, str]:
    with app.app_context(), services().db.reading() as session:
        return dict(session.execute(select(Record.code, Record.archival_code)
                                    .where(Record.archival_code.is_not(None))).all())


@pytest.mark.parametrize("engine", [pytest.param("app", id="sqlite"),
                                    pytest.param("pg_app", id="postgresql", marks=pytest.mark.postgres)])
def test_a_year_is_written_verified_and_recorded(engine: str, request: pytest.FixtureRequest,
                                                 tmp_path: Path) -> None:
    app = request.getfixturevalue(engine)
    filed = file_items(app)
    references = archival_codes(app)
    out = tmp_path / "transfer-2026"
    result = transfer(app, "--year", "2026", "--out", str(out), "--by", "archivist")
    assert result.exit_code == 0, result.output
    assert "Verified. Manifest SHA-256" in result.output
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert (manifest["kind"], manifest["year"], manifest["fonds"], manifest["records"]) == ("transfer", 2026,
                                                                                           "Q012", 4)
    assert manifest["transferred_by"] == "archivist" and manifest["transferred_at"].startswith("2026-03-02")
    listed = {entry["path"]: entry for entry in manifest["files"]}
    for code in filed.all:
        reference = references[code]
        pdf = out / "records" / reference / f"{reference}.pdf"
        data = json.loads((out / "records" / reference / f"{reference}.json").read_text("utf-8"))
        assert data["code"] == code and data["archival_code"] == reference and data["data"]["phone"]
        with pikepdf.open(pdf) as opened:
            assert len(opened.pages) == data["files"][0]["pages"]
        assert listed[pdf.relative_to(out).as_posix()]["sha256"] == data["files"][0]["sha256"]
        with app.app_context(), services().db.reading() as session:
            stored = session.scalar(select(Rendition.sha256).join(Record, Record.id == Rendition.record_id)
                                    .where(Record.code == code, Rendition.revision == Record.filed_revision,
                                           Rendition.kind == "archival"))
        assert data["files"][0]["sha256"] == stored  # the file store's own copy, unchanged
    corrected = json.loads((out / "records" / references[filed.corrected] /
                            f"{references[filed.corrected]}.json").read_text("utf-8"))
    assert [f["path"].rsplit("/", 1)[1] for f in corrected["files"]] == [
        f"{references[filed.corrected]}.pdf", f"{references[filed.corrected]}.r{corrected['revision']}.pdf"]
    assert corrected["remarks"] == ["corrected"] and corrected["revisions"][-1]["action"] == "correct"
    rows = list(csv.DictReader(io.StringIO((out / "catalogue/catalogue.csv").read_text("utf-8-sig"))))
    assert [r["archival_code"] for r in rows] == sorted(references.values(), key=lambda c: c.encode())
    assert all(r["sha256"] == listed[r["file"]]["sha256"] for r in rows)
    catalogue = (out / "catalogue/catalogue.json").read_text("utf-8")
    assert NAME not in catalogue and mask_text(f"{NAME}0") in catalogue  # titles as the catalogue shows them
    text = subprocess.run(["pdftotext", "-layout", str(out / "catalogue/catalogue.pdf"), "-"],
                          capture_output=True, check=True, text=True).stdout
    assert "归档文件目录 · 2026 年度" in text and "共 4 件" in text and "打印于" not in text
    assert all(code in text for code in filed.all) and NAME not in text
    assert verify_package(out).files == len(manifest["files"])
    summed = subprocess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"], cwd=out, capture_output=True,
                            text=True)  # what a service centre without our software runs
    assert summed.returncode == 0 and summed.stdout.count(": OK") == len(manifest["files"]) - 1, summed.stdout
    digest = subprocess.run(["sha256sum", str(out / "manifest.json")], capture_output=True, text=True,
                            check=True).stdout.split()[0]
    with app.app_context(), services().db.reading() as session:
        row = session.scalars(select(Transfer)).one()
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "archive.transfer")).one()
        assert (row.year, row.records, row.manifest_sha256) == (2026, 4, digest)
        assert row.transferred_by == "archivist" and row.fonds == "Q012"
        assert row.location == str(out.resolve()) and row.files == len(manifest["files"])
        assert event.detail["manifest_sha256"] == digest and set(event.detail["codes"]) == set(filed.all)
        assert event.object_id == str(row.id) and event.actor_name == "archivist"


def test_the_same_year_again_gives_the_same_package_but_the_date(app: Flask, clock: FrozenClock,
                                                                 tmp_path: Path) -> None:
    file_items(app)
    assert transfer(app, "--year", "2026", "--out", str(tmp_path / "one"), "--by", "archivist").exit_code == 0
    clock.advance(days=3, microseconds=654321)
    assert transfer(app, "--year", "2026", "--out", str(tmp_path / "two"), "--by", "archivist").exit_code == 0
    one, two = files_of(tmp_path / "one"), files_of(tmp_path / "two")
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == ["manifest.json"]
    first, second = (json.loads(files["manifest.json"]) for files in (one, two))
    assert first["transferred_at"] != second["transferred_at"]
    assert second["transferred_at"] == "2026-03-05T01:30:00.654321+00:00"
    assert {k: v for k, v in first.items() if k != "transferred_at"} == \
        {k: v for k, v in second.items() if k != "transferred_at"}


def test_the_package_verifies_on_the_system_clock_too(template_db: Path, instance_dir: Path,
                                                      tmp_path: Path) -> None:
    from core.clock import SystemClock

    database = tmp_path / "system.sqlite3"
    shutil.copy(template_db, database)
    app = make_app(f"sqlite:///{database}", SystemClock())
    code = new_complaint(app)
    close_complaint(app, code)
    work_outbox(app)
    year = datetime.now(UTC).astimezone(services_zone(app)).year
    result = transfer(app, "--year", str(year))
    assert result.exit_code == 0, result.output
    folder = Path(result.output.split(" bytes in ")[1].splitlines()[0])
    assert folder.parent == instance_dir / "transfers" and folder.name.startswith(f"Q012-{year}-")
    assert json.loads((folder / "manifest.json").read_text("utf-8"))["transferred_by"] == "console"
    assert verify_package(folder).pdfs == 2  # the item's archival copy and the catalogue


def services_zone(app: Flask):  # type: ignore[no-untyped-def]
    with app.app_context():
        return services().zone


@pytest.mark.parametrize("damage", ["changed", "removed", "added", "unreadable_pdf"])
def test_a_tampered_package_is_caught_naming_the_file(app: Flask, tmp_path: Path, damage: str) -> None:
    file_items(app)
    out = tmp_path / "package"
    assert transfer(app, "--year", "2026", "--out", str(out)).exit_code == 0
    pdf = next((out / "records").rglob("*.pdf"))
    name = pdf.relative_to(out).as_posix()
    if damage == "changed":
        data = bytearray(pdf.read_bytes())
        data[len(data) // 2] ^= 0x01
        pdf.chmod(0o644)
        pdf.write_bytes(bytes(data))
    elif damage == "removed":
        pdf.unlink()
    elif damage == "added":
        (out / "records" / "extra.pdf").write_bytes(b"%PDF-1.4")
        name = "records/extra.pdf"
    else:  # the bytes and the manifest rewritten together: only opening the PDF finds it
        pdf.write_bytes(b"not a pdf at all")
        manifest = json.loads((out / "manifest.json").read_text("utf-8"))
        entry = next(e for e in manifest["files"] if e["path"] == name)
        entry["sha256"] = hashlib.sha256(pdf.read_bytes()).hexdigest()
        entry["size"] = 16
        (out / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(PackageProblem, match=name.replace(".", r"\.")):
        verify_package(out)
    result = app.test_cli_runner().invoke(args=["archive", "verify-transfer", "--lang", "en", str(out)])
    assert result.exit_code == 1 and name in result.output and "Traceback" not in result.output
    chinese = app.test_cli_runner().invoke(args=["archive", "verify-transfer", str(out)])
    said = {"changed": "与清单中的", "removed": "清单中列出但文件缺失", "added": "不在清单中",
            "unreadable_pdf": "无法作为 PDF 打开"}
    assert chinese.exit_code == 1 and f"{name}：" in chinese.output, chinese.output
    assert said[damage] in chinese.output, chinese.output


def test_refusals_are_one_clear_line(app: Flask, tmp_path: Path) -> None:
    nothing = transfer(app, "--year", "2026", "--out", str(tmp_path / "none"))
    assert nothing.exit_code == 1 and "no filed record carries the year 2026" in nothing.output
    assert not (tmp_path / "none").exists()
    file_items(app)
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("keep me")
    taken = transfer(app, "--year", "2026", "--out", str(used))
    assert taken.exit_code == 1 and "is not an empty folder" in taken.output
    assert (used / "notes.txt").read_text() == "keep me"
    clerk = transfer(app, "--year", "2026", "--out", str(tmp_path / "clerk"), "--by", "clerk")
    assert clerk.exit_code == 1 and "Only archivists and administrators" in clerk.output
    nobody = transfer(app, "--year", "2026", "--by", "nobody")
    assert nobody.exit_code == 1 and nobody.output == "Error: --by: no active user 'nobody'\n"
    for typed in ("abc", "1999", "２０２６"):  # one line naming the option, no usage printed
        year = transfer(app, "--year", typed)
        assert year.exit_code == 1, year.output
        assert year.output == f"Error: --year {typed!r}: The year must be a number from 2000 to 2100.\n"
    with app.app_context(), services().db.reading() as session:
        assert session.scalars(select(Transfer)).all() == []


def test_refusals_speak_the_instances_language(app: Flask, tmp_path: Path) -> None:
    """An archivist at a Chinese instance reads the refusals in Chinese (the default), each still
    naming what is wrong; --lang en gives them in English."""
    nothing = transfer(app, "--year", "2026", "--out", str(tmp_path / "none"), lang="zh")
    assert nothing.exit_code == 1 and "2026" in nothing.output and "没有" in nothing.output, nothing.output
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("keep me")
    taken = app.test_cli_runner().invoke(args=["archive", "transfer", "--year", "2026", "--out", str(used)])
    assert taken.exit_code == 1 and str(used) in taken.output and "不是空文件夹" in taken.output, taken.output
    clerk = transfer(app, "--year", "2026", "--out", str(tmp_path / "clerk"), "--by", "clerk", lang="zh")
    assert clerk.exit_code == 1 and "档案管理员" in clerk.output, clerk.output
    year = app.test_cli_runner().invoke(args=["archive", "transfer", "--year", "abc"])
    assert year.exit_code == 1 and year.output == "Error: --year 'abc': 年份须为 2000 到 2100 之间的数字。\n"
    nobody = app.test_cli_runner().invoke(args=["archive", "transfer", "--year", "2026", "--by", "nobody"])
    assert nobody.exit_code == 1 and nobody.output == "Error: --by: 没有启用的用户 'nobody'\n"


def test_a_missing_archival_file_is_named_and_nothing_is_left(app: Flask, tmp_path: Path) -> None:
    filed = file_items(app)
    references = archival_codes(app)
    with app.app_context(), services().db.reading() as session:
        key = session.scalar(select(Rendition.path).join(Record, Record.id == Rendition.record_id)
                             .where(Record.code == filed.sales, Rendition.kind == "archival",
                                    Rendition.revision == Record.filed_revision))
    stored = Path(app.instance_path) / "renditions" / key
    stored.chmod(0o644)
    stored.unlink()
    empty = tmp_path / "empty"
    empty.mkdir()
    result = transfer(app, "--year", "2026", "--out", str(empty))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert filed.sales in result.output and references[filed.sales] in result.output and key in result.output
    assert "missing from the file store" in result.output
    assert empty.is_dir() and list(empty.iterdir()) == []  # the empty folder given stays, empty


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(year=st.one_of(st.text(max_size=8), st.integers(-10_000, 10_000).map(str)))
def test_any_year_typed_is_a_transfer_or_a_named_refusal(app: Flask, tmp_path_factory: pytest.TempPathFactory,
                                                        year: str) -> None:
    out = tmp_path_factory.mktemp("any")
    result = transfer(app, "--year", year, "--out", str(out / "package"))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if "must be a number" in result.output:  # not four digits, or not 2000..2100: one line naming it
        assert result.exit_code == 1 and result.output.startswith("Error: --year ")
        assert "Usage" not in result.output
    else:  # a year in range, with nothing filed in the template instance
        assert result.exit_code == 1 and "no filed record carries the year" in result.output
        assert 2000 <= int(year.strip()) <= 2100


def test_the_transfer_is_listed_for_the_records_office_and_anchored(app: Flask, logged_in,  # type: ignore[no-untyped-def]
                                                                    tmp_path: Path) -> None:
    file_items(app)
    out = tmp_path / "listed"
    assert transfer(app, "--year", "2026", "--out", str(out), "--by", "archivist").exit_code == 0
    digest = hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
    headings = {"en": "Transfers to the service centre", "zh-CN": "向档案服务中心的年度移交"}
    for language, heading in headings.items():
        page = logged_in("auditor").get("/archive/catalogue/items?year=2026",
                                        headers={"Accept-Language": language}).text
        assert heading in page and digest in page and str(out.resolve()) in page
    assert logged_in("clerk").get("/archive/catalogue/items?year=2026").status_code == 403
    work_outbox(app)  # the checkpoint asked for in the recording transaction is appended after commit
    lines = (Path(app.instance_path) / "audit-checkpoints.jsonl").read_text("utf-8").splitlines()
    anchored = [json.loads(line) for line in lines if "transfer 2026" in line]
    assert len(anchored) == 1
    with app.app_context(), services().db.reading() as session:
        seq = session.scalar(select(AuditEvent.seq).where(AuditEvent.action == "archive.transfer"))
    assert anchored[0]["seq"] >= seq  # the head it records covers the transfer's event
    at_console = tmp_path / "console"
    assert transfer(app, "--year", "2026", "--out", str(at_console)).exit_code == 0  # no --by
    names = {"en": "command line (console)", "zh-CN": "命令行（控制台）"}
    for language, name in names.items():
        page = logged_in("auditor").get("/archive/catalogue/items?year=2026",
                                        headers={"Accept-Language": language}).text
        assert f'data-label="{"Transferred by" if language == "en" else "移交人"}: ">{name}</td>' in page


def test_the_demo_office_transfers_its_year_and_it_verifies(app: Flask, tmp_path: Path) -> None:
    """``flask demo`` finishes two complaints; once the worker has rendered and filed them, the
    year's transfer of the demo data verifies (the issue's own test of done)."""
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    work_outbox(app)
    filed = archival_codes(app)
    assert len(filed) == 2
    result = transfer(app, "--year", "2026", "--out", str(tmp_path / "demo"), "--by", "archivist")
    assert result.exit_code == 0, result.output
    assert "2 record(s)" in result.output and "Verified." in result.output
    verified = app.test_cli_runner().invoke(args=["archive", "verify-transfer", "--lang", "en",
                                                  str(tmp_path / "demo")])
    assert verified.exit_code == 0 and "3 PDF(s) open" in verified.output
    assert all((tmp_path / "demo" / "records" / ref / f"{ref}.pdf").is_file() for ref in filed.values())


def test_a_filed_copy_not_stamped_yet_waits_for_the_worker(app: Flask, tmp_path: Path) -> None:
    """The package carries the copies with the 归档章: a record filed whose stamping the worker
    has not done yet is named, and once it has, its stamped copy is what goes."""
    code = new_complaint(app)
    close_complaint(app, code)
    runner = app.test_cli_runner()
    runner.invoke(args=["outbox", "run", "--once", "--topics", "pdf.archival", "--no-jobs"])
    reference = archival_codes(app)[code]  # filed, its 档号 minted
    early = transfer(app, "--year", "2026", "--out", str(tmp_path / "early"))
    assert early.exit_code == 1 and code in early.output and "归档章" in early.output
    assert not (tmp_path / "early").exists()
    work_outbox(app)
    assert transfer(app, "--year", "2026", "--out", str(tmp_path / "later")).exit_code == 0
    first_page = subprocess.run(["pdftotext", "-l", "1", str(tmp_path / "later" / "records" / reference /
                                                             f"{reference}.pdf"), "-"],
                                capture_output=True, check=True, text=True).stdout
    assert "全宗号" in first_page and "Q012" in first_page  # the stamp's own boxes


def test_a_correction_not_rendered_yet_waits_for_the_worker(app: Flask, tmp_path: Path) -> None:
    """A filed record corrected since: its latest archival copy goes too, so the transfer waits
    until the worker has rendered it, naming the record and the revision."""
    code = new_complaint(app)
    close_complaint(app, code)
    work_outbox(app)
    step(app, code, "correct", "supervisor", {"complaint": "划痕（更正）"}, reason="笔误")
    early = transfer(app, "--year", "2026", "--out", str(tmp_path / "early"))
    assert early.exit_code == 1 and code in early.output and "not rendered yet" in early.output
    work_outbox(app)
    later = tmp_path / "later"
    assert transfer(app, "--year", "2026", "--out", str(later)).exit_code == 0
    assert len(list(later.rglob("*.r*.pdf"))) == 1  # the correction's copy beside the filed one
