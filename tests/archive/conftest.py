"""A real PostgreSQL server for the archive tests: started once per session, a fresh database per test.

Tests that use it carry the ``postgres`` marker (added here if a test forgot it), so
``pytest -m "not postgres"`` leaves the server unstarted. Without the server binaries the tests
fail with the command that installs them; they are never skipped silently.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.postgres import PostgresServer, PostgresUnavailable, start_server

PG_FIXTURES = {"pg_server", "pg_url"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PG_FIXTURES & set(getattr(item, "fixturenames", ())) and not item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    """SQLAlchemy URL of a new, empty database on the session's server."""
    return pg_server.create_database()
