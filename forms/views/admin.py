"""Form version administration: an admin approves new versions before they can be filled."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from core.auth.roles import PermissionDenied
from core.web import current_actor, services
from forms import versions


@login_required
def version_list() -> ResponseReturnValue:
    if not current_actor().is_admin:
        raise PermissionDenied(_("Only administrators manage form versions."))
    return render_template("forms/versions.html", versions=versions.list_versions(services().db))


@login_required
def approve_version(form_code: str, version: int) -> ResponseReturnValue:
    versions.approve(services().db, services().clock, current_actor(), form_code, version)
    flash(_("%(form)s version %(version)d is approved and can now be filled.",
            form=form_code, version=version), "success")
    return redirect(url_for("forms.version_list"))
