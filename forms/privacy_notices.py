"""Privacy notices in force: registered like form versions, looked up at every submission.

``flask init`` registers each notice file's (id, version) with the hash of its words; a file
whose words changed under a registered version is refused, naming the file, so a version always
means one text. The notice in force for a form is the newest registered version of the notice
the setting ``PRIVACY_NOTICES`` names for it; a form it does not name (or an unknown form, or a
notice not registered yet) records none rather than failing a submission.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.notice_stamp import NoticeStamp
from core.audit import trail
from core.clock import Clock
from core.config import DEFAULTS
from core.db import Database
from forms.notice_files import NOTICE_DIR, Notice, content_hash, load_notices, setting_problems
from forms.notice_models import NoticeVersion
from forms.versions import SyncReport


@dataclass(frozen=True)
class ShownNotice:
    """A registered notice version as pages print it: title, purpose and text in both languages."""

    notice_id: str
    version: int
    title: dict[str, str]
    purpose: dict[str, str]
    text: dict[str, str]


def register_notices(db: Database, clock: Clock, notices: Mapping[str, Notice]) -> SyncReport:
    """Record every notice version not yet known; an edited registered version is a problem."""
    report = SyncReport([], [], [])
    with db.transaction() as session:
        for notice in notices.values():
            existing = session.scalar(select(NoticeVersion).filter_by(
                notice_id=notice.notice_id, version=notice.version))
            digest = content_hash(notice.content)
            if existing is None:
                session.add(NoticeVersion(notice_id=notice.notice_id, version=notice.version,
                                          content=notice.content, text_hash=digest,
                                          registered_at=clock.now()))
                trail.append(session, at=clock.now(), actor=None, action="privacy_notice.register",
                             object_type="privacy_notice", object_id=notice.label)
                report.registered.append(notice.label)
            elif existing.text_hash != digest:
                report.problems.append(
                    f"{NOTICE_DIR.name}/{notice.notice_id}.toml: the text of {notice.label} changed "
                    f"but its version did not; records keep the words of v{notice.version}, so set "
                    f"version = {_next_version(session, notice.notice_id)} for the new text")
            else:
                report.unchanged.append(notice.label)
    return report


def checked_files() -> tuple[dict[str, Notice], list[str]]:
    """The notice files (NOTICE_DIR, or the app's setting of it) and every problem with them
    or with PRIVACY_NOTICES naming a notice no file gives (``forms check`` and ``flask init``)."""
    directory = current_app.config.get("NOTICE_DIR", NOTICE_DIR) if has_app_context() else NOTICE_DIR
    notices, problems = load_notices(Path(directory))
    return notices, problems + setting_problems(_raw_setting(), notices)


def init_step() -> None:
    """``flask init``: register the notice files' new versions; name every refused one."""
    from core.web import services

    notices, problems = checked_files()
    report = register_notices(services().db, services().clock, notices)
    click.echo(f"Privacy notices: {len(report.registered)} new version(s) registered "
               f"{report.registered or ''}, {len(report.unchanged)} unchanged.")
    for problem in problems + report.problems:
        click.echo(f"  problem: {problem}", err=True)


def _next_version(session: Session, notice_id: str) -> int:
    newest = session.scalar(select(NoticeVersion.version).filter_by(notice_id=notice_id)
                            .order_by(NoticeVersion.version.desc()).limit(1))
    return (newest or 0) + 1


def _raw_setting() -> Any:
    return current_app.config.get("PRIVACY_NOTICES", {}) if has_app_context() else DEFAULTS["PRIVACY_NOTICES"]


def notice_setting() -> dict[str, str]:
    """PRIVACY_NOTICES (form code → notice id), the defaults outside an app; a setting that is
    no mapping names no notice (``forms check`` and ``flask init`` say what is wrong with it)."""
    setting = _raw_setting()
    return dict(setting) if isinstance(setting, dict) else {}


def notice_for_form(session: Session, form_code: str) -> NoticeStamp | None:
    """The notice in force for ``form_code`` (read in the submitting transaction), or None."""
    notice_id = notice_setting().get(form_code)
    if not notice_id:
        return None
    row = session.execute(select(NoticeVersion.version, NoticeVersion.content).filter_by(
        notice_id=notice_id).order_by(NoticeVersion.version.desc()).limit(1)).first()
    if row is None:
        return None
    own = (row.content.get("purposes") or {}).get(form_code)  # the form's own, else the general
    return NoticeStamp(notice_id, row.version, dict(own or row.content.get("purpose") or {}))


def current_notice(db: Database, form_code: str) -> ShownNotice | None:
    """What the fill page shows: the notice a record of this form would be submitted under."""
    with db.reading() as session:
        stamp = notice_for_form(session, form_code)
    return record_notice(db, stamp)


def shown_notice(db: Database, notice_id: str, version: int) -> ShownNotice | None:
    """One registered version's words (a record's notice, however old); None if not registered
    here (a record imported from an instance that had it)."""
    with db.reading() as session:
        content = session.scalar(select(NoticeVersion.content).filter_by(
            notice_id=notice_id, version=version))
    if content is None:
        return None
    return ShownNotice(notice_id, version, *(_both(content, part) for part in ("title", "purpose", "text")))


def _both(content: dict[str, Any], part: str) -> dict[str, str]:
    value = content.get(part)
    return {k: str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def record_notice(db: Database, notice: NoticeStamp | None) -> ShownNotice | None:
    """A record's notice as its page shows it: the registered words of its version, or, for a
    version not registered here (an imported archive), what the record itself kept."""
    if notice is None:
        return None
    registered = shown_notice(db, notice.notice_id, notice.version)
    if registered is None:
        return ShownNotice(notice.notice_id, notice.version,
                           {"zh": notice.notice_id, "en": notice.notice_id}, dict(notice.purpose), {})
    return replace(registered, purpose=dict(notice.purpose))  # the form's purpose, as recorded


def init_app(app: Flask) -> None:
    """The pages' helpers: ``form_notice(code)`` (the fill page) and ``record_notice(stamp)``."""
    from core.web import services

    app.jinja_env.globals["form_notice"] = lambda code: current_notice(services().db, code)
    app.jinja_env.globals["record_notice"] = lambda stamp: record_notice(services().db, stamp)
