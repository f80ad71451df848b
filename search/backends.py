"""Which search backend an instance uses: ``SEARCH_BACKEND`` in its config (``search_backend`` in
``config.toml``), "whoosh" (the default: folders in the instance) or "postgres" (a table in the
records' own PostgreSQL database, shared by every app server and worker).

A backend is made from the app by a factory registered under its name; :func:`check_config`
refuses an unknown name, or a backend the database cannot hold, when the app is created rather
than at the first search.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.config import ConfigError
from core.ports import Registry, port
from core.web import AppServices
from search.backend import SearchBackend
from search.store import instance_search_store
from search.whoosh_backend import WhooshBackend

SETTING = "SEARCH_BACKEND"
DEFAULT = "whoosh"
#: The module the PostgreSQL backend lives in (``PostgresBackend(db)``).
POSTGRES_MODULE = "search.postgres_backend"
#: Where an app keeps the backend it made (one per app: it may keep state between searches).
_EXTENSION = "search.backend"

BackendFactory = Callable[[Flask], SearchBackend]


class BackendFactories(Registry[BackendFactory]):
    entry_kind = "search backend"


FACTORIES = BackendFactories()


def register_backend(name: str, factory: BackendFactory) -> None:
    """Offer a backend under ``name`` (refused if the name is taken: see core.ports.Registry)."""
    FACTORIES.add(name, factory)


def backend_name(config: Mapping[str, Any]) -> str:
    """The backend the config names (the default when it names none)."""
    return config.get(SETTING) or DEFAULT


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse a ``SEARCH_BACKEND`` that cannot work here, naming the setting and the problem."""
    name = backend_name(config)
    if name not in FACTORIES:
        raise ConfigError(f"{SETTING}: {name!r} is not one of {', '.join(FACTORIES)}")
    if name == "postgres":
        dialect = _dialect(str(config.get("DATABASE_URL", "")))
        if dialect != "postgresql":
            raise ConfigError(f"{SETTING}: 'postgres' keeps the index in the records' database, "
                              f"so DATABASE_URL must be a PostgreSQL database (postgresql://…), "
                              f"not {dialect or 'an unreadable address'}")
        if importlib.util.find_spec(POSTGRES_MODULE) is None:
            raise ConfigError(f"{SETTING}: 'postgres' is not available in this version of Dossier "
                              f"({POSTGRES_MODULE} is missing); use 'whoosh'")


def _dialect(url: str) -> str | None:
    try:
        return make_url(url).get_backend_name()
    except (ArgumentError, ValueError):  # an unreadable address is not PostgreSQL's
        return None


def current_backend() -> SearchBackend:
    """The search backend of the current app."""
    return app_backend(current_app)


def app_backend(app: Flask) -> SearchBackend:
    """The search backend of ``app``, made on first use."""
    if _EXTENSION not in app.extensions:
        app.extensions[_EXTENSION] = FACTORIES[backend_name(app.config)](app)
    backend: SearchBackend = app.extensions[_EXTENSION]
    return backend


def _whoosh(app: Flask) -> SearchBackend:
    return WhooshBackend(instance_search_store(app.instance_path))


def _postgres(app: Flask) -> SearchBackend:
    module = importlib.import_module(POSTGRES_MODULE)  # written beside this one (issue 18)
    backend: SearchBackend = module.PostgresBackend(port(AppServices, app).db)
    return backend


register_backend("whoosh", _whoosh)
register_backend("postgres", _postgres)
