"""``records import`` on a real PostgreSQL server: the counters move past the highest imported
sequence (UPDATE … RETURNING with a CASE, never down) and the next submission continues after
them; a write refused inside the transaction leaves nothing (records, counters, audit, outbox,
scans)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from archive.models import CodeCounter, Record
from archive.stores import file_store
from core.auth import accounts
from core.db import Base
from core.web import services
from forms.legacy.service import ImportFailed, Options, import_file
from tests.support.instance import VALID_CP
from tests.support.legacy_sheets import CP_HEADERS, cp_row, jpeg, run_import, write_xlsx

pytestmark = pytest.mark.postgres


def token(app: Flask, username: str) -> dict[str, str]:
    value = app.test_cli_runner().invoke(args=["tokens", "create", username]).output.strip()
    return {"Authorization": f"Bearer {value}", "Accept-Language": "en"}


def snapshot(app: Flask) -> dict[str, Any]:
    with app.app_context():
        with services().db.reading() as session:
            counts = {name: session.scalar(select(func.count()).select_from(table))
                      for name, table in Base.metadata.tables.items()}
        return {"tables": counts, "files": sorted(file_store().keys())}


def test_counters_continue_after_an_import_on_postgresql(pg_app: Flask, tmp_path: Path) -> None:
    client, clerk = pg_app.test_client(), token(pg_app, "clerk")
    for _ in range(3):  # the counter is at 3 before the import
        made = client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": VALID_CP})
        assert made.status_code == 201
    book = write_xlsx(tmp_path / "cp.xlsx", {"CP": [
        CP_HEADERS, cp_row("CP-2026-000040", datetime(2026, 1, 5, 9, 0)),
        cp_row("CP-2026-000012", datetime(2026, 1, 6)), cp_row(None, datetime(2026, 2, 1)),
        cp_row("CP-2025-000900", datetime(2025, 12, 30))]})
    status, output = run_import(pg_app, book, "--commit", "--lang", "en")
    assert status == 0, output
    with pg_app.app_context(), services().db.reading() as session:
        counters = {(c.category, c.year): c.value for c in session.scalars(select(CodeCounter))}
        minted = session.scalar(select(Record.code).where(Record.imported_at.is_not(None), Record.seq == 41))
    assert counters[("CP", 2026)] == 41 and counters[("CP", 2025)] == 900
    assert minted == "CP-2026-000041"  # the row without a code: after the highest imported
    made = client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": VALID_CP})
    assert made.json["code"] == "CP-2026-000042"
    lower = cp_row("CP-2026-000020", datetime(2026, 1, 7))
    again = write_xlsx(tmp_path / "low.xlsx", {"CP": [CP_HEADERS, lower]})
    assert run_import(pg_app, again, "--commit")[0] == 0
    with pg_app.app_context(), services().db.reading() as session:
        assert session.scalar(select(CodeCounter.value).where(CodeCounter.category == "CP",
                                                              CodeCounter.year == 2026)) == 42  # never down


def test_a_refused_write_leaves_nothing_on_postgresql(pg_app: Flask, tmp_path: Path) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    for n in range(5):
        (scans / f"{n}.jpg").write_bytes(jpeg(100 + n))
    rows = [cp_row(None, datetime(2026, 1, 2 + n), 扫描件=f"{n}.jpg") for n in range(5)]
    rows.append(cp_row("CP-2026-000001", datetime(2026, 1, 9)))
    book = write_xlsx(tmp_path / "race.xlsx", {"CP": [CP_HEADERS, *rows]})
    client, clerk = pg_app.test_client(), token(pg_app, "clerk")
    before = snapshot(pg_app)
    with pg_app.app_context(), force_locale("en"):
        s = services()
        def taken(total: int) -> None:  # CP-2026-000001, committed after the check found it free
            client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": VALID_CP})

        with pytest.raises(ImportFailed, match="rolled back"):
            import_file(s.db, s.clock, s.zone, accounts.actor_named(s.db, "archivist"), file_store(), book,
                        Options(scans=scans, commit=True, locale="en"), writing=taken)
    after = snapshot(pg_app)
    assert after["files"] == before["files"]
    for table in ("records", "record_revisions"):
        assert after["tables"][table] == before["tables"][table] + 1  # the submission's only
    with pg_app.app_context(), services().db.reading() as session:
        imported = select(func.count()).select_from(Record).where(Record.imported_at.is_not(None))
        assert session.scalar(imported) == 0
        assert session.scalar(select(CodeCounter.value).where(CodeCounter.category == "CP")) == 1
