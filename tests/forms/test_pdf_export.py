"""``flask pdf export``: every visible record of a form and year printed into a folder, by real
worker processes, each print audited, a manifest with checksums, and clear refusals."""

from __future__ import annotations

import csv
import hashlib
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.web import services
from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of


def submit_cps(app: Flask, count: int, username: str = "clerk") -> list[str]:
    with app.app_context():
        s = services()
        return [submit(s.db, s.clock, s.zone, actor_of(app, username), "CP",
                       {**VALID_CP, "customer_name": f"客户{n}"}).code for n in range(count)]


def export(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["pdf", "export", *args])


def test_an_admin_exports_every_record_with_two_processes(app: Flask, tmp_path: Path) -> None:
    codes = submit_cps(app, 3)
    out = tmp_path / "out"
    result = export(app, "--form", "cp", "--year", "2026", "--out", str(out), "--by", "admin",
                    "--processes", "2")
    assert result.exit_code == 0, result.output
    assert "Exported 3 of 3 record(s)" in result.output
    with (out / "manifest.csv").open(encoding="utf-8") as handle:
        manifest = list(csv.DictReader(handle))
    assert [row["code"] for row in manifest] == codes
    for row in manifest:
        data = (out / row["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"] and len(data) == int(row["bytes"])
        text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
        assert row["code"] in text.decode()
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{c}.pdf" for c in codes] + ["manifest.csv"])
    with app.app_context(), services().db.reading() as session:
        printed = session.execute(select(AuditEvent.object_id, AuditEvent.actor_name, AuditEvent.detail)
                                  .where(AuditEvent.action == "record.print")).all()
    assert sorted(code for code, _, _ in printed) == codes
    assert all(name == "admin" and detail["via"] == "export" for _, name, detail in printed)


def test_a_clerk_exports_only_their_departments_records(app: Flask, tmp_path: Path) -> None:
    submit_cps(app, 1, "clerk")
    [sales_code] = submit_cps(app, 1, "sales")
    out = tmp_path / "out"
    result = export(app, "--form", "CP", "--year", "2026", "--out", str(out), "--by", "sales",
                    "--processes", "1", "--variant", "receipt")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [f"{sales_code}.receipt.pdf", "manifest.csv"]


def test_an_empty_year_exports_nothing_and_says_so(app: Flask, tmp_path: Path) -> None:
    result = export(app, "--form", "CP", "--year", "2025", "--out", str(tmp_path), "--by", "admin")
    assert result.exit_code == 0 and "Exported 0 of 0 record(s)" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--form", "XX"], "unknown form 'XX'"),
    (["--year", "26"], "26 is not in the range 2000<=x<=2100"),
    (["--by", "nobody"], "no active user 'nobody'"),
    (["--variant", "poster"], "CP has no print variant 'poster' (variants: receipt)"),
    (["--processes", "0"], "0 is not in the range x>=1"),
])
def test_bad_arguments_are_refused_by_name(app: Flask, tmp_path: Path, args: list[str], message: str) -> None:
    base = {"--form": "CP", "--year": "2026", "--out": str(tmp_path / "out"), "--by": "admin"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    result = export(app, *[item for pair in base.items() for item in pair])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_an_out_path_that_is_a_file_is_refused(app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    result = export(app, "--form", "CP", "--year", "2026", "--out", str(target), "--by", "admin")
    assert result.exit_code == 2 and "is a file" in result.output


def test_a_record_that_fails_is_reported_and_the_rest_exported(app: Flask, tmp_path: Path) -> None:
    codes = submit_cps(app, 2)
    out = tmp_path / "out"
    (out / f"{codes[0]}.pdf").mkdir(parents=True)  # a folder in the way: that file cannot be written
    result = export(app, "--form", "CP", "--year", "2026", "--out", str(out), "--by", "admin",
                    "--processes", "1")
    assert result.exit_code == 1
    assert f"failed: {codes[0]}" in result.output and "Exported 1 of 2" in result.output
    assert (out / f"{codes[1]}.pdf").read_bytes().startswith(b"%PDF-")
