"""Notification test helpers: an app whose ``[smtp]`` points at the test's real SMTP server,
a person's settings as the settings page stores them, and a worker pass (jobs, then outbox)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from core.auth.models import User
from core.clock import Clock
from core.notifications.models import Notification, NotificationPrefs
from core.outbox.cli import app_worker
from core.web import services
from tests.support.instance import make_app

PUBLIC_URL = "https://records.example.com"


def mail_app(template_db: Path, instance_dir: Path, clock: Clock, smtp: dict[str, Any] | None,
             **overrides: Any) -> Flask:
    database = instance_dir / "dossier.sqlite3"
    shutil.copy(template_db, database)
    config = {"PUBLIC_URL": PUBLIC_URL, **overrides}
    if smtp is not None:
        config["SMTP"] = smtp  # as config.toml's [smtp] table arrives (keys upper-cased)
    return make_app(f"sqlite:///{database}", clock, **config)


def user_id(app: Flask, username: str) -> int:
    with app.app_context(), services().db.reading() as session:
        return int(session.scalar(select(User.id).where(User.username == username)))


def set_prefs(app: Flask, username: str, *, email: str | None, language: str = "en",
              events: list[str] | None = None, digest: bool = False) -> int:
    uid = user_id(app, username)
    with app.app_context(), services().db.transaction() as session:
        session.merge(NotificationPrefs(user_id=uid, email=email, language=language,
                                        email_events=events or [], digest=digest, sent_in_hour=0))
    return uid


def work(app: Flask, *, jobs: bool = True) -> None:
    """One pass of the app's worker as ``serve`` runs it: due jobs, then due outbox rows."""
    with app.app_context():
        worker = app_worker()
        if jobs:
            worker.run_jobs()
        worker.run_once()


def notes_of(app: Flask, username: str) -> list[Notification]:
    uid = user_id(app, username)
    with app.app_context(), services().db.reading() as session:
        rows = list(session.scalars(select(Notification).where(Notification.recipient_id == uid)
                                    .order_by(Notification.id)))
        session.expunge_all()
        return rows
