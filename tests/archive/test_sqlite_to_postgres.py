"""Moving a one-machine instance (SQLite, Whoosh, files in the instance folder) to the engines of
many machines (PostgreSQL, its search, an S3 bucket) the way docs/scaling.md tells: ``archive
export`` on the old instance, ``flask init`` on the new one, ``archive import``, ``search
rebuild``; then ``archive verify`` and ``search check`` are clean, every record and every file's
SHA-256 came across, and search finds the records in PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from archive.models import Record, Rendition
from core.auth import accounts
from core.clock import FrozenClock
from core.web import services
from search.backends import current_backend
from tests.support.instance import PASSWORD, make_app
from tests.support.lifecycle import filed_complaints, new_complaint, work_outbox
from tests.support.postgres import PostgresServer
from tests.support.s3_fixtures import S3Bucket

pytestmark = [pytest.mark.postgres, pytest.mark.s3]


def contents(app: Flask) -> tuple[dict[str, tuple[str, int, bool]], list[tuple[str, int, str]]]:
    """Every record (state, revision, filed) and every rendition (code, revision, SHA-256)."""
    with app.app_context(), services().db.reading() as session:
        records = {r.code: (r.state, r.revision, r.filed_at is not None)
                   for r in session.scalars(select(Record))}
        files = session.execute(select(Record.code, Rendition.revision, Rendition.sha256)
                                .join(Rendition, Rendition.record_id == Record.id)
                                .order_by(Record.code, Rendition.revision)).all()
    return records, [tuple(row) for row in files]


def test_an_sqlite_instance_moves_to_postgresql_and_a_bucket(
        app: Flask, clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        pg_server: PostgresServer, s3_bucket: S3Bucket) -> None:
    filed_complaints(app, 2)
    new_complaint(app, customer_name="杭州迁移测试")
    assert " 0 failed" in work_outbox(app)
    exported = app.test_cli_runner().invoke(args=["archive", "export",
                                                  "--lang", "en", "--out", str(tmp_path / "export"),
                                                  "--by", "archivist"])
    assert exported.exit_code == 0, exported.output

    monkeypatch.setenv("DOSSIER_INSTANCE", str(tmp_path / "new"))
    target = make_app(pg_server.create_database(), clock, SEARCH_BACKEND="postgres",
                      **s3_bucket.config("office"))
    runner = target.test_cli_runner()
    try:
        assert runner.invoke(args=["init"]).exit_code == 0
        with target.app_context():
            accounts.create_user(services().db, services().clock, username="admin", password=PASSWORD,
                                 role="admin", department_code="ARCHIVE")
        imported = runner.invoke(args=["archive", "import", "--lang", "en", str(tmp_path / "export")])
        assert imported.exit_code == 0, imported.output
        assert contents(target) == contents(app) and len(contents(target)[1]) >= 11
        rebuilt = runner.invoke(args=["search", "rebuild"])
        assert "Search index rebuilt: 3 record(s)" in rebuilt.output, rebuilt.output
        for command in (["archive", "verify", "--lang", "en"], ["search", "check"]):
            done = runner.invoke(args=command)
            assert done.exit_code == 0, f"{command}: {done.output}"
        with target.app_context():
            assert current_backend().name == "postgres"
        found = target.test_client().get("/api/v1/search", query_string={"q": "杭州迁移测试"},
                                         headers=_token(target))
        assert found.status_code == 200 and len(found.json["hits"]) == 1, found.json
    finally:
        with target.app_context():
            services().db.dispose()


def _token(app: Flask) -> dict[str, str]:
    with app.app_context():
        token = accounts.create_token(services().db, services().clock, "admin", "test")
    return {"Authorization": f"Bearer {token}"}
