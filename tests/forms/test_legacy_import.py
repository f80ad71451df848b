"""``records import`` (issue 19): a legacy register in XLSX imports with its own codes, dates,
people, state and scans; the counters continue after it; the records are filed, archived by
the outbox, found by search, printable, and scheduled by their own dates."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select, update

from archive import disposal, retention
from archive.attachments import attachments_of
from archive.models import CodeCounter, Record, Rendition
from archive.ports import archive_ports
from archive.stores import FOLDER, file_store
from core import db_schema
from core.audit.models import AuditEvent
from core.auth import accounts
from core.auth.departments import ensure_default_departments
from core.clock import FrozenClock
from core.web import services
from forms import versions
from forms.spec.library import load_or_fail
from tests.support.destruction import witness
from tests.support.file_stores import rendition_path
from tests.support.instance import VALID_CP, make_app
from tests.support.legacy_sheets import (
    AR_HEADERS,
    CP_HEADERS,
    RS_HEADERS,
    VR_HEADERS,
    ar_row,
    cp_row,
    jpeg,
    pdf,
    rs_row,
    run_import,
    vr_row,
    write_xlsx,
)
from tests.support.pdf import text_of

SHANGHAI_2015 = datetime(2015, 3, 1, 10, 15)
DECEMBER_5 = datetime(2026, 12, 5, 2, 0, 0, 123456, tzinfo=UTC)  # the day the retention test names


def register(tmp_path: Path) -> tuple[Path, Path]:
    """A register of the four forms with scans, and its folder of scans."""
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "vr-7.jpg").write_bytes(jpeg(7))
    (scans / "cp-50.pdf").write_bytes(pdf(50))
    book = write_xlsx(tmp_path / "registers.xlsx", {
        "VR": [VR_HEADERS, vr_row("VR-2015-000007", SHANGHAI_2015, 扫描件="vr-7.jpg"),
               vr_row("vr-2015-9", datetime(2015, 4, 2), 接待人员="王芳", 客户姓名或称呼="孙七")],
        "CP": [CP_HEADERS, cp_row("CP-2026-000050", datetime(2026, 1, 10, 9, 0), 扫描件="cp-50.pdf"),
               cp_row(None, datetime(2026, 2, 1, 14, 30), 客户名称="杭州远景", 状态="调查改善中")],
        "RS": [RS_HEADERS, rs_row("RS-2016-000003", date(2016, 5, 20))],
        "AR": [AR_HEADERS, ar_row("AR-2020-000011", date(2020, 8, 3))],
    })
    return book, scans


def record(app: Flask, code: str) -> Record:
    with app.app_context(), services().db.reading() as session:
        found = session.scalar(select(Record).where(Record.code == code))
        assert found is not None, code
        session.expunge(found)
        return found


def test_a_register_imports_with_its_codes_dates_people_and_state(app: Flask, tmp_path: Path) -> None:
    book, scans = register(tmp_path)
    status, output = run_import(app, book, "--scans", str(scans), "--commit", "--lang", "en")
    assert status == 0, output
    assert "Imported 6 record(s) (5 filed)" in output
    with app.app_context(), services().db.reading() as session:
        events = session.execute(select(AuditEvent.object_id, AuditEvent.detail).where(
            AuditEvent.action == "record.import")).all()
    assert len(events) == 6 and {"VR-2015-000007", "CP-2026-000051"} <= {code for code, _detail in events}
    assert dict(events)["VR-2015-000007"]["from"] == "registers.xlsx VR row 2"
    visit = record(app, "VR-2015-000007")
    assert visit.state == "confirmed" and visit.year == 2015 and visit.seq == 7
    assert visit.submitted_at == datetime(2015, 3, 1, 2, 15, tzinfo=UTC)  # 10:15 in Shanghai
    assert visit.legacy_people == {"submitted_by": "王五"}  # no user: kept as written
    assert visit.data["receiving_staff"] == "sales"  # the display name "Sales" is that user
    assert visit.imported_from == "registers.xlsx VR row 2" and visit.imported_at is not None
    assert visit.filed_at == visit.submitted_at and visit.volume == "VR-2015" and visit.filed_revision == 1
    assert visit.legacy_scan is not None and visit.legacy_scan["name"] == "vr-7.jpg"
    with app.app_context():  # checked as every upload is: the image re-encoded bare, a PDF unchanged
        image = Image.open(io.BytesIO(file_store().get(visit.legacy_scan["key"])))
        assert (image.format, image.size) == ("JPEG", (48, 32))
        complaint = record(app, "CP-2026-000050").legacy_scan
        assert complaint is not None
        assert file_store().get(complaint["key"]) == (scans / "cp-50.pdf").read_bytes()  # as scanned
        attached = attachments_of(services().db, "VR-2015-000007")
    scan_row = ("legacy_scan", visit.legacy_scan["sha256"], 1)
    assert [(a.field, a.sha256, a.revision) for a in attached] == [scan_row]
    other = record(app, "VR-2015-000009")  # "vr-2015-9" written canonically
    assert other.data["receiving_staff"] == "王芳" and other.legacy_people == {
        "submitted_by": "王五", "receiving_staff": "王芳"}
    open_complaint = record(app, "CP-2026-000051")  # no code: the next after the highest imported
    assert open_complaint.state == "investigating" and open_complaint.filed_at is None
    # level 1: 5 working hours from receipt on Sunday 1 February 2026: Monday 09:00-12:00, 13:00-15:00
    assert open_complaint.due_at == datetime(2026, 2, 2, 7, 0, tzinfo=UTC)
    assert open_complaint.deadline_met_at is None  # still running (long past: overdue)
    closed = record(app, "CP-2026-000050")
    assert closed.deadline_met_at == closed.due_at  # answered, when the register does not say: not late
    assert record(app, "CP-2026-000050").data["level"] == "1"  # the label as printed, read as its value


def test_the_counter_continues_after_the_highest_imported_sequence(app: Flask, tmp_path: Path) -> None:
    book, scans = register(tmp_path)
    assert run_import(app, book, "--scans", str(scans), "--commit")[0] == 0
    with app.app_context():
        with services().db.reading() as session:
            counters = {(c.category, c.year): c.value for c in session.scalars(select(CodeCounter))}
        assert counters[("VR", 2015)] == 9 and counters[("CP", 2026)] == 51
        assert counters[("RS", 2016)] == 3 and counters[("AR", 2020)] == 11
    client = app.test_client()
    headers = token_headers(app, "clerk")
    made = client.post("/api/v1/records", json={"form": "CP", "data": VALID_CP}, headers=headers)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["code"] == "CP-2026-000052"


def test_imported_records_are_archived_filed_found_and_printed(app: Flask, tmp_path: Path) -> None:
    book, scans = register(tmp_path)
    assert run_import(app, book, "--scans", str(scans), "--commit")[0] == 0
    outbox = app.test_cli_runner().invoke(args=["outbox", "run", "--once"]).output
    assert "12 done, 0 failed" in outbox, outbox  # an archival copy and an index entry each
    with app.app_context(), services().db.reading() as session:
        copies = session.scalars(select(Rendition.revision).join(Record, Rendition.record_id == Record.id)
                                 .where(Record.code == "VR-2015-000007")).all()
    assert copies == [1]
    visit = record(app, "VR-2015-000007")
    with pikepdf.open(io.BytesIO(rendition_path(app, "VR-2015-000007").read_bytes())) as archival:
        [embedded] = [f for n, f in archival.attachments.items() if ".paper-scan." in n]
        stored = Path(app.instance_path) / FOLDER / visit.legacy_scan["key"]
        assert embedded.get_file().read_bytes() == stored.read_bytes()  # the scan as stored, unchanged
        assert visit.legacy_scan["sha256"] in embedded.description
    assert visit.filed_at == datetime(2015, 3, 1, 2, 15, tzinfo=UTC)  # unchanged
    headers = token_headers(app, "archivist")
    found = app.test_client().get("/api/v1/search", query_string={"q": "杭州远景"}, headers=headers)
    assert [hit["code"] for hit in found.get_json()["hits"]] == ["CP-2026-000051"]
    printed = app.test_client().get("/api/v1/records/VR-2015-000009/pdf", headers=headers)
    assert printed.status_code == 200 and printed.data.startswith(b"%PDF-")
    assert "王芳" in text_of(printed.data) and "VR-2015-000009" in text_of(printed.data)
    assert "王五" in text_of(printed.data)  # who filled the paper form, as the register names them


@pytest.mark.parametrize(("locale", "said"), [("zh", "从历史档案导入"),
                                             ("en", "Imported from a legacy register")])
def test_the_record_page_says_the_record_was_imported(app: Flask, tmp_path: Path, logged_in: Any, locale: str,
                                                       said: str) -> None:
    book, scans = register(tmp_path)
    assert run_import(app, book, "--scans", str(scans), "--commit")[0] == 0
    page = logged_in("sales").get("/records/VR-2015-000009", headers={"Accept-Language": locale})
    assert page.status_code == 200
    assert said in page.text and "王芳" in page.text  # the receiving staff member as the register wrote it
    submitted = re.search(r"<dt>[^<]*</dt><dd>([^<]*) \(legacy-import\)</dd>", page.text)
    assert submitted and submitted.group(1) == "王五"  # the filler as written, not the import's own user


@pytest.mark.parametrize(("reader", "status"), [("sales", 200), ("sales_boss", 200), ("archivist", 200),
                                                ("auditor", 403), ("admin", 403), ("clerk", 403)])
def test_a_scan_is_handed_out_like_the_archival_copy(app: Flask, tmp_path: Path, logged_in: Any, reader: str,
                                                      status: int) -> None:
    """The scan shows the paper form whole, personal data and all: those who need the record's
    personal data (its department's clerks and supervisor) and its custodians (archivists) have
    it; the auditor and the admin, who read the record masked, do not; a clerk of another
    department does not see the record at all."""
    book, scans = register(tmp_path)
    assert run_import(app, book, "--scans", str(scans), "--commit")[0] == 0
    scan = record(app, "VR-2015-000007").legacy_scan
    assert scan is not None
    answer = logged_in(reader).get(f"/records/VR-2015-000007/files/{scan['sha256']}")
    assert answer.status_code == status
    page = logged_in(reader).get("/records/VR-2015-000007")
    if page.status_code == 200:  # the record page links the scan to exactly those it is handed to
        assert (f"/records/VR-2015-000007/files/{scan['sha256']}" in page.text) == (status == 200)
    if status == 200:
        assert answer.data.startswith(b"\xff\xd8\xff")
        assert answer.headers["X-Content-SHA256"] == scan["sha256"]


def test_an_imported_record_naming_no_user_can_be_corrected(app: Flask, tmp_path: Path,
                                                            token_for: Any) -> None:
    """A correction validates the whole record: the receiving staff member the register named,
    who is no user, stays valid while the correction leaves that field alone; a new name must
    still be a user."""
    book, scans = register(tmp_path)
    assert run_import(app, book, "--scans", str(scans), "--commit")[0] == 0
    client, boss = app.test_client(), token_for("sales_boss")
    corrected = client.post("/api/v1/records/VR-2015-000009/actions/correct", headers=boss,
                            json={"fields": {"needs": "四居室"}, "reason": "笔误", "revision": 1})
    assert corrected.status_code == 200, corrected.json
    assert corrected.json["data"]["receiving_staff"] == "王芳" and corrected.json["data"]["needs"] == "四居室"
    renamed = client.post("/api/v1/records/VR-2015-000009/actions/correct", headers=boss,
                          json={"fields": {"receiving_staff": "李雷"}, "reason": "笔误", "revision": 2})
    assert renamed.status_code == 422 and "receiving_staff" in renamed.json["fields"]


def test_retention_counts_from_the_records_own_dates(tmp_path: Path, template_db: Path,
                                                       instance_dir: Path) -> None:
    """An RS filed in 2015 under a 10-year class is due for review on 2026-12-05; one of 2017 is not."""
    app = fresh_app(template_db, instance_dir, FrozenClock(DECEMBER_5))
    with app.app_context():
        s = services()
        admin = accounts.actor_named(s.db, "admin")
        current = {c.code: c for c in retention.list_classes(s.db)}["renewal-register"]
        values = {**current.values(), "years": 10}
        retention.update_class(s.db, s.clock, admin, "renewal-register", values, zone=s.zone)
    book = write_xlsx(tmp_path / "rs.xlsx", {"RS": [RS_HEADERS, rs_row("RS-2015-000001", date(2015, 6, 1)),
                                                   rs_row("RS-2017-000001", date(2017, 1, 1))]})
    assert run_import(app, book, "--commit")[0] == 0
    # the class counts from 31 December of the filing year (at_year_end), as for typed records
    assert record(app, "RS-2015-000001").retention_until == date(2025, 12, 31)
    assert record(app, "RS-2017-000001").retention_until == date(2027, 12, 31)
    with app.app_context():
        s = services()
        archivist = accounts.actor_named(s.db, "archivist")
        due = disposal.due_page(s.db, s.clock, s.zone, archivist, action="review")
    assert [d.code for d in due.items] == ["RS-2015-000001"]


def test_an_imported_record_past_its_period_is_destroyed_with_its_scan(tmp_path: Path, template_db: Path,
                                                                      instance_dir: Path) -> None:
    """An access request filed in 2015 (3 years, then destroyed) goes through disposal: its
    attachment row goes with it and its scan is purged from the store by the outbox."""
    app = fresh_app(template_db, instance_dir, FrozenClock(DECEMBER_5))
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "ar.jpg").write_bytes(jpeg(21))
    book = write_xlsx(tmp_path / "ar.xlsx", {"AR": [AR_HEADERS, ar_row("AR-2015-000001", date(2015, 6, 1),
                                                                       scan="ar.jpg")]})
    assert run_import(app, book, "--scans", str(scans), "--commit")[0] == 0
    key = record(app, "AR-2015-000001").legacy_scan["key"]  # type: ignore[index]
    with app.app_context():
        s = services()
        archivist, admin = accounts.actor_named(s.db, "archivist"), accounts.actor_named(s.db, "admin")
        listed = disposal.propose(s.db, s.clock, s.zone, archivist, ["AR-2015-000001"], "期满销毁")
        disposal.decide(s.db, s.clock, admin, listed.id, approve=True)
        witness(app, listed.id)
        done = disposal.execute(s.db, s.clock, s.zone, archivist, listed.id, archive_ports().disposal_hooks())
        assert done.state == "executed"
        assert attachments_of(s.db, "AR-2015-000001") == []
    app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    with app.app_context():
        assert not file_store().exists(key)


def test_imported_records_move_with_an_archive_export(app: Flask, tmp_path: Path, clock: FrozenClock,
                                                      tmp_path_factory: pytest.TempPathFactory,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """``archive export`` then ``archive import`` into a new instance: the imported marks, the
    people kept as written, the scan and its file, and the legacy-import user come along."""
    book, scans = register(tmp_path)
    assert run_import(app, book, "--scans", str(scans), "--commit")[0] == 0
    out = tmp_path / "export"
    assert app.test_cli_runner().invoke(args=["archive", "export",
                                              "--lang", "en", "--out", str(out)]).exit_code == 0
    folder = tmp_path_factory.mktemp("target")
    monkeypatch.setenv("DOSSIER_INSTANCE", str(folder))
    target = make_app(f"sqlite:///{folder}/dossier.sqlite3", clock)
    with target.app_context():
        s = services()
        db_schema.upgrade(s.db)
        ensure_default_departments(s.db)
        retention.ensure_defaults(s.db, s.clock)
        versions.register_specs(s.db, s.clock, load_or_fail())
    imported = target.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
    assert imported.exit_code == 0, imported.output
    assert "legacy-import" in imported.output  # created inactive, as every user the target lacks
    moved, original = record(target, "VR-2015-000007"), record(app, "VR-2015-000007")
    assert (moved.imported_from, moved.legacy_people, moved.legacy_scan) == (
        original.imported_from, original.legacy_people, original.legacy_scan)
    with target.app_context():
        assert file_store().exists(moved.legacy_scan["key"])  # type: ignore[index]


def test_archive_verify_is_clean_after_an_import_with_gaps(app: Flask, tmp_path: Path) -> None:
    """The register's own gaps (VR-2015 1-6 and 8, CP-2026 1-49) are no code gaps of this archive;
    one it mints and loses after the import is."""
    book, scans = register(tmp_path)
    assert run_import(app, book, "--scans", str(scans), "--commit")[0] == 0
    app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    verified = app.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"])
    assert verified.exit_code == 0, verified.output
    with app.app_context(), services().db.transaction() as session:  # CP-2026-000052 minted, then lost
        session.execute(update(CodeCounter).where(CodeCounter.category == "CP", CodeCounter.year == 2026)
                        .values(value=52))
    verified = app.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"])
    assert verified.exit_code == 1 and "[code-gap] CP-2026-000052:" in verified.output, verified.output
    assert "CP-2026-000001" not in verified.output


@pytest.mark.parametrize("by", ["clerk", "supervisor", "auditor"])
def test_only_keepers_import(app: Flask, tmp_path: Path, by: str) -> None:
    book, scans = register(tmp_path)
    status, output = run_import(app, book, "--scans", str(scans), "--commit", "--lang", "en", by=by)
    assert status == 1 and "Error:" in output and "Traceback" not in output


def token_headers(app: Flask, username: str) -> dict[str, str]:
    with app.app_context():
        token = accounts.create_token(services().db, services().clock, username, "test")
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def fresh_app(template_db: Path, instance_dir: Path, clock: FrozenClock) -> Flask:
    database = instance_dir / "dossier.sqlite3"
    database.write_bytes(template_db.read_bytes())
    return make_app(f"sqlite:///{database}", clock)

