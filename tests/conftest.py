"""Shared fixtures: a fresh, populated SQLite instance per test (copied from a template), and
through ``pytest_plugins`` the PostgreSQL ones (tests/support/postgres_fixtures.py).

The helpers tests share live in tests/support; a test module never imports another
(tests/test_suite_shape.py checks it)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings

from core.auth import accounts
from core.clock import Clock, FrozenClock
from core.web import services
from tests.support.clock import START
from tests.support.instance import login, make_app, populate

#: Fixtures every package's tests may use (declared here only: pytest reads ``pytest_plugins``
#: from the root conftest alone). The PostgreSQL server and its databases; the S3 server (Swift)
#: and its buckets; every file store, for the store contract test (tests/support/file_stores.py).
pytest_plugins = ["tests.support.postgres_fixtures", "tests.support.s3_fixtures", "tests.support.file_stores",
                  "tests.support.smtp_server"]

#: Property tests explore new examples on every developer run; CI (CI=true) runs the same
#: derandomized examples every time, so a submission's result does not depend on a draw.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A populated SQLite database that each test's ``app`` copies.

    Built with ``DOSSIER_INSTANCE`` on its own folder, and the variable put back as it was
    afterwards: each test chooses its instance folder itself (``instance_dir``), and a session
    fixture must not leave the process's environment changed for whatever runs next.
    """
    directory = tmp_path_factory.mktemp("template")
    path = directory / "template.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOSSIER_INSTANCE", str(directory))
        app = make_app(f"sqlite:///{path}", FrozenClock(START))
        populate(app)
        with app.app_context():
            services().db.dispose()
    return path


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def instance_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DOSSIER_INSTANCE", str(tmp_path))
    monkeypatch.delenv("DOSSIER_DATABASE_URL", raising=False)
    return tmp_path


@pytest.fixture
def configured_app(template_db: Path, instance_dir: Path) -> Iterator[Callable[..., Flask]]:
    """``configured_app(clock, NEED_TO_KNOW="record")`` → the test's fresh instance, made with
    settings of its own; every app made is disposed after the test."""
    built: list[Flask] = []

    def make(clock: Clock, **overrides: Any) -> Flask:
        database = instance_dir / "dossier.sqlite3"
        shutil.copy(template_db, database)
        built.append(make_app(f"sqlite:///{database}", clock, **overrides))
        return built[-1]

    yield make
    for application in built:
        with application.app_context():
            services().db.dispose()


@pytest.fixture
def app(configured_app: Callable[..., Flask], clock: FrozenClock) -> Flask:
    return configured_app(clock)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def logged_in(app: Flask) -> Callable[[str], FlaskClient]:
    """``logged_in("clerk")`` → a test client signed in as that user."""

    def make(username: str) -> FlaskClient:
        test_client = app.test_client()
        login(test_client, username)
        return test_client

    return make


@pytest.fixture
def token_for(app: Flask) -> Callable[[str], dict[str, str]]:
    """``token_for("clerk")`` → Authorization headers with a fresh API token of that user."""

    def make(username: str) -> dict[str, str]:
        with app.app_context():
            token = accounts.create_token(services().db, services().clock, username, "test")
        return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}  # messages asserted in English

    return make
