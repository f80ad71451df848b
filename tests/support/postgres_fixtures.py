"""A real PostgreSQL server for the whole test session: started once, a fresh database per test.

Registered for every package by the root ``tests/conftest.py`` (``pytest_plugins``), so a
PostgreSQL test lives next to the code it tests, not in the package that first needed the server.
Tests that use it carry the ``postgres`` marker (added here if a test forgot it), so
``pytest -m "not postgres"`` leaves the server unstarted. Without the server binaries the tests
fail with the command that installs them; they are never skipped silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from core.clock import FrozenClock
from core.web import services
from tests.support.clock import START
from tests.support.instance import make_app, populate
from tests.support.postgres import PostgresServer, PostgresUnavailable, start_server

PG_FIXTURES = {"pg_server", "pg_url", "pg_template", "pg_app"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PG_FIXTURES & set(getattr(item, "fixturenames", ())) and not item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    problem = None
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        problem = str(exc)
    if problem:
        pytest.fail(problem, pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    """SQLAlchemy URL of a new, empty database on the session's server."""
    return pg_server.create_database()


@pytest.fixture(scope="session")
def pg_template(pg_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Name of a populated database (schema, users, approved specs) that tests copy.

    Built once: migrations and password hashing cost about a second per database.
    """
    url = pg_server.create_database("populated_template")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOSSIER_INSTANCE", str(tmp_path_factory.mktemp("pg-template")))
        patch.delenv("DOSSIER_DATABASE_URL", raising=False)
        application = make_app(url, FrozenClock(START))
        populate(application)
        with application.app_context():
            services().db.dispose()  # CREATE DATABASE … TEMPLATE needs it unused
    return url.rsplit("/", 1)[1]


@pytest.fixture
def pg_app(pg_server: PostgresServer, pg_template: str, instance_dir: Path,
           clock: FrozenClock) -> Iterator[Flask]:
    """A populated instance on its own PostgreSQL database (a copy of ``pg_template``)."""
    application = make_app(pg_server.create_database(template=pg_template), clock)
    yield application
    with application.app_context():
        services().db.dispose()
