"""The page where a supervisor confirms the day's visit registrations: each row ticked or not
(conflicts unticked until the supervisor decides), the ticked ones confirmed in one go."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from core.web import current_actor, services
from forms.day_register import CONFIRM, latest_unconfirmed_day, registrations_of
from forms.views.page_forms import ConfirmDayForm, expired
from forms.workflow import act_on_many


def _day() -> date:
    """The day asked for; else the latest day with registrations still to confirm; else today."""
    try:
        return date.fromisoformat(request.values.get("day", ""))
    except ValueError:
        waiting = latest_unconfirmed_day(services().db, current_actor())
        return waiting or services().clock.now().astimezone(services().zone).date()


@login_required
def day_register() -> ResponseReturnValue:
    day, actor = _day(), current_actor()
    form = ConfirmDayForm()
    if request.method == "POST":
        if form.validate_on_submit():
            outcome = act_on_many(services().db, services().clock, services().zone, actor, form.record.data,
                                  CONFIRM)
            if outcome.done:
                flash(_("Confirmed: %(codes)s.", codes=", ".join(outcome.done)), "success")
            for code, why in outcome.refused.items():
                flash(f"{code}: {why}", "error")
        elif expired(form):
            flash(_("The form expired. Submit again."), "error")
        else:  # none ticked
            flash(str(form.record.errors[0]), "error")
        return redirect(url_for("forms.day_register", day=day.isoformat()))
    registrations = registrations_of(services().db, services().clock, actor, day)
    waiting = [r for r in registrations if r.state == "registered"]
    return render_template("forms/day_register.html", day=day, registrations=registrations,
                           unconfirmed=waiting, form=form, may_confirm=actor.role.value == "supervisor")
