"""The renewal register's monthly filing page and its printed catalogue."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from core.clock import local
from core.errors import render_error
from core.web import current_actor, services
from forms.filing import catalogue_pdf, monthly_filing
from forms.pdf.fonts import PdfSetupError
from forms.pdf.service import thread_renderer


def _month() -> date:
    raw = request.args.get("month", "")
    try:
        return date.fromisoformat(f"{raw}-01")
    except ValueError:
        return local(services().clock.now(), services().zone).date().replace(day=1)


@login_required
def filing_page() -> ResponseReturnValue:
    month = _month()
    entries = monthly_filing(services().db, services().clock, services().zone, current_actor(), month)
    return render_template("forms/filing.html", entries=entries, month=month)


@login_required
def filing_catalogue() -> ResponseReturnValue:
    month = _month()
    entries = monthly_filing(services().db, services().clock, services().zone, current_actor(), month,
                             purpose="print")
    try:
        renderer = thread_renderer(current_app.config, Path(current_app.instance_path))
    except PdfSetupError as exc:
        return render_error(503, str(exc))
    pdf = catalogue_pdf(renderer, entries, month, company=current_app.config["COMPANY_NAME"],
                        printed_at=local(services().clock.now(), services().zone))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="RS-catalogue-{month.isoformat()[:7]}.pdf"'})
