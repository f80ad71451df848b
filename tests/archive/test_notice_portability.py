"""archive export / import carry the privacy notice each record was submitted under and the
words of that notice version (issue 21, consent and purpose); other words under the same
version in the target are refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from archive.retention import ensure_defaults
from core import db_schema
from core.auth import accounts
from core.auth.departments import ensure_default_departments
from core.clock import FrozenClock
from core.web import services
from forms import versions
from forms.notice_files import NOTICE_DIR, load_notices
from forms.notice_models import NoticeVersion
from forms.privacy_notices import register_notices
from forms.spec.library import load_or_fail
from tests.support.instance import PASSWORD, make_app
from tests.support.lifecycle import submit_cp, work_outbox


def register_shipped(app: Flask) -> None:
    with app.app_context():
        register_notices(services().db, services().clock, load_notices(NOTICE_DIR)[0])


@pytest.fixture
def target(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
           clock: FrozenClock) -> Iterator[Flask]:
    """A new instance as `flask init` and one `users create` leave it (no notice registered)."""
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


def test_the_notice_travels_with_its_records_and_comes_back(app: Flask, target: Flask, tmp_path: Path,
                                                              token_for) -> None:  # type: ignore[no-untyped-def]
    register_shipped(app)
    code = submit_cp(app)
    work_outbox(app)
    out = tmp_path / "export"
    exported = app.test_cli_runner().invoke(args=["archive", "export", "--lang", "en", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    [notice_row] = json.loads((out / "tables/privacy_notice_versions.json").read_text("utf-8"))
    assert (notice_row["notice_id"], notice_row["version"]) == ("customer-service", 1)
    [document] = [json.loads(p.read_text("utf-8")) for p in (out / "records").rglob("*.json")]
    assert (document["record"]["notice_id"], document["record"]["notice_version"]) == ("customer-service", 1)

    imported = target.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
    assert imported.exit_code == 0, imported.output
    with target.app_context(), services().db.reading() as session:
        [row] = session.scalars(select(NoticeVersion)).all()
        assert row.text_hash == notice_row["text_hash"] and row.content["purpose"]["zh"].startswith("办理")
    with app.app_context():
        original = app.test_client().get(f"/api/v1/records/{code}", headers=token_for("clerk")).json["notice"]
    assert original["version"] == 1
    with target.app_context():
        accounts.create_user(services().db, services().clock, username="reader", password=PASSWORD,
                             role="auditor", department_code="ARCHIVE")
        token = accounts.create_token(services().db, services().clock, "reader", "test")
    moved = target.test_client().get(f"/api/v1/records/{code}", headers={"Authorization": f"Bearer {token}"})
    assert moved.status_code == 200 and moved.json["notice"] == original


def test_other_words_under_the_same_version_are_refused_on_import(app: Flask, target: Flask,
                                                                   tmp_path: Path) -> None:
    register_shipped(app)
    submit_cp(app)
    work_outbox(app)
    out = tmp_path / "export"
    assert app.test_cli_runner().invoke(args=["archive", "export", "--out", str(out)]).exit_code == 0
    with target.app_context():
        changed = replace(load_notices(NOTICE_DIR)[0]["customer-service"],
                          purpose={"zh": "别的目的", "en": "Another purpose"})
        register_notices(services().db, services().clock, {"customer-service": changed})
    result = target.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
    assert result.exit_code == 1 and "privacy notice customer-service version 1" in result.output
