"""Glue between Flask requests and services: who is acting, which database, which clock.

Views call these; services never do, because services receive everything explicitly.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from flask import Flask, abort, current_app, g, request, session
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user

from core.auth.accounts import active_actor
from core.auth.names import CONSOLE_ACTOR, Names, load_names
from core.auth.roles import Actor, Reading
from core.clock import Clock
from core.db import Database
from core.i18n import current_locale
from core.numbers import whole_number
from core.ports import install, port

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None  # the login page itself explains what to do
login_manager.session_protection = "basic"
#: The Flask session's key of the need-to-know session id (:func:`reading_session_id`).
READING_SESSION_KEY = "reading_session"


@dataclass(frozen=True)
class AppServices:
    """What every service needs from the application, created once by the app factory."""

    db: Database
    clock: Clock
    zone: ZoneInfo


def init_services(app: Flask, services: AppServices) -> None:
    install(app, services)
    login_manager.init_app(app)


def services() -> AppServices:
    return port(AppServices)


class WebUser(UserMixin):
    """The logged-in user as templates see it: plain data, re-read on every request (so a
    deactivated account is signed out at its next click)."""

    def __init__(self, actor: Actor) -> None:
        self.id = actor.user_id
        self.username = actor.username
        self.display_name = actor.display_name
        self.role = str(actor.role)
        self.department_name_zh = actor.department.name_zh if actor.department else ""
        self.department_name_en = actor.department.name_en if actor.department else ""
        self.actor = actor


@login_manager.user_loader
def _load_user(user_id: str) -> WebUser | None:
    number = whole_number(user_id, 1, 2**31 - 1)
    if number is None:
        return None
    actor = active_actor(services().db, number)
    return WebUser(actor) if actor else None


def page_number(name: str = "page") -> int:
    """The page of a list asked for in the query (``?page=``, or ``name``); anything but a page
    number (1 to 999,999) is the first page."""
    return whole_number(request.args.get(name), 1, 999_999) or 1


def current_actor() -> Actor:
    """The acting identity of a logged-in request (views behind ``login_required``), with how
    they read (:class:`Reading`: the NEED_TO_KNOW setting and their session's random id)."""
    if not current_user.is_authenticated:
        abort(401)
    actor: Actor = current_user.actor
    return replace(actor, reading=Reading(current_app.config["NEED_TO_KNOW"], reading_session_id()))


def reading_session_id() -> str:
    """The random id of this signed-in session that need-to-know reasons are stated for: kept in
    the Flask session (cleared at sign-in and sign-out, so each sign-in starts without a
    reason), never the session cookie itself."""
    found = session.get(READING_SESSION_KEY)
    if not isinstance(found, str) or not found:
        found = session[READING_SESSION_KEY] = secrets.token_urlsafe(24)
    return found


def request_names() -> Names:
    """People's and departments' names, read once per request (pages name several of them)."""
    if "dossier_names" not in g:
        g.dossier_names = load_names(services().db)
    names: Names = g.dossier_names
    return names


def person(username: str | None) -> str:
    """Template filter ``|person``: a username → the display name. ``console`` (what the
    command-line tools record as their actor: transfer, import, backup) is named in the page's
    language unless a user of that name exists."""
    names = request_names()
    if username == CONSOLE_ACTOR and username not in names.users:
        return _("command line (console)")
    return names.user(username)


def department_name(code: str | None) -> str:
    """Template filter ``|department_name``: a department code → its name in the page's language."""
    return request_names().department(code, current_locale())
