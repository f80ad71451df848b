"""The records office's pages: the filing queue, the catalogue (with CSV), legal holds, the
disposal lists and the review list. Adapters only: every rule and permission is in the
services (archive.filing, catalogue, holds, disposal)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm

from archive import catalogue, disposal, holds
from archive.disposal import HOOKS_EXTENSION, DisposalRefused
from archive.filing import filing_queue
from archive.holds import InvalidHold
from core.web import current_actor, services

bp = Blueprint("archive_office", __name__, url_prefix="/archive")
#: app.extensions key: a callable giving each form's FilingRule (registered by forms).
FILING_RULES = "dossier.filing_rules"


@bp.get("/")
@login_required
def office() -> ResponseReturnValue:
    s = services()
    waiting = filing_queue(s.db, s.clock, current_actor(), current_app.extensions[FILING_RULES]())
    return render_template("archive/office.html", waiting=waiting, form=FlaskForm())


@bp.get("/catalogue")
@login_required
def catalogue_page() -> ResponseReturnValue:
    s = services()
    form_code = request.args.get("form", "CP").strip().upper()[:8]
    year_text = request.args.get("year", str(s.clock.now().astimezone(s.zone).year))
    if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
        flash(_("The year must be a number from 2000 to 2100."), "error")
        return render_template("archive/catalogue.html", entries=[], volumes=[], form_code=form_code,
                               year=year_text, volume=""), 400
    year, volume = int(year_text), request.args.get("volume", "").strip()
    as_csv = request.args.get("format") == "csv"
    entries = catalogue.catalogue(s.db, s.clock, s.zone, current_actor(), form_code, year, volume or None,
                                  purpose="export" if as_csv else "list")
    if as_csv:
        return _csv(entries, f"catalogue-{form_code}-{year}{'-' + volume if volume else ''}.csv")
    return render_template("archive/catalogue.html", entries=entries, form_code=form_code, year=year,
                           volume=volume, volumes=catalogue.volumes(s.db, current_actor(), form_code, year))


def _csv(entries: list[catalogue.CatalogueEntry], name: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["number", "code", "title", "pages", "formed", "volume", "retention_class",
                     "retention_until"])
    for e in entries:
        writer.writerow([e.number, e.code, e.title, e.pages or "", e.formed.isoformat(), e.volume,
                         e.retention_class,
                         e.retention_until.isoformat() if e.retention_until else "permanent"])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/holds", methods=["GET", "POST"])
@login_required
def hold_list() -> ResponseReturnValue:
    s, form = services(), FlaskForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            hold = holds.create_hold(s.db, s.clock, current_actor(), name=request.form.get("name", ""),
                                     reason=request.form.get("reason", ""),
                                     owner=request.form.get("owner", ""))
        except InvalidHold as invalid:
            errors = invalid.errors
        else:
            flash(_("Legal hold %(id)d placed.", id=hold.id), "success")
            return redirect(url_for(".hold_detail", hold_id=hold.id))
    return render_template("archive/holds.html", holds=holds.list_holds(s.db, current_actor()), form=form,
                           errors=errors, values=request.form), 400 if errors else 200


@bp.route("/holds/<int:hold_id>", methods=["GET", "POST"])
@login_required
def hold_detail(hold_id: int) -> ResponseReturnValue:
    s, form = services(), FlaskForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        step = request.form.get("step")
        try:
            if step == "release":
                holds.release_hold(s.db, s.clock, current_actor(), hold_id, request.form.get("reason", ""))
                flash(_("The hold is released."), "success")
            else:
                codes = request.form.get("codes", "").replace(",", " ").split()
                holds.add_records(s.db, s.clock, current_actor(), hold_id, codes)
                flash(_("Records added to the hold."), "success")
        except InvalidHold as invalid:
            errors = invalid.errors
        else:
            return redirect(url_for(".hold_detail", hold_id=hold_id))
    hold = holds.get_hold(s.db, current_actor(), hold_id)
    return render_template("archive/hold.html", hold=hold, form=form, errors=errors,
                           values=request.form), 400 if errors else 200


@bp.route("/disposal", methods=["GET", "POST"])
@login_required
def disposal_page() -> ResponseReturnValue:
    s, form = services(), FlaskForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            listed = disposal.propose(s.db, s.clock, s.zone, current_actor(),
                                      request.form.getlist("code"), request.form.get("note", ""))
        except DisposalRefused as refused:
            errors = refused.errors
        else:
            flash(_("Destruction list %(id)d proposed; an administrator approves it.", id=listed.id),
                  "success")
            return redirect(url_for(".disposal_list", list_id=listed.id))
    due = disposal.due_list(s.db, s.clock, s.zone, current_actor())
    return render_template("archive/disposal.html", due=due, lists=disposal.list_lists(s.db, current_actor()),
                           form=form, errors=errors), 400 if errors else 200


@bp.route("/disposal/<int:list_id>", methods=["GET", "POST"])
@login_required
def disposal_list(list_id: int) -> ResponseReturnValue:
    s, form = services(), FlaskForm()
    errors: dict[str, str] = {}
    steps: dict[str, Callable[[], Any]] = {
        "approve": lambda: disposal.decide(s.db, s.clock, current_actor(), list_id, approve=True),
        "reject": lambda: disposal.decide(s.db, s.clock, current_actor(), list_id, approve=False,
                                          reason=request.form.get("reason", "")),
        "execute": lambda: disposal.execute(s.db, s.clock, s.zone, current_actor(), list_id,
                                            current_app.extensions[HOOKS_EXTENSION]()),
    }
    step = steps.get(request.form.get("step", ""))
    if form.validate_on_submit() and step is not None:
        try:
            step()
        except DisposalRefused as refused:
            errors = refused.errors
        else:
            flash(_("Done."), "success")
            return redirect(url_for(".disposal_list", list_id=list_id))
    listed = disposal.get_list(s.db, current_actor(), list_id)
    return render_template("archive/disposal_list.html", listed=listed, form=form, errors=errors), \
        400 if errors else 200


@bp.route("/review", methods=["GET", "POST"])
@login_required
def review_page() -> ResponseReturnValue:
    s, form = services(), FlaskForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        years = request.form.get("keep_years", "")
        try:
            disposal.review(s.db, s.clock, s.zone, current_actor(), request.form.get("code", ""),
                            keep_years=int(years) if years.isdigit() else -1,
                            reason=request.form.get("reason", ""))
        except DisposalRefused as refused:
            errors = refused.errors
        else:
            flash(_("Decision recorded."), "success")
            return redirect(url_for(".review_page"))
    due = disposal.due_list(s.db, s.clock, s.zone, current_actor(), action="review")
    return render_template("archive/review.html", due=due, form=form, errors=errors), 400 if errors else 200
