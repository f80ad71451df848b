"""The system of record: numbered records, revisions, code minting, access scoping."""

from __future__ import annotations

from flask import Flask

from archive import api, views


def init_app(app: Flask) -> None:
    api.init_api(app)
    app.register_blueprint(views.bp)
