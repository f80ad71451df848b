"""Sign in, sign out, the language switch, and the admin's page of sign-in delays."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from core.audit import trail
from core.auth import accounts, throttle
from core.auth.throttle import LoginPolicy
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
    error, headers, status = None, {}, 200
    if form.validate_on_submit():
        try:
            actor = accounts.authenticate(
                services().db, services().clock, LoginPolicy.from_config(current_app.config),
                form.username.data or "", form.password.data or "", request.remote_addr or "")
        except accounts.LoginRefused as refused:
            error, status = _refusal(refused), 401 if refused.wrong else 429
            if refused.retry_after:
                headers["Retry-After"] = str(refused.retry_after)
        else:
            web_user = WebUser(actor)  # authenticate read the user with its department
            locale = session.get("locale")
            session.clear()  # no session fixation: a fresh session for the signed-in user
            if locale:
                session["locale"] = locale
            login_user(web_user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, error=error), status, headers


def _refusal(refused: accounts.LoginRefused) -> str:
    """What a refused sign-in is told: wrong, and/or how long to wait before the next try."""
    if not refused.wrong:  # the count decides "second" or "seconds" ("Wait 1 seconds" was shown)
        return ngettext("Too many failed sign-ins from here. Wait %(num)d second, then try again.",
                        "Too many failed sign-ins from here. Wait %(num)d seconds, then try again.",
                        refused.retry_after or 1)
    if refused.retry_after:
        return ngettext("Wrong username or password. Wait %(num)d second before the next try.",
                        "Wrong username or password. Wait %(num)d seconds before the next try.",
                        refused.retry_after)
    return _("Wrong username or password.")


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


class UnlockForm(FlaskForm):
    username = StringField(_l("Account"), validators=[Length(max=64)])
    address = StringField(_l("Address"), validators=[Length(max=64)])


@bp.get("/admin/sign-in")
@login_required
def throttles() -> ResponseReturnValue:
    """Accounts and addresses whose failed sign-ins are being counted or delayed now."""
    policy = LoginPolicy.from_config(current_app.config)
    rows = throttle.current(services().db, services().clock, current_actor(), policy)
    return render_template("auth/throttles.html", rows=rows, form=UnlockForm(), policy=policy,
                           now=services().clock.now())


@bp.post("/admin/sign-in/unlock")
@login_required
def unlock() -> ResponseReturnValue:
    form = UnlockForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Submit again."), "error")
        return redirect(url_for("auth.throttles"))
    try:
        removed = throttle.unlock(services().db, services().clock, current_actor(),
                                  username=form.username.data or "", address=form.address.data or "")
    except throttle.UnlockError:
        flash(_("Name an account or an address to unlock."), "error")
    else:
        flash(_("Unlocked: %(count)d count(s) cleared.", count=removed), "success")
    return redirect(url_for("auth.throttles"))


@bp.route("/language/<locale>", methods=["POST"])
def set_language(locale: str) -> ResponseReturnValue:
    if locale in SUPPORTED_LOCALES:
        session["locale"] = locale
    return redirect(_safe_next(request.form.get("next")))
