"""The Whoosh index: Chinese-aware analysis, after-commit indexing, queries, rebuild and check."""

from __future__ import annotations

from flask import Flask

from core.cli import add_init_step
from core.ports import install
from search import api, cli, views
from search.ports import SearchPorts
from search.whoosh_internals import check_installed


def init_app(app: Flask, ports: SearchPorts) -> None:
    """Register search, with what it needs from the packages above it (:mod:`search.ports`)."""
    check_installed()  # refuses to start against another Whoosh than the pinned one
    install(app, ports)
    app.cli.add_command(cli.search_cli)
    add_init_step(app, cli.ensure_index)
    app.register_blueprint(views.bp)
    api.init_api(app)
