"""``/notifications``: the signed-in person's list (newest first), marking read, and settings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from core.auth.roles import Role
from core.notifications import prefs as settings_form
from core.notifications.events import describe, link_path
from core.notifications.models import Notification, NotificationPrefs
from core.notifications.service import listing, mark_read, refusals, unread_count, waiting_mail
from core.web import current_actor, services

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def notifications_page() -> ResponseReturnValue:
    actor = current_actor()
    with services().db.reading() as session:
        notes = [(note, describe(note.event, note.record_code))
                 for note in listing(session, actor.user_id)]
        admin = actor.role == Role.ADMIN
        refused = refusals(session) if admin else []
        waiting = waiting_mail(session) if admin else (0, None)
        return render_template("notifications/list.html", notes=notes, refused=refused,
                               waiting=waiting, form=FlaskForm(), link_path=link_path)  # rows bound


@bp.post("/notifications/<id:note_id>/read")
@login_required
def read_one(note_id: int) -> ResponseReturnValue:
    """Mark one read; another person's notification is a 404 (it does not exist for them)."""
    actor, s = current_actor(), services()
    if not FlaskForm().validate_on_submit():
        abort(400)
    with s.db.transaction() as session:
        owner = session.scalar(select(Notification.recipient_id).where(Notification.id == note_id))
        if owner != actor.user_id:
            abort(404)
        mark_read(session, actor.user_id, note_id, s.clock.now())
    return redirect(url_for("notifications.notifications_page"))


@bp.post("/notifications/read-all")
@login_required
def read_all() -> ResponseReturnValue:
    actor, s = current_actor(), services()
    if not FlaskForm().validate_on_submit():
        abort(400)
    with s.db.transaction() as session:
        count = mark_read(session, actor.user_id, None, s.clock.now())
    flash(_("%(count)s notification(s) marked read.", count=count), "success")
    return redirect(url_for("notifications.notifications_page"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings_page() -> ResponseReturnValue:
    actor, s = current_actor(), services()
    form = settings_form.PrefsForm()
    if request.method == "POST":
        if form.validate_on_submit():
            with s.db.transaction() as session:
                settings_form.save(session, actor.user_id, form)
            flash(_("Your notification settings were saved."), "success")
            return redirect(url_for("notifications.settings_page"))
        return render_template("notifications/settings.html", form=form), 422
    with s.db.reading() as session:
        settings_form.load_into(form, session.get(NotificationPrefs, actor.user_id))
    return render_template("notifications/settings.html", form=form)


def header_count() -> int:
    """The header's unread count (template global): one indexed count per page."""
    if not current_user.is_authenticated:
        return 0
    with services().db.reading() as session:
        return unread_count(session, current_user.id)
