"""Retention classes for administrators: the list with each class's schedule and mandate, and
the page that changes one (every change audited by archive.retention.update_class)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from archive.retention import ACTIONS, TRIGGERS, InvalidClass, list_classes, update_class
from core.auth.roles import NotFound, PermissionDenied
from core.web import current_actor, services

bp = Blueprint("archive_admin", __name__)

TRIGGER_LABELS = {"filing": _l("From filing"), "closure": _l("From closure (final state)"),
                  "event": _l("From a date in the record")}
ACTION_LABELS = {"destroy": _l("Destroy"), "review": _l("Review by an archivist"),
                 "permanent": _l("Keep permanently")}


class RetentionForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"))
    name_en = StringField(_l("Name (English)"))
    years = IntegerField(_l("Years"), validators=[Optional()])
    months = IntegerField(_l("Months"), validators=[Optional()])
    trigger = RadioField(_l("Counted"), choices=[SelectChoice(t, TRIGGER_LABELS[t]) for t in TRIGGERS])
    event_field = StringField(_l("Date field (when counted from a date in the record)"))
    at_year_end = BooleanField(_l("Count from the end of that year (31 December)"))
    action = RadioField(_l("At the end"), choices=[SelectChoice(a, ACTION_LABELS[a]) for a in ACTIONS])
    mandate = TextAreaField(_l("Mandate (the rule this class follows)"))


def _admin() -> None:
    if not current_actor().is_admin:
        raise PermissionDenied(_("Only administrators change retention classes."))


@bp.get("/admin/retention")
@login_required
def class_list() -> ResponseReturnValue:
    _admin()
    return render_template("archive/retention.html", classes=list_classes(services().db),
                           triggers=TRIGGER_LABELS, actions=ACTION_LABELS)


@bp.route("/admin/retention/<code>", methods=["GET", "POST"])
@login_required
def class_edit(code: str) -> ResponseReturnValue:
    _admin()
    current = next((c for c in list_classes(services().db) if c.code == code), None)
    if current is None:
        raise NotFound(code)
    form = RetentionForm(data=current.values())
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        values = {name: form[name].data for name in current.values()}
        values["years"] = form.years.data if form.years.data is not None else -1
        values["months"] = form.months.data if form.months.data is not None else -1
        try:
            update_class(services().db, services().clock, current_actor(), code, values, zone=services().zone)
        except InvalidClass as invalid:
            errors = invalid.errors
        else:
            flash(_("Retention class %(code)s saved.", code=code), "success")
            return redirect(url_for("archive_admin.class_list"))
    elif form.is_submitted():
        errors = {name: " ".join(messages) for name, messages in form.errors.items()} or {
            "_": _("The form expired. Submit again.")}
    status = 422 if errors else 200
    return render_template("archive/retention_edit.html", form=form, code=code, errors=errors), status
