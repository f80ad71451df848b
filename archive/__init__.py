"""The system of record: numbered records, revisions, code minting, access scoping."""

from __future__ import annotations

from collections.abc import Collection

from flask import Flask

import archive.integrity_cli  # noqa: F401  (registers its commands)
from archive import admin_views, api, archive_api, office_views, purge, views
from archive.cli import archive_cli
from archive.grants import granted_codes
from core.auth.roles import Actor
from core.outbox.cli import register_handler
from core.web import services
from search.service import GRANTS


def init_app(app: Flask) -> None:
    api.init_api(app)
    archive_api.init_api(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(office_views.bp)
    app.cli.add_command(archive_cli)
    register_handler(app, purge.PURGE_TOPIC, purge.handle)
    app.extensions[GRANTS] = _granted


def _granted(actor: Actor) -> Collection[str]:
    """What search adds to the actor's scope: the records access grants open to them now."""
    if actor.sees_all_departments:
        return ()
    with services().db.reading() as session:
        return granted_codes(session, actor, services().clock.now())
