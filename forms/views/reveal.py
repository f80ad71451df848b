"""Revealing one record's personal fields with a reason (:mod:`forms.reveal`), and the
auditor's list of reveals. The revealed values are shown on the answer to the POST only and
are not cached: reloading the record page shows them masked again."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from archive.records import RecordView
from core.i18n import current_locale, pick
from core.web import current_actor, services
from forms import versions
from forms.reveal import (
    MAX_REASON,
    Revealed,
    RevealRefused,
    list_reveals,
    may_reveal,
    personal_fields,
    require_reveal_role,
    reveal,
)
from forms.views.page_forms import RevealForm, expired
from forms.views.records import display_rows, history


@login_required
def reveal_page(code: str) -> ResponseReturnValue:
    """GET: the form asking why; POST: the personal fields whole, once (audited)."""
    if request.method == "GET":
        require_reveal_role(current_actor())  # a POST is refused, and audited, by the service
    s, form, errors = services(), RevealForm(), {}
    reason = form.reason.data
    if form.validate_on_submit():
        try:
            revealed = reveal(s.db, s.clock, current_actor(), code, reason)
        except RevealRefused as refused:
            if "record" in refused.errors:
                return redirect(url_for("forms.record", code=code))
            errors = refused.errors
        else:
            return _revealed(revealed, reason.strip())
    elif request.method == "POST":
        errors = {"reason": _("The form expired. Submit again.") if expired(form) else form.reason.errors[0]}
    return render_template("forms/reveal.html", code=code, form=form, errors=errors, reason=reason,
                           max_reason=MAX_REASON), 400 if errors else 200


def _revealed(revealed: Revealed, reason: str) -> ResponseReturnValue:
    """The personal fields as they are now, and how corrections changed them (the earlier
    phone a customer is known by), whole."""
    locale, fields = current_locale(), personal_fields(revealed.spec)
    rows = [row for row in display_rows(revealed.spec, revealed.record.data, locale)
            if row["field"] in fields]
    labels = {pick(f.label) for f in fields}
    changes = [(entry, change) for entry in history(revealed.spec, revealed.record, locale)
               for change in entry.changes if change.label in labels]
    response = make_response(render_template("forms/revealed.html", record=revealed.record,
                                             spec=revealed.spec, rows=rows, changes=changes,
                                             reason=reason))
    response.headers["Cache-Control"] = "no-store"  # shown once: not kept by the browser either
    return response


@login_required
def reveal_list() -> ResponseReturnValue:
    return render_template("forms/reveals.html", reveals=list_reveals(services().db, current_actor()))


def reveal_offered(record: RecordView) -> bool:
    """Template global: whether the record page offers the signed-in user to reveal ``record``."""
    spec = versions.spec_version(services().db, record.form_code, record.form_version)
    return may_reveal(spec, current_actor(), record)

