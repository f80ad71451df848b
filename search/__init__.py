"""The Whoosh index: Chinese-aware analysis, after-commit indexing, queries, rebuild and check."""

from __future__ import annotations

from flask import Flask

from core.cli import add_init_step
from search import api, cli, views


def init_app(app: Flask) -> None:
    app.cli.add_command(cli.search_cli)
    add_init_step(app, cli.ensure_index)
    app.register_blueprint(views.bp)
    api.init_api(app)
