"""The inbox page: what waits for the signed-in user; countersignatures ticked and given in bulk."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from core.web import current_actor, services
from forms.countersigning import countersign_many, split
from forms.inbox import inbox
from forms.views.page_forms import CountersignForm, expired


@login_required
def inbox_page() -> ResponseReturnValue:
    actor = current_actor()
    tasks, total = inbox(services().db, services().clock, actor)
    rows, to_sign = split(tasks)
    return render_template("forms/inbox.html", tasks=rows, to_sign=to_sign, total=total,
                           listed=len(tasks), form=CountersignForm())


@login_required
def countersign_selected() -> ResponseReturnValue:
    """POST: countersign the ticked records, each its own action; say which were signed and
    why any were refused."""
    form = CountersignForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Submit again.") if expired(form) else str(form.record.errors[0]), "error")
    else:
        outcome = countersign_many(services().db, services().clock, services().zone, current_actor(),
                                   form.record.data)
        if outcome.done:
            flash(_("Countersigned: %(codes)s.", codes=", ".join(outcome.done)), "success")
        for code, why in outcome.refused.items():
            flash(f"{code}: {why}", "error")
    return redirect(url_for("forms.inbox"))
