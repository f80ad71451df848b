"""档号 across ``archive export`` → ``archive import``: the records keep theirs, the counters
travel with them, and the next filing in the new instance continues the numbering; an export
without counters (made before 档号) still never lets a number be given twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete

from archive.archival_portability import restore_counters
from archive.models import ArchivalCounter
from archive.retention import ensure_defaults
from core import db_schema
from core.auth import accounts
from core.auth.departments import ensure_default_departments
from core.clock import FrozenClock
from core.web import services
from forms import versions
from forms.spec.library import load_or_fail
from tests.support.archival import MICRO_START, archival_code_of, archival_codes, counters
from tests.support.instance import PASSWORD, make_app
from tests.support.lifecycle import filed_complaints

GROUP_CS = ("Q012", "WS", 2026, "D3", "KF")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(MICRO_START)


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


def moved(source: Flask, target: Flask, out: Path) -> dict:
    exported = source.test_cli_runner().invoke(args=["archive", "export", "--lang", "en", "--out", str(out),
                                                     "--by", "archivist"])
    assert exported.exit_code == 0, exported.output
    imported = target.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
    assert imported.exit_code == 0, imported.output
    return json.loads((out / "tables/archival_counters.json").read_text("utf-8"))


def test_numbering_continues_after_export_and_import(app: Flask, target: Flask, tmp_path: Path) -> None:
    codes = filed_complaints(app, 3)
    exported = moved(app, target, tmp_path / "export")
    assert exported == [{"fonds": "Q012", "category": "WS", "year": 2026, "retention": "D3",
                         "organisation": "KF", "value": 3}]
    assert archival_codes(target) == archival_codes(app)
    assert counters(target) == counters(app) == {GROUP_CS: 3}
    with target.app_context():  # the new instance approves the forms it fills
        s = services()
        admin = accounts.actor_named(s.db, "admin")
        for info in versions.list_versions(s.db):
            if info.form_code == "CP" and info.status != "approved":
                versions.approve(s.db, s.clock, admin, info.form_code, info.version)
    [later] = filed_complaints(target, 1)  # filed in the new instance
    assert later not in codes and archival_code_of(target, later) == "Q012-WS·2026-D3-KF-0004"


def test_without_the_exported_counters_the_records_own_numbers_set_them(app: Flask, tmp_path: Path) -> None:
    """An export made before 档号 has no counters file: the highest item each group's records
    hold is where numbering continues (never a number given twice)."""
    filed_complaints(app, 2)
    with app.app_context(), services().db.transaction() as session:
        session.execute(delete(ArchivalCounter))
        assert restore_counters(session, tmp_path) == {GROUP_CS: 2}
    assert counters(app) == {GROUP_CS: 2}
    [later] = filed_complaints(app, 1)
    assert archival_code_of(app, later) == "Q012-WS·2026-D3-KF-0003"


def test_a_counter_behind_its_records_is_moved_up(app: Flask, tmp_path: Path) -> None:
    filed_complaints(app, 2)
    (tmp_path / "tables").mkdir()
    level = {"fonds": "Q012", "category": "WS", "retention": "D3", "organisation": "KF"}
    (tmp_path / "tables/archival_counters.json").write_text(json.dumps([
        {**level, "year": 2026, "value": 1}, {**level, "year": 2025, "value": 7}]))
    with app.app_context(), services().db.transaction() as session:
        session.execute(delete(ArchivalCounter))
        restore_counters(session, tmp_path)
    assert counters(app) == {GROUP_CS: 2, ("Q012", "WS", 2025, "D3", "KF"): 7}
