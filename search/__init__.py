"""Search: Chinese-aware analysis, the query language, a backend (Whoosh or PostgreSQL, chosen by
``SEARCH_BACKEND``: :mod:`search.backends`), after-commit indexing, rebuild and check."""

from __future__ import annotations

from flask import Flask

from core.cli import add_init_step
from core.ports import install
from search import api, cli, views
from search.backends import check_config
from search.ports import SearchPorts
from search.whoosh_internals import check_installed


def init_app(app: Flask, ports: SearchPorts) -> None:
    """Register search, with what it needs from the packages above it (:mod:`search.ports`)."""
    check_installed()  # refuses to start against another Whoosh than the pinned one
    check_config(app.config)  # an unknown or unusable SEARCH_BACKEND stops here, named
    install(app, ports)
    app.cli.add_command(cli.search_cli)
    add_init_step(app, cli.ensure_index)
    app.register_blueprint(views.bp)
    api.init_api(app)
