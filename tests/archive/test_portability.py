"""``archive export`` and ``archive import``: an export reproduces the archive in a new instance
with identical checksums and equal records, and a damaged export or a used instance is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text

from archive import holds, retention
from archive.retention import ensure_defaults
from archive.stores import file_store
from core import db_schema
from core.audit.models import AuditEvent
from core.auth import accounts
from core.auth.departments import ensure_default_departments
from core.clock import FrozenClock
from core.web import services
from forms import versions
from forms.models import CustomerClaim
from forms.spec.library import load_or_fail
from tests.support.archive_state import archive_state, revisions_of
from tests.support.instance import PASSWORD, actor_of, make_app
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox


@pytest.fixture
def source(app: Flask) -> Flask:
    """Two filed complaints, one still open with its copy, and a legal hold on the first."""
    filed = [new_complaint(app) for _ in range(2)]
    for code in filed:
        close_complaint(app, code)
    new_complaint(app, customer_name="北京宏达")
    work_outbox(app)
    with app.app_context():
        s = services()
        archivist = actor_of(app, "archivist")
        hold = holds.create_hold(s.db, s.clock, archivist, name="诉讼", reason="客户起诉", owner="admin")
        holds.add_records(s.db, s.clock, archivist, hold.id, [filed[0]])
    return app


@pytest.fixture
def target(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
           clock: FrozenClock) -> Iterator[Flask]:
    """A new instance as `flask init` and one `users create` leave it."""
    folder = tmp_path_factory.mktemp("target")
    monkeypatch.setenv("DOSSIER_INSTANCE", str(folder))
    application = make_app(f"sqlite:///{folder}/dossier.sqlite3", clock)
    with application.app_context():
        s = services()
        db_schema.upgrade(s.db)
        ensure_default_departments(s.db)
        ensure_defaults(s.db, s.clock)
        versions.register_specs(s.db, s.clock, load_or_fail())
        accounts.create_user(s.db, s.clock, username="admin", password=PASSWORD, role="admin",
                             department_code="ARCHIVE")
    yield application
    with application.app_context():
        services().db.dispose()


def export(app: Flask, out: Path, *extra: str) -> Any:
    return app.test_cli_runner().invoke(args=["archive", "export", "--lang", "en", "--out", str(out), *extra])


def test_export_then_import_reproduces_the_archive(source: Flask, target: Flask, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = export(source, out, "--by", "archivist")
    assert result.exit_code == 0, result.output
    assert "Exported 3 record(s)" in result.stdout and "Exporting records" in result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    paths = {e["path"] for e in manifest["files"]}
    assert {"tables/legal_holds.json", "tables/held_records.json", "tables/disposal_lists.json",
            "tables/disposal_items.json", "tables/tombstones.json", "tables/retention_classes.json",
            "tables/form_versions.json", "tables/users.json", "tables/departments.json",
            "audit/events.jsonl"} <= paths
    stored = archive_state(source)["renditions"]  # a copy of every revision: 6 + 6 + 1
    assert len(stored) == 13 and {f"renditions/{r[0]}" for r in stored} <= paths
    assert len([r for r in stored if r[4]]) == 2  # the filed revisions' copies carry their 归档章
    users = json.loads((out / "tables/users.json").read_text())
    assert {u["username"] for u in users} >= {"clerk", "supervisor", "archivist"}
    assert all("password_hash" not in u for u in users)

    result = target.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
    assert result.exit_code == 0, result.output
    assert "Created inactive, without password:" in result.stdout and "clerk" in result.stdout
    verified = target.test_cli_runner().invoke(args=["archive", "verify", "--lang", "en"])
    assert verified.exit_code == 0 and verified.stdout.startswith("clean: 13 files"), verified.output
    assert archive_state(target) == archive_state(source)  # records, checksums, tombstones
    for code in archive_state(source)["records"]:
        assert revisions_of(target, code) == revisions_of(source, code)
    for path, *_row in archive_state(source)["renditions"]:
        original = Path(source.instance_path) / "renditions" / path
        assert (Path(target.instance_path) / "renditions" / path).read_bytes() == original.read_bytes()
    with target.app_context():
        s = services()
        assert accounts.actor_named(s.db, "clerk") is None  # inactive
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(s.db, s.clock, accounts.LoginPolicy(), "clerk", PASSWORD)
        [hold] = holds.list_holds(s.db, actor_of(target, "admin"))
        assert hold.name == "诉讼"
        with s.db.reading() as session:
            detail = session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "archive.import"))
    assert detail["records"] == 3 and detail["extract_head"] == manifest["audit_head"]
    assert (Path(detail["extract"]) / "events.jsonl").read_bytes() == (
        out / "audit/events.jsonl").read_bytes()


def test_export_is_audited_and_refuses_a_used_folder_or_a_clerk(source: Flask, tmp_path: Path) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("x")
    result = export(source, tmp_path / "used")
    assert result.exit_code == 1 and "is not an empty folder" in result.output
    result = export(source, tmp_path / "out", "--by", "clerk")
    assert result.exit_code == 1 and "only admins and archivists" in result.output
    assert export(source, tmp_path / "ok").exit_code == 0
    with source.app_context(), services().db.reading() as session:
        [detail] = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "archive.export"))
    assert detail["records"] == 3 and len(detail["manifest_sha256"]) == 64


def test_a_damaged_export_is_refused_naming_the_file_and_nothing_is_imported(
        source: Flask, target: Flask, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert export(source, out).exit_code == 0
    record_file = sorted((out / "records/CP/2026").iterdir())[0]
    edited = record_file.read_text().replace("上海恒丰", "上海恒豐")
    assert edited != record_file.read_text()
    record_file.write_text(edited)
    result = target.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
    assert result.exit_code == 1
    assert f"records/CP/2026/{record_file.name}: SHA-256" in result.output
    assert archive_state(target) == {"records": {}, "renditions": [], "tombstones": []}
    assert not (Path(target.instance_path) / "renditions").exists()


def test_import_refuses_an_instance_with_records(source: Flask, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert export(source, out).exit_code == 0
    result = source.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
    assert result.exit_code == 1
    assert "this instance is not empty (3 records, 13 renditions, 1 legal holds" in result.output


def test_import_takes_the_exports_retention_classes_and_says_which_changed(
        source: Flask, target: Flask, tmp_path: Path) -> None:
    with source.app_context():
        s = services()
        [cls] = [c for c in retention.list_classes(s.db) if c.code == "complaint-3y"]
        values = {name: getattr(cls, name) for name in retention.EDITABLE}
        retention.update_class(s.db, s.clock, actor_of(source, "admin"), "complaint-3y",
                               {**values, "years": 5}, zone=s.zone)
    out = tmp_path / "export"
    assert export(source, out).exit_code == 0

    result = target.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
    assert result.exit_code == 0, result.output
    assert "Retention classes replaced by the export's values (audited with the import): complaint-3y." \
        in result.stdout
    with target.app_context():
        s = services()
        assert {c.code: c.years for c in retention.list_classes(s.db)}["complaint-3y"] == 5
        with s.db.reading() as session:
            detail = session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "archive.import"))
    assert detail["retention_classes"] == {"added": [], "changed": {"complaint-3y": {"years": [3, 5]}}}


def test_visit_claims_move_with_the_archive(source: Flask, target: Flask, tmp_path: Path, token_for) -> None:  # type: ignore[no-untyped-def]
    registered = source.test_client().post("/api/v1/records", headers=token_for("sales"), json={
        "form": "VR", "data": {"visit_date": "2026-03-02", "customer_name": "周女士", "phone": "13700001111",
                               "needs": "三居室", "receiving_staff": "sales",
                               "related_customer": "丈夫 158 1111 2222"}})
    assert registered.status_code == 201, registered.json
    out = tmp_path / "export"
    assert export(source, out).exit_code == 0
    assert target.test_cli_runner().invoke(args=["archive", "import",
                                                 "--lang", "en", str(out)]).exit_code == 0

    def claims(app: Flask) -> list[tuple[Any, ...]]:
        with app.app_context(), services().db.reading() as session:
            return [tuple(row) for row in session.execute(select(
                CustomerClaim.record_code, CustomerClaim.phone, CustomerClaim.staff,
                CustomerClaim.registered_at, CustomerClaim.valid_until).order_by(CustomerClaim.phone))]

    assert claims(target) == claims(source)
    assert [c[1] for c in claims(target)] == ["13700001111", "15811112222"]


def test_a_failed_import_takes_its_files_out_of_the_store_again(source: Flask, target: Flask,
                                                                 tmp_path: Path) -> None:
    """The rows' transaction fails after the files were stored (the target has another spec
    under the same version): the store is left as empty as it was."""
    assert export(source, tmp_path / "export").exit_code == 0
    with target.app_context(), services().db.transaction() as session:
        session.execute(text("UPDATE form_versions SET spec_hash = 'changed' WHERE form_code = 'CP'"))
    result = target.test_cli_runner().invoke(args=["archive", "import",
                                                   "--lang", "en", str(tmp_path / "export")])
    assert result.exit_code == 1 and "has a different spec under the same version" in result.output
    with target.app_context():
        assert file_store().is_empty() and not list(file_store().leftovers())
    assert archive_state(target)["renditions"] == []


def test_export_import_and_verify_speak_the_instances_language(source: Flask, target: Flask,
                                                               tmp_path: Path) -> None:
    """A Chinese office (the default) reads the progress labels, the report and the refusals in
    Chinese, each still naming the folder or file; a damaged file is named in Chinese too."""
    chinese = source.test_cli_runner().invoke(args=["archive", "export", "--out", str(tmp_path / "export"),
                                                    "--by", "archivist"])
    assert chinese.exit_code == 0, chinese.output
    assert "正在导出记录" in chinese.stderr and "已将 3 条记录" in chinese.stdout, chinese.output
    used = source.test_cli_runner().invoke(args=["archive", "export", "--out", str(tmp_path / "export")])
    assert used.exit_code == 1 and f"{tmp_path / 'export'} 不是空文件夹" in used.output, used.output
    damaged = next((tmp_path / "export" / "records").rglob("*.json"))
    damaged.write_bytes(damaged.read_bytes() + b" ")
    name = damaged.relative_to(tmp_path / "export").as_posix()
    refused = target.test_cli_runner().invoke(args=["archive", "import", str(tmp_path / "export")])
    assert refused.exit_code == 1 and f"{name}：SHA-256 为 " in refused.output, refused.output
    verified = source.test_cli_runner().invoke(args=["archive", "verify"])
    assert verified.exit_code == 0 and verified.stdout.startswith("完好：已检查 13 个文件"), verified.output


def test_a_hand_edited_manifest_is_one_line_naming_it(source: Flask, target: Flask, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert export(source, out, "--by", "archivist").exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    broken_manifests = ({**manifest, "files": "all of them"}, {**manifest, "files": [{"path": "x"}]},
                        ["not", "a", "dict"])
    for broken in broken_manifests:
        (out / "manifest.json").write_text(json.dumps(broken), "utf-8")
        result = target.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        named = str(out / "manifest.json") in result.output or "not an archive export" in result.output
        assert named, result.output
