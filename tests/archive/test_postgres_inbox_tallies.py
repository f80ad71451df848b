"""The record tallies (statement triggers over transition tables) and the inbox on a real
PostgreSQL server: equal to a brute-force count after every write path, an import included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from archive.retention import ensure_defaults
from core import schema
from core.auth import accounts
from core.auth.departments import ensure_default_departments
from core.clock import FrozenClock
from core.web import services
from forms import versions
from forms.spec.library import load_or_fail
from tests.support.inbox_tallies import check, kept_tallies, walk_write_paths
from tests.support.instance import PASSWORD, make_app
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.postgres


def test_every_write_path_keeps_the_tallies_and_the_inbox_right(pg_app: Flask, clock: FrozenClock) -> None:
    assert "statements on several records" in walk_write_paths(pg_app, clock)


@pytest.fixture
def pg_target(pg_server: PostgresServer, instance_dir: Path, clock: FrozenClock,
              tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """A new PostgreSQL instance as `flask init` and one `users create` leave it."""
    monkeypatch.setenv("DOSSIER_INSTANCE", str(tmp_path_factory.mktemp("pg-target")))
    application = make_app(pg_server.create_database(), clock)
    with application.app_context():
        s = services()
        schema.upgrade(s.db)
        ensure_default_departments(s.db)
        ensure_defaults(s.db, s.clock)
        versions.register_specs(s.db, s.clock, load_or_fail())
        accounts.create_user(s.db, s.clock, username="admin", password=PASSWORD, role="admin",
                             department_code="ARCHIVE")
    yield application
    with application.app_context():
        services().db.dispose()


def test_an_imported_archive_has_its_tallies(pg_app: Flask, pg_target: Flask, tmp_path: Path) -> None:
    signed, unsigned = new_complaint(pg_app), new_complaint(pg_app)
    close_complaint(pg_app, signed)
    close_complaint(pg_app, unsigned, countersign=False)
    new_complaint(pg_app, customer_name="北京宏达")
    work_outbox(pg_app)
    out = tmp_path / "export"
    exported = pg_app.test_cli_runner().invoke(args=["archive", "export", "--out", str(out),
                                                     "--by", "archivist"])
    assert exported.exit_code == 0, exported.output
    imported = pg_target.test_cli_runner().invoke(args=["archive", "import", str(out)])
    assert imported.exit_code == 0, imported.output
    assert sum(kept_tallies(pg_target).values()) == 3
    assert sorted(kept_tallies(pg_target).values()) == sorted(kept_tallies(pg_app).values())
    check(pg_target, "import")
