"""The audit trail's anchor plugged into the app: every session gets the instance's keyring,
the outbox worker appends a checkpoint after a destruction or a transfer commits (topic
``audit.checkpoint``) and every ``AUDIT_CHECKPOINT_MINUTES`` (job ``audit_checkpoint``),
``flask init`` creates the key, and the ``audit`` commands are added."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask import Flask
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from core.audit.anchor import AuditAnchor, audit_anchor, ensure_key, write_checkpoint
from core.audit.checkpoints import CHECKPOINT_FILE, TOPIC
from core.audit.cli import audit_cli
from core.audit.keys import KEY_FILE, AuditKeyError, attach
from core.cli import add_init_step
from core.config import ConfigError
from core.errors import render_error
from core.outbox.cli import register_handler
from core.outbox.jobs import Outcome, register_job
from core.outbox.queue import Task
from core.ports import install, port
from core.web import AppServices, services

JOB = "audit_checkpoint"
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    minutes = app.config["AUDIT_CHECKPOINT_MINUTES"]
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
        raise ConfigError("AUDIT_CHECKPOINT_MINUTES: must be a whole number of minutes, 0 (none) "
                          f"or more, not {minutes!r}")
    root = Path(app.instance_path)
    install(app, AuditAnchor(attach(port(AppServices, app).db, root / KEY_FILE), root / CHECKPOINT_FILE))
    register_handler(app, TOPIC, _handle)
    register_job(app, JOB, _periodic, every=minutes * 60,
                 description="append the audit chain's head to the instance folder's checkpoints file")
    add_init_step(app, _init_step)
    app.cli.add_command(audit_cli)
    app.register_error_handler(AuditKeyError, _no_key)


def _no_key(error: AuditKeyError) -> ResponseReturnValue:
    """A server without the trail's key (or with another) refuses to record, so the audited
    step was rolled back: say so in the reader's language (503), the file's path to the log."""
    log.error("audit trail: %s", error)
    return render_error(503, _("This server cannot record what you do in the audit trail (its "
                               "audit key is missing or is not this archive's), so nothing was "
                               "done. Tell an administrator."))


def _handle(task: Task) -> None:
    """After a destruction or a transfer: idempotent enough (a retry appends a later head)."""
    write_checkpoint(services().db, services().clock, audit_anchor(),
                     str(task.payload.get("reason") or task.subject))


def _periodic() -> Outcome:
    written = write_checkpoint(services().db, services().clock, audit_anchor(), "periodic")
    return Outcome(True, f"checkpoint at seq {written.seq}")


def _init_step() -> None:
    try:
        created = ensure_key(services().db, services().clock, audit_anchor())
    except AuditKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Audit key: {'created' if created else 'present'} ({audit_anchor().keyring.path}).")
