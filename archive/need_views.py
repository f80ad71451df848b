"""Need-to-know pages: the reason form a refused read shows, and the auditor's report.

When a service raises :class:`ReasonRequired` on a page, :func:`ask_reason` (the app's handler
for it) answers that page with a short form instead of a refusal; the form posts the reason to
:func:`state` and returns to the page the user asked for, only ever a path on this site. On the
API the same refusal is a 403 problem ``reason_required`` (:func:`core.api.forbidden`).
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField

from archive.need_report import DateRange, as_csv, need_report, require_report_role
from archive.need_to_know import MAX_REASON, MIN_REASON, ReasonRequired, state_reason
from archive.records import CODE_MAX_LENGTH
from core.api import forbidden, is_api_request
from core.web import current_actor, services


class ReasonForm(FlaskForm):
    """Why the user needs the record; where to go back to (checked by :func:`local_path`)."""

    reason = TextAreaField(default="")
    code = HiddenField(default="")
    next = HiddenField(default="")


def local_path(target: str | None, fallback: str) -> str:
    """``target`` if it is a path on this site (``/records/…``), else ``fallback``: never another
    host (``//evil``, ``https://…``, ``/\\evil``), so the form cannot be an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return fallback
    return target


def ask_reason(refused: ReasonRequired) -> ResponseReturnValue:
    """The app's answer to :class:`ReasonRequired`: the reason form (403: the page was not
    shown), or on the API the JSON problem."""
    if is_api_request():
        return forbidden(refused)
    back = request.full_path.rstrip("?") if request.method == "GET" else _record_page(refused.code)
    form = ReasonForm(formdata=None, code=refused.code, next=back)
    return _form_page(form, refused.code, {}, str(refused)), 403


@login_required
def state() -> ResponseReturnValue:
    """GET: the form (for ``?code=…&next=…``); POST: record the reason, then go back."""
    form = ReasonForm() if request.method == "POST" else ReasonForm(
        formdata=None, code=request.args.get("code", ""), next=request.args.get("next", ""))
    code = (form.code.data or "")[:CODE_MAX_LENGTH]
    if not code:
        return redirect(url_for("forms.home"))
    if request.method == "GET":
        return _form_page(form, code, {}, None)
    if not form.validate_on_submit():
        return _form_page(form, code, {"reason": _("The form expired. Submit again.")}, None), 400
    s = services()
    try:
        state_reason(s.db, s.clock.now(), current_actor(), code, form.reason.data or "")
    except ReasonRequired as refused:
        return _form_page(form, code, {"reason": refused.problem or str(refused)}, None), 400
    return redirect(local_path(form.next.data, _record_page(code)))


@login_required
def report() -> ResponseReturnValue:
    actor = current_actor()
    require_report_role(actor)
    days, errors = _date_range()
    s = services()
    lines = [] if errors else need_report(s.db, s.clock.now(), actor, days, s.zone)
    start, end = request.args.get("from", "").strip(), request.args.get("to", "").strip()
    csv_url = url_for("archive.need_report_csv", **{k: v for k, v in (("from", start), ("to", end)) if v})
    return render_template("need_to_know/report.html", lines=lines, errors=errors, start=start, end=end,
                           csv_url=csv_url), 400 if errors else 200


@login_required
def report_csv() -> ResponseReturnValue:
    actor = current_actor()
    require_report_role(actor)
    days, errors = _date_range()
    if errors:
        return Response("; ".join(errors.values()), status=400, mimetype="text/plain")
    s = services()
    lines = need_report(s.db, s.clock.now(), actor, days, s.zone)
    name = f"need-to-know-{days.start or 'start'}-{days.end or 'now'}.csv"
    return Response(as_csv(lines, s.zone), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _date_range() -> tuple[DateRange, dict[str, str]]:
    """The ``from``/``to`` days asked for (YYYY-MM-DD, either may be empty), or what is wrong."""
    found: dict[str, date | None] = {}
    errors: dict[str, str] = {}
    for name, label in (("from", _("From")), ("to", _("To"))):
        text = request.args.get(name, "").strip()
        try:
            found[name] = date.fromisoformat(text) if text else None
        except ValueError:
            found[name] = None
            errors[name] = _("%(field)s: give a date as YYYY-MM-DD, such as 2026-12-01.", field=label)
    start, end = found["from"], found["to"]
    if start and end and start > end:
        errors["to"] = _("The range ends before it starts: put the earlier date in From.")
    return DateRange(start, end), errors


def _record_page(code: str) -> str:
    return url_for("forms.record", code=code)


def _form_page(form: ReasonForm, code: str, errors: dict[str, str], message: str | None) -> str:
    return render_template("need_to_know/reason.html", form=form, code=code, errors=errors, message=message,
                           min_reason=MIN_REASON, max_reason=MAX_REASON,
                           back=local_path(form.next.data, _record_page(code)))
