"""SEARCH_BACKEND chooses the search backend: Whoosh unless the config says otherwise; a name
that is no backend, or PostgreSQL's on a database that is not PostgreSQL, stops the app at
creation with a ConfigError naming the setting (not a traceback at the first search)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from flask import Flask

from core.clock import FrozenClock
from core.config import ConfigError
from core.ports import DuplicateName
from search.backend import BackendUnavailable
from search.backends import POSTGRES_MODULE, app_backend, backend_name, check_config, register_backend
from search.whoosh_backend import WhooshBackend
from tests.support.clock import START
from tests.support.instance import make_app


def test_the_default_is_whoosh_in_the_instance_folder(app: Flask) -> None:
    assert "SEARCH_BACKEND" not in app.config or not app.config["SEARCH_BACKEND"]
    backend = app_backend(app)
    assert isinstance(backend, WhooshBackend) and backend.name == "whoosh"
    assert backend.store.root == Path(app.instance_path) / "search"
    assert app_backend(app) is backend  # one per app
    assert backend_name({}) == "whoosh" and backend_name({"SEARCH_BACKEND": ""}) == "whoosh"


@pytest.mark.parametrize("name", ["elastic", "Whoosh", "postgresql", 5])
def test_an_unknown_backend_is_refused_naming_the_setting_and_the_choices(
        instance_dir: Path, name: object) -> None:
    with pytest.raises(ConfigError) as refused:
        make_app(f"sqlite:///{instance_dir / 'db.sqlite3'}", FrozenClock(START), SEARCH_BACKEND=name)
    assert str(refused.value) == f"SEARCH_BACKEND: {name!r} is not one of whoosh, postgres"


def test_the_setting_is_read_from_the_instance_config_file(instance_dir: Path) -> None:
    (instance_dir / "config.toml").write_text('search_backend = "solr"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="SEARCH_BACKEND: 'solr' is not one of"):
        make_app(f"sqlite:///{instance_dir / 'db.sqlite3'}", FrozenClock(START))


def test_postgres_on_sqlite_is_refused_naming_both_settings(instance_dir: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        make_app(f"sqlite:///{instance_dir / 'db.sqlite3'}", FrozenClock(START), SEARCH_BACKEND="postgres")
    message = str(refused.value)
    assert message.startswith("SEARCH_BACKEND: 'postgres'")
    assert "DATABASE_URL must be a PostgreSQL database" in message and message.endswith("not sqlite")


@pytest.mark.parametrize("url", ["", "not a url", "mysql+pymysql://u@h/db"])
def test_postgres_needs_a_postgresql_address(url: str) -> None:
    with pytest.raises(ConfigError, match=r"SEARCH_BACKEND: 'postgres' .* DATABASE_URL must be"):
        check_config({"SEARCH_BACKEND": "postgres", "DATABASE_URL": url})


def test_postgres_on_postgresql_passes_once_its_module_is_there() -> None:
    """Until search.postgres_backend exists the setting is refused, saying so; after, it passes."""
    config = {"SEARCH_BACKEND": "postgres", "DATABASE_URL": "postgresql+psycopg://dossier@db/dossier"}
    if importlib.util.find_spec(POSTGRES_MODULE) is None:
        with pytest.raises(ConfigError, match=rf"SEARCH_BACKEND: 'postgres' .*{POSTGRES_MODULE} is missing"):
            check_config(config)
    else:
        check_config(config)
    check_config({"SEARCH_BACKEND": "whoosh", "DATABASE_URL": config["DATABASE_URL"]})  # any database


def test_a_second_backend_under_a_taken_name_is_refused() -> None:
    with pytest.raises(DuplicateName, match="search backend 'whoosh'"):
        register_backend("whoosh", lambda app: WhooshBackend(app.extensions["unused"]))


def test_the_whoosh_backend_says_when_there_is_no_index(app: Flask) -> None:
    backend = app_backend(app)
    backend.build([])
    assert backend.problem() is None and backend.indexed_revisions() == {}
    (backend.store.root / "CURRENT").unlink()
    assert backend.problem() == "the search index has not been built"
    with pytest.raises(BackendUnavailable, match="run `flask --app wsgi search rebuild`"):
        backend.put([])
