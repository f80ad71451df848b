"""Notification test helpers: an app whose ``[smtp]`` points at the test's real SMTP server,
a person's settings as the settings page stores them, and a worker pass (jobs, then outbox)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth.models import User
from core.clock import Clock
from core.notifications import notify
from core.notifications.models import Notification, NotificationPrefs
from core.outbox.cli import app_worker
from core.web import services
from tests.support.instance import make_app
from tests.support.query_plans import plan_of, statements

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


def notification_plans(app: Flask, read: Callable[[Session], object]) -> list[str]:
    """The database's plan of each notifications query ``read`` runs, one string per query."""
    with statements(app) as seen, app.app_context(), services().db.reading() as session:
        read(session)
    mine = [(statement, parameters) for statement, parameters in seen if "notifications" in statement]
    assert mine, "the read ran no query on notifications"
    return [plan_of(app, statement, parameters).replace("\n", " | ") for statement, parameters in mine]


def some_notifications(app: Flask) -> int:
    """Thirty notifications each for the supervisor and the clerk, half of them deadline
    events; the supervisor's id."""
    uid = user_id(app, "supervisor")
    with app.app_context():
        s = services()
        with s.db.transaction() as session:
            for n in range(30):
                notify(session, event="deadline.nearing" if n % 2 else "record.returned",
                       recipients=[uid, user_id(app, "clerk")], record_code=f"CP-2026-{n:06d}",
                       at=s.clock.now(), key=f"deadline.nearing|CP-2026-{n:06d}|x")
    return uid


def vacuum_analyze(app: Flask) -> None:
    """PostgreSQL: the notifications table vacuumed and analysed, as autovacuum keeps a real
    one: its visibility map lets the planner count index-only scans as such (a table just filled
    in a test has none, and every index then costs alike)."""
    with app.app_context(), services().db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM ANALYZE notifications")
