"""The system of record: numbered records, revisions, code minting, access scoping."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from flask import Flask, current_app

import archive.hold_views
import archive.integrity_cli  # noqa: F401  (registers its commands)
from archive import admin_views, api, archive_api, fixity, office_api, office_views, purge, views
from archive.cli import archive_cli
from archive.grants import granted_codes
from archive.renditions import instance_store
from core.auth.roles import Actor
from core.outbox.cli import register_handler
from core.outbox.jobs import Outcome, register_job
from core.web import services
from search.service import GRANTS


def init_app(app: Flask) -> None:
    api.init_api(app)
    archive_api.init_api(app)
    office_api.init_api(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(office_views.bp)
    app.cli.add_command(archive_cli)
    register_handler(app, purge.PURGE_TOPIC, purge.handle)
    register_job(app, "fixity_verify", _verify, every=86400,
                 description="archive verify: stored files' checksums, missing and extra files, "
                             "the audit chain, code gaps (audited, by scheduler)")
    app.extensions[GRANTS] = _granted


def _verify() -> Outcome:
    """The fixity check as the worker's daily job; a problem found fails the run (``jobs``)."""
    s = services()
    report = fixity.verify_archive(s.db, s.clock, instance_store(current_app.instance_path),
                                   instance_path=Path(current_app.instance_path), by="scheduler")
    return Outcome(report.clean, report.summary())


def _granted(actor: Actor) -> Collection[str]:
    """What search adds to the actor's scope: the records access grants open to them now."""
    if actor.sees_all_departments:
        return ()
    with services().db.reading() as session:
        return granted_codes(session, actor, services().clock.now())
