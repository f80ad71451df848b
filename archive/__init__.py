"""The system of record: numbered records, revisions, code minting, access scoping."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

import archive.integrity_cli  # noqa: F401  (registers its commands)
from archive import (
    api,
    archive_api,
    fixity,
    need_views,
    office_api,
    purge,
    routes,
    transfer_cli,  # noqa: F401  (registers its commands)
)
from archive.cli import archive_cli
from archive.need_to_know import ReasonRequired
from archive.ports import ArchivePorts
from archive.stores import file_store, install_store
from core.notifications.producers import tell_admins
from core.outbox.cli import register_handler
from core.outbox.jobs import Outcome, register_job
from core.ports import install
from core.web import services


def init_app(app: Flask, ports: ArchivePorts) -> None:
    """Register the archive, with what it needs from the forms package (:mod:`archive.ports`)."""
    install(app, ports)
    install_store(app)  # FILE_STORE checked and its store built here: a wrong setting stops start-up
    api.init_api(app)
    archive_api.init_api(app)
    office_api.init_api(app)
    app.register_blueprint(routes.bp)
    app.register_error_handler(ReasonRequired, need_views.ask_reason)
    app.cli.add_command(archive_cli)
    register_handler(app, purge.PURGE_TOPIC, purge.handle)
    register_job(app, "fixity_verify", _verify, every=86400,
                 description="archive verify: stored files' checksums, missing and extra files, "
                             "the audit chain, code gaps (audited, by scheduler)")


def _verify() -> Outcome:
    """The fixity check as the worker's daily job; a problem found fails the run (``jobs``)."""
    s = services()
    report = fixity.verify_archive(s.db, s.clock, file_store(),
                                   instance_path=Path(current_app.instance_path), by="scheduler")
    if not report.clean:  # admins told once a day while it fails (issue 22)
        with s.db.transaction() as session:
            day = s.clock.now().date().isoformat()
            tell_admins(session, event="fixity.failing", code=day, at=s.clock.now(),
                        key=f"fixity.failing|{day}")
    return Outcome(report.clean, report.summary())
