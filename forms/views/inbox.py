"""The inbox page: what waits for the signed-in user; countersignatures ticked and given in bulk."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm

from core.web import current_actor, services
from forms.countersigning import countersign_many, split
from forms.inbox import inbox


@login_required
def inbox_page() -> ResponseReturnValue:
    actor = current_actor()
    tasks, total = inbox(services().db, services().clock, actor)
    rows, to_sign = split(tasks)
    return render_template("forms/inbox.html", tasks=rows, to_sign=to_sign, total=total,
                           listed=len(tasks), form=FlaskForm())


def _ticked() -> list[tuple[str, int]]:
    """(code, revision seen) of each ticked record (``CODE@REVISION``)."""
    items = []
    for raw in request.form.getlist("record"):
        code, _sep, revision = raw.partition("@")
        if code and revision.isdigit():
            items.append((code, int(revision)))
    return items


@login_required
def countersign_selected() -> ResponseReturnValue:
    """POST: countersign the ticked records, each its own action; say which were signed and
    why any were refused."""
    if not FlaskForm().validate_on_submit():
        flash(_("The form expired. Submit again."), "error")
    elif not (items := _ticked()):
        flash(_("Tick the records to countersign."), "error")
    else:
        outcome = countersign_many(services().db, services().clock, services().zone, current_actor(), items)
        if outcome.done:
            flash(_("Countersigned: %(codes)s.", codes=", ".join(outcome.done)), "success")
        for code, why in outcome.refused.items():
            flash(f"{code}: {why}", "error")
    return redirect(url_for("forms.inbox"))
