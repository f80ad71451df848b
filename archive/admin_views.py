"""Retention classes for administrators: the list with each class's schedule and mandate, and
the page that changes one (every change audited by archive.retention.update_class). The
addresses are in archive.routes, the form in archive.page_forms."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from archive.page_actions import try_form
from archive.page_forms import ACTION_LABELS, TRIGGER_LABELS, RetentionForm
from archive.retention import list_classes, update_class
from core.auth.roles import NotFound, PermissionDenied
from core.web import current_actor, services


def _admin() -> None:
    if not current_actor().is_admin:
        raise PermissionDenied(_("Only administrators change retention classes."))


@login_required
def class_list() -> ResponseReturnValue:
    _admin()
    return render_template("archive/retention.html", classes=list_classes(services().db),
                           triggers=TRIGGER_LABELS, actions=ACTION_LABELS)


@login_required
def class_edit(code: str) -> ResponseReturnValue:
    _admin()
    current = next((c for c in list_classes(services().db) if c.code == code), None)
    if current is None:
        raise NotFound(code)
    form, s = RetentionForm(data=current.values()), services()
    saved = try_form(form, lambda: update_class(s.db, s.clock, current_actor(), code,
                                                form.values(list(current.values())), zone=s.zone))
    if saved.accepted:
        flash(_("Retention class %(code)s saved.", code=code), "success")
        return redirect(url_for(".class_list"))
    return render_template("archive/retention_edit.html", form=form, code=code, errors=saved.errors), \
        422 if saved.errors else 200
