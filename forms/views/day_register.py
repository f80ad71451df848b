"""The page where a supervisor confirms the day's visit registrations in one go."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm

from core.web import current_actor, services
from forms.day_register import CONFIRM, registrations_of
from forms.disclosure import shown_records
from forms.workflow import act_on_many


def _day() -> date:
    try:
        return date.fromisoformat(request.values.get("day", ""))
    except ValueError:
        return services().clock.now().astimezone(services().zone).date()


@login_required
def day_register() -> ResponseReturnValue:
    day, actor = _day(), current_actor()
    form = FlaskForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("The form expired. Submit again."), "error")
        else:
            items = []
            for raw in request.form.getlist("record"):
                code, _sep, revision = raw.partition("@")
                if revision.isdigit():
                    items.append((code, int(revision)))
            outcome = act_on_many(services().db, services().clock, services().zone, actor, items, CONFIRM)
            if outcome.done:
                flash(_("Confirmed: %(codes)s.", codes=", ".join(outcome.done)), "success")
            for code, why in outcome.refused.items():
                flash(f"{code}: {why}", "error")
        return redirect(url_for("forms.day_register", day=day.isoformat()))
    registrations = shown_records(services().db, actor,  # customers' names masked where not needed
                                  registrations_of(services().db, services().clock, actor, day))
    waiting = [r for r in registrations if r.state == "registered"]
    return render_template("forms/day_register.html", day=day, registrations=registrations,
                           unconfirmed=waiting, form=form, may_confirm=actor.role.value == "supervisor")
