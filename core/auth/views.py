"""Sign in, sign out, and the language switch."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from core.audit import trail
from core.auth import accounts
from core.auth.models import User
from core.i18n import SUPPORTED_LOCALES
from core.web import WebUser, current_actor, services

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[InputRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=256)])


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("forms.catalogue")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        policy = accounts.LoginPolicy(
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            lockout=timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"]),
        )
        try:
            actor = accounts.authenticate(
                services().db, services().clock, policy, form.username.data or "",
                form.password.data or "", request.remote_addr or "")
        except accounts.LoginRefused as refused:
            error = (_("This account is locked after too many failed attempts. "
                       "Try again in %(minutes)d minutes.",
                       minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
                     if refused.locked else _("Wrong username or password."))
        else:
            with services().db.reading() as db_session:
                user = db_session.scalar(select(User).where(User.id == actor.user_id))
                web_user = WebUser(user)
            locale = session.get("locale")
            session.clear()  # no session fixation: a fresh session for the signed-in user
            if locale:
                session["locale"] = locale
            login_user(web_user)
            return redirect(_safe_next(request.args.get("next")))
    status = 401 if error else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    actor = current_actor()
    with services().db.transaction() as db_session:
        trail.append(db_session, at=services().clock.now(), actor=actor, action="logout",
                     object_type="user", object_id=actor.username)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/language/<locale>", methods=["POST"])
def set_language(locale: str) -> ResponseReturnValue:
    if locale in SUPPORTED_LOCALES:
        session["locale"] = locale
    return redirect(_safe_next(request.form.get("next")))
