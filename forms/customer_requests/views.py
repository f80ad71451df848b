"""The personal data request's pages: the request with its gathered records (each with the
duty that keeps it), the decider's per-record decisions, gathering and carrying out (the
workflow's own actions), and the customer's copy as PDF. Adapters only: each parses the form,
calls one service and renders; the services decide who may."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from core.web import current_actor, services
from forms.customer_requests.carrying import carry_out_request
from forms.customer_requests.copy import CopyRequest, customer_copy, own_fields
from forms.customer_requests.deciding import Decision, decide, request_page
from forms.customer_requests.duty import LABELS
from forms.pdf.service import thread_renderer
from forms.validation import InvalidData
from forms.workflow import ActionRefused, act

bp = Blueprint("customer_requests", __name__)
MAX_CORRECTION = 2000


@login_required
def request_view(code: str) -> ResponseReturnValue:
    return _page(code, {})


def _page(code: str, errors: dict[str, str], status: int = 200) -> ResponseReturnValue:
    s = services()
    page = request_page(s.db, s.clock, s.zone, current_actor(), code)
    return render_template("customer_requests/request.html", page=page, errors=errors, duties=LABELS,
                           now=s.clock.now()), status


@login_required
def decide_view(code: str, record_code: str) -> ResponseReturnValue:
    """POST: one record's decision; a wrong one is answered on the page, naming what is wrong."""
    s, form = services(), request.form
    include = {"yes": True, "no": False}.get(form.get("include", ""))
    deletion = form.get("deletion") or None
    try:
        correction = _correction(form.get("correction_field", ""), form.get("correction_value", ""))
        decide(s.db, s.clock, s.zone, current_actor(), code, record_code,
               Decision(include, deletion, form.get("keep_reason", ""), correction))
    except (InvalidData, ActionRefused) as problem:
        errors = problem.errors if isinstance(problem, InvalidData) else {"decisions": str(problem)}
        return _page(code, {f"{record_code}-{k}": v for k, v in errors.items()}, 400)
    return redirect(url_for("customer_requests.request_view", code=code) + f"#item-{record_code}")


def _correction(field: str, value: str) -> dict[str, str] | None:
    field, value = field.strip(), value.strip()
    if not field:
        return None
    if not value:
        raise InvalidData({"correction": _("Give the corrected value of the field you chose.")})
    if len(value) > MAX_CORRECTION:
        raise InvalidData({"correction": _("At most %(n)d characters.", n=MAX_CORRECTION)})
    return {field: value}


@login_required
def action_view(code: str, action: str) -> ResponseReturnValue:
    """POST: gather, carry out or close, through the workflow (its rules do the work)."""
    if action not in ("gather", "carry_out", "close"):
        return _page(code, {"decisions": _("There is no such step.")}, 400)
    s, revision = services(), _revision(request.form.get("revision", ""))
    try:
        if action == "carry_out":
            carry_out_request(s.db, s.clock, s.zone, current_actor(), code, revision=revision)
        else:
            act(s.db, s.clock, s.zone, current_actor(), code, action, revision=revision)
    except (InvalidData, ActionRefused) as problem:
        errors = problem.errors if isinstance(problem, InvalidData) else {"decisions": str(problem)}
        return _page(code, errors, 400)
    return redirect(url_for("customer_requests.request_view", code=code))


def _revision(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


@login_required
def copy_view(code: str) -> ResponseReturnValue:
    s, config = services(), current_app.config
    settings = CopyRequest(s.db, s.clock, s.zone, config["COMPANY_NAME"],
                           own_fields(config.get("CUSTOMER_FIELDS")))
    renderer = thread_renderer(config, Path(current_app.instance_path))
    response = make_response(customer_copy(settings, renderer, current_actor(), code))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{code}-answer.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


bp.add_url_rule("/customer-requests/<code>", "request_view", request_view)
bp.add_url_rule("/customer-requests/<code>/records/<record_code>", "decide", decide_view, methods=["POST"])
bp.add_url_rule("/customer-requests/<code>/<action>", "act", action_view, methods=["POST"])
bp.add_url_rule("/customer-requests/<code>/answer.pdf", "copy", copy_view)
