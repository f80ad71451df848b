"""The Whoosh index: Chinese-aware analysis, after-commit indexing, queries, rebuild and check."""

from __future__ import annotations

from flask import Flask

from core.cli import add_init_step
from search import api, cli, views
from search.whoosh_internals import check_installed


def init_app(app: Flask) -> None:
    check_installed()  # refuses to start against another Whoosh than the pinned one
    app.cli.add_command(cli.search_cli)
    add_init_step(app, cli.ensure_index)
    app.register_blueprint(views.bp)
    api.init_api(app)
