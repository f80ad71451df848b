"""The page that takes one workflow action on a record (countersign, return, classify, correct…).

It shows the fields the action fills in or may change, pre-filled with the record's values, a
reason box when the action needs one, and the revision the user is looking at; the service
(:func:`forms.workflow.act`) decides whether the action is allowed and refuses a stale one.
Beside them, read-only, the record's other filled fields (what is being classified, another
role's fields on a resubmission) and, while the record is returned, why it was returned.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from archive.records import RecordView, RevisionView
from archive.stores import file_store
from core.auth.roles import PermissionDenied
from core.errors import render_error
from core.i18n import current_locale, pick
from core.web import current_actor, services
from forms import rules, steps, versions
from forms.builder import form_class, parse_form
from forms.changes import changed_fields
from forms.fields import REGISTRY, BuildContext
from forms.file_intake import file_fields, receive_posted
from forms.masking import shown_record
from forms.spec.model import FormSpec
from forms.validation import InvalidData
from forms.views.context import build_context
from forms.views.filling import add_row
from forms.views.page_forms import ActionPageForm
from forms.views.records import display_rows
from forms.views.summary import SummaryItem, summary_items
from forms.workflow import ActionRefused, ActionView, RecordChanged, act, actions_for


@login_required
def record_action(code: str, action: str) -> ResponseReturnValue:
    actor = current_actor()
    record, available = actions_for(services().db, services().clock, actor, code)
    chosen = next((a for a in available if a.name == action), None)
    if chosen is None:
        if (rules.office_rules().needs_second_person(record.form_code, action)
                and record.submitted_by == actor.username):
            return render_error(403, _("You submitted %(code)s yourself; another person must take this "
                                       "action (four eyes).", code=code))
        return render_error(403, _("You cannot take this action on %(code)s now.", code=code))
    spec = versions.spec_version(services().db, record.form_code, record.form_version)
    action_spec = _fields_of(spec, chosen)
    ctx = build_context()
    if request.method == "GET":
        form = form_class(action_spec, ctx)(data=_as_input(action_spec, record.data, ctx))
        return _page(action_spec, chosen, record, form, {}, revision=record.revision)
    form, inputs = form_class(action_spec, ctx)(), ActionPageForm()
    revision, reason = inputs.revision.data, inputs.reason.data
    # WTForms checks the CSRF token (the field form) and the revision's shape; parse_form and
    # the service check the values. A revision that is not one is a broken page: submit again.
    if not form.validate_on_submit() or not inputs.validate():
        return _page(action_spec, chosen, record, form, {"_": _("The form expired. Submit again.")},
                     revision=revision, reason=reason, status=400)
    # files checked and stored first, so those taken stay pending whatever else is refused
    takes_files = bool(file_fields(action_spec))
    file_errors = receive_posted(action_spec, form, actor.user_id, file_store()) if takes_files else {}
    if (row := inputs.row_to_add()) is not None:  # "add a row" to a table field
        add_row(form, row)
        return _page(action_spec, chosen, record, form, file_errors, revision=revision, reason=reason)
    data, errors = parse_form(action_spec, form, ctx)
    errors = {**errors, **file_errors}
    if not errors:
        try:
            act(services().db, services().clock, services().zone, actor, code, action,
                fields=changed_fields(action_spec, data, record.data, ctx),
                reason=reason, revision=revision)
        except InvalidData as invalid:
            errors = invalid.errors
        except RecordChanged as changed:
            return _changed_meanwhile(changed, chosen, action_spec, form, reason) or \
                _refused(str(changed), code)
        except (ActionRefused, PermissionDenied) as refused:
            return _refused(str(refused), code)
        else:
            flash(_("%(action)s: done.", action=pick(chosen.label)), "success")
            return redirect(url_for("forms.record", code=code))
    return _page(action_spec, chosen, record, form, errors, revision=revision, reason=reason, status=422)


def _refused(message: str, code: str) -> ResponseReturnValue:
    flash(message, "error")
    return redirect(url_for("forms.record", code=code))


def _changed_meanwhile(changed: RecordChanged, chosen: ActionView, action_spec: FormSpec, form: Any,
                       reason: str) -> ResponseReturnValue | None:
    """Someone changed the record while this person was typing: the page again, showing the record
    as it is now, with what they typed kept and the revision they now see, to check and send again
    (None when the action is no longer open to them: then the record page says why)."""
    record, available = actions_for(services().db, services().clock, current_actor(), changed.code)
    if not any(a.name == chosen.name for a in available):
        return None
    message = _("Record %(code)s has changed since you opened it (revision %(now)d, you saw %(seen)d). "
                "It is shown as it is now, with what you typed: check it and submit again.",
                code=changed.code, now=changed.now, seen=changed.seen)
    return _page(action_spec, chosen, record, form, {"_": message}, revision=record.revision,
                 reason=reason, status=409)


def _fields_of(spec: FormSpec, action: ActionView) -> FormSpec:
    """The spec cut down to the action's fields, those it requires marked required."""
    fields = tuple(replace(f, required=f.required or f.name in action.requires)
                   for f in spec.fields if f.name in action.fields)
    return replace(spec, fields=fields)


def _as_input(spec: FormSpec, data: dict[str, Any], ctx: BuildContext) -> dict[str, Any]:
    return {f.name: REGISTRY[f.type].as_input(f, data.get(f.name), ctx) for f in spec.fields}


def _page(spec: FormSpec, action: ActionView, record: Any, form: Any, errors: dict[str, str], *,
          revision: int | None, reason: str = "", status: int = 200) -> ResponseReturnValue:
    items = summary_items(spec, form, {k: v for k, v in errors.items() if k != "reason"})
    if "reason" in errors:
        items.append(SummaryItem("reason", _("%(field)s: %(message)s", field=_("Reason"),
                                             message=errors["reason"])))
    return render_template("forms/action.html", spec=spec, action=action, record=record, form=form,
                           errors=errors, summary=items, revision=revision, reason=reason,
                           returned=pending_return(record.revisions),
                           context=_context_rows(record, action)), status


def pending_return(revisions: tuple[RevisionView, ...]) -> RevisionView | None:
    """The return for completion the record is still under (its reason is what to complete), or
    None once completed; a countersignature given meanwhile does not hide it."""
    for revision in reversed(revisions):
        if revision.action == "complete":
            return None
        if revision.action == "return":
            return revision
    return None


def _context_rows(record: RecordView, action: ActionView) -> list[dict[str, Any]]:
    """The record's other filled fields, read-only beside the action's own: the complaint a
    classification classifies, the supervisor's level on a clerk's resubmission. Masked as the
    record page masks them for this person (who may act, so needs them: in practice unmasked)."""
    spec = versions.spec_version(services().db, record.form_code, record.form_version)
    shown = shown_record(spec, current_actor(), record)
    rows = display_rows(spec, shown.data, current_locale())
    return [row for row in rows if row["field"].name not in action.fields
            and steps.filled(record.data.get(row["field"].name))]

