"""The form catalogue and the filling page (new form, resume draft, save draft, submit).

One page serves new forms and drafts: the primary action submits, "save draft" keeps the input
exactly as typed (valid or not). It asks what is known at registration; the fields of later
workflow steps (a complaint's classification, investigation, closure) wait for their own
step's page (:mod:`forms.steps`). Errors are listed in a summary at the top, linked to each
field, and repeated beside the field; nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from archive.stores import file_store
from core.auth.roles import PermissionDenied
from core.web import current_actor, services
from forms import drafts, steps, versions
from forms.builder import form_class, parse_form, raw_input
from forms.file_intake import file_fields, receive_posted
from forms.rules import NeedsConfirmation
from forms.spec.model import FormSpec
from forms.submission import submit
from forms.validation import InvalidData, validate
from forms.views.context import build_context
from forms.views.page_forms import FillPageForm
from forms.views.summary import summary_items


@login_required
def catalogue() -> ResponseReturnValue:
    actor = current_actor()
    specs = versions.fillable_specs(services().db)
    my_drafts = drafts.list_drafts(services().db, actor)
    return render_template("forms/catalogue.html", specs=sorted(specs.values(), key=lambda s: s.code),
                           drafts=my_drafts, may_fill=actor.may_fill_forms)


@login_required
def new_form(form_code: str) -> ResponseReturnValue:
    if not current_actor().may_fill_forms:
        raise PermissionDenied(_("Your role can read records but not fill forms."))
    spec = versions.fillable_spec(services().db, form_code.upper())
    return _fill(steps.registration(spec), draft_id=None, initial=None)


@login_required
def resume_draft(draft_id: int) -> ResponseReturnValue:
    draft = drafts.get_draft(services().db, current_actor(), draft_id)
    spec = versions.fillable_spec(services().db, draft.form_code)
    return _fill(steps.registration(spec), draft_id=draft.id, initial=draft.data)


@login_required
def discard_draft(draft_id: int) -> ResponseReturnValue:
    drafts.delete_draft(services().db, current_actor(), draft_id)
    flash(_("Draft discarded."), "info")
    return redirect(url_for("forms.catalogue"))


def _fill(spec: FormSpec, draft_id: int | None, initial: dict[str, Any] | None) -> ResponseReturnValue:
    ctx = build_context()
    takes_files = bool(file_fields(spec))  # the body cap is raised before: forms.views.files
    form = form_class(spec, ctx)(data=initial) if request.method == "GET" else form_class(spec, ctx)()
    errors: dict[str, str] = {}
    warning: NeedsConfirmation | None = None
    if request.method == "POST":
        buttons = FillPageForm()
        if not form.validate_on_submit():  # only the CSRF token is validated by WTForms
            errors["_"] = _("The form expired. Your input is below; submit again.")
        elif takes_files and (file_errors := receive_posted(spec, form, current_actor().user_id,
                                                                 file_store())):
            errors = file_errors  # files checked and stored first: the accepted ones stay pending
        elif (row := buttons.row_to_add()) is not None:
            add_row(form, row)
        elif buttons.saves_draft():
            draft_id = drafts.save_draft(services().db, services().clock, current_actor(),
                                         spec.code, raw_input(spec, form), draft_id)
            flash(_("Draft saved. You can come back to it from the form list."), "success")
            return redirect(url_for("forms.resume_draft", draft_id=draft_id))
        else:
            outcome = _try_submit(spec, form, ctx, draft_id, buttons.confirmation())
            if isinstance(outcome, str):
                flash(_("Submitted. The record code is %(code)s.", code=outcome), "success")
                return redirect(url_for("forms.record", code=outcome))
            if isinstance(outcome, NeedsConfirmation):
                warning = outcome
            else:
                errors = outcome
    status = 422 if errors else 200
    return render_template("forms/fill.html", spec=spec, form=form, errors=errors, warning=warning,
                           summary=summary_items(spec, form, errors), draft_id=draft_id), status


def _try_submit(spec: FormSpec, form: Any, ctx: Any, draft_id: int | None,
                confirmed: str | bool) -> str | dict[str, str] | NeedsConfirmation:
    """The new code, every problem (unreadable input and what the service refuses), or the
    question a form rule asks before filing (nothing saved; the page asks it, keeping the input)."""
    data, errors = parse_form(spec, form, ctx)
    if errors:  # never submit with unreadable input; still report the other fields' problems
        try:
            validate(spec, {k: v for k, v in data.items() if k not in errors})
        except InvalidData as invalid:
            return {**invalid.errors, **errors}
        return errors
    try:
        return submit(services().db, services().clock, services().zone, current_actor(),
                      spec.code, data, draft_id=draft_id, confirmed=confirmed).code
    except InvalidData as invalid:
        return invalid.errors
    except NeedsConfirmation as question:
        return question


def add_row(form: Any, field_name: str) -> None:
    field = getattr(form, field_name, None)
    if field is not None and hasattr(field, "append_entry") and (
            field.max_entries is None or len(field.entries) < field.max_entries):
        field.append_entry()
