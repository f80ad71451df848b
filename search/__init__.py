"""The Whoosh index: Chinese-aware analysis, after-commit indexing, queries, rebuild and check."""

from __future__ import annotations

from flask import Flask

from search import api, cli, views


def init_app(app: Flask) -> None:
    app.cli.add_command(cli.search_cli)
    app.register_blueprint(views.bp)
    api.init_api(app)
