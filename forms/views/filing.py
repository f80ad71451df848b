"""The renewal register's monthly filing page (one page of the month at a time) and its printed
catalogue (the whole month)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Response, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from core.clock import local
from core.errors import render_error
from core.web import current_actor, page_number, services
from forms import renewal_filing as service
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
    s, month, asked = services(), _month(), page_number()
    shown = service.filing_page(s.db, s.clock, s.zone, current_actor(), month, page=asked)
    if shown.page < asked:  # past the end (an old link, a typed number): the month's last page
        return redirect(url_for("forms.filing_page", month=month.isoformat()[:7], page=shown.page))
    return render_template("forms/filing.html", filing=shown, entries=shown.entries, month=month)


@login_required
def filing_catalogue() -> ResponseReturnValue:
    month = _month()
    entries = service.monthly_filing(services().db, services().clock, services().zone, current_actor(), month,
                             purpose="print")
    try:
        renderer = thread_renderer(current_app.config, Path(current_app.instance_path))
    except PdfSetupError as exc:
        return render_error(503, str(exc))
    pdf = service.catalogue_pdf(renderer, entries, month, company=current_app.config["COMPANY_NAME"],
                        printed_at=local(services().clock.now(), services().zone))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="RS-catalogue-{month.isoformat()[:7]}.pdf"'})
