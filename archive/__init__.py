"""The system of record: numbered records, revisions, code minting, access scoping."""

from __future__ import annotations

from flask import Flask

from archive import api


def init_app(app: Flask) -> None:
    api.init_api(app)
