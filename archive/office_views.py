"""The records office's pages: the filing queue, the catalogue (with CSV), legal holds, the
disposal lists and the review list. Adapters only: every rule and permission is in the
services (archive.filing, catalogue, holds, disposal)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from archive import catalogue, disposal, holds, retention
from archive.disclosure import shown_titles
from archive.disposal import HOOKS_EXTENSION, DisposalRefused
from archive.filing import filing_queue
from archive.holds import InvalidHold
from archive.office import require_records_office
from archive.retention import ClassView
from core.auth.roles import Actor
from core.clock import local
from core.errors import render_error
from core.i18n import current_locale
from core.web import current_actor, services
from search.params import parse_params
from search.query import BadSearch
from search.service import SHOWN, SearchResult, as_indexed, codes_found, search
from search.store import IndexUnavailable, instance_search_store

bp = Blueprint("archive_office", __name__, url_prefix="/archive")


@bp.before_request
def _office_only() -> None:
    """Every page here is the records office's: refuse others before any parameter is read, so
    that a bad one does not show them the page with its error (the services check again)."""
    if current_user.is_authenticated:  # others are sent to log in by login_required
        require_records_office(current_actor())


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"list_states": disposal.state_labels()}


@bp.app_context_processor
def _retention_names() -> dict[str, Any]:
    return {"class_name": _class_names()}  # app-wide: a destroyed record's page shows its class


def _class_names() -> Callable[[str], str]:
    """``class_name(code)`` for the pages: "code name" in the page's language, the classes read
    once per page and only if the page shows one (a code no class has any more shows alone)."""
    names: dict[str, ClassView] = {}

    def class_name(code: str) -> str:
        if not names:
            names.update((c.code, c) for c in retention.list_classes(services().db))
        found = names.get(code)
        if found is None:
            return code
        return f"{code} {found.name_zh if current_locale() == 'zh' else found.name_en}"

    return class_name


#: app.extensions key: a callable giving each form's FilingRule (registered by forms).
FILING_RULES = "dossier.filing_rules"
#: app.extensions key: a callable giving the :class:`archive.catalogue.CataloguePrinter`
#: (registered by forms).
CATALOGUE_PRINTER = "dossier.catalogue_printer"
#: How each catalogue output is audited (``record.<purpose>``).
CATALOGUE_PURPOSES = {"csv": "export", "pdf": "print"}
#: The search parameters a hold's "add by search" takes, and how many records it adds at most.
HOLD_SEARCH_ARGS = ("q", "form", "year", "state", "department", "from", "to")
MAX_HOLD_BY_SEARCH = 500
#: The id prefix of each review form field on the review list (its rows' fields end in the code).
REVIEW_FIELDS = {"keep_years": "keep", "reason": "reason"}


@bp.get("/")
@login_required
def office() -> ResponseReturnValue:
    s = services()
    waiting = filing_queue(s.db, s.clock, current_actor(), current_app.extensions[FILING_RULES]())
    waiting = shown_titles(s.db, current_actor(), waiting)
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
    output = request.args.get("format", "")
    entries = catalogue.catalogue(s.db, s.clock, s.zone, current_actor(), form_code, year, volume or None,
                                  purpose=CATALOGUE_PURPOSES.get(output, "list"))
    entries = shown_titles(s.db, current_actor(), entries)
    name = f"catalogue-{form_code}-{year}{'-' + volume if volume else ''}"
    if output == "csv":
        return _csv(entries, f"{name}.csv")
    if output == "pdf":
        return _pdf(entries, catalogue.CatalogueHeading(form_code, year, volume or None,
                                                        local(s.clock.now(), s.zone)), f"{name}.pdf")
    return render_template("archive/catalogue.html", entries=entries, form_code=form_code, year=year,
                           volume=volume, volumes=catalogue.volumes(s.db, current_actor(), form_code, year))


@bp.get("/tombstones")
@login_required
def tombstone_page() -> ResponseReturnValue:
    """Destroyed records: what existed, when it went and on whose approval."""
    s = services()
    form_code = request.args.get("form", "").strip().upper()[:8]
    year_text = request.args.get("year", "").strip()
    if year_text and (not year_text.isdigit() or not 2000 <= int(year_text) <= 2100):
        errors, found = {"year": _("The year must be a number from 2000 to 2100.")}, []
    else:
        errors, found = {}, catalogue.tombstones(s.db, s.clock, current_actor(), form_code=form_code or None,
                                                 year=int(year_text) if year_text else None)
    return render_template("archive/tombstones.html", tombstones=found, form_code=form_code, year=year_text,
                           errors=errors), 400 if errors else 200


def _pdf(entries: list[catalogue.CatalogueEntry], heading: catalogue.CatalogueHeading,
         name: str) -> ResponseReturnValue:
    printer: catalogue.CataloguePrinter = current_app.extensions[CATALOGUE_PRINTER]()
    try:
        pdf = printer(heading, entries)
    except catalogue.PrintUnavailable as exc:
        return render_error(503, str(exc))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


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
    steps: dict[str, Callable[[], Any]] = {
        "release": lambda: holds.release_hold(s.db, s.clock, current_actor(), hold_id,
                                              request.form.get("reason", "")),
        "add": lambda: holds.add_records(s.db, s.clock, current_actor(), hold_id,
                                         request.form.get("codes", "").replace(",", " ").split()),
        "add_found": lambda: _add_found(hold_id),
    }
    step = steps.get(request.form.get("step", ""))
    if form.validate_on_submit() and step is not None:
        try:
            step()
        except InvalidHold as invalid:
            errors = invalid.errors
        else:
            flash(_("The hold is released.") if request.form["step"] == "release"
                  else _("Records added to the hold."), "success")
            return redirect(url_for(".hold_detail", hold_id=hold_id))
    hold = holds.get_hold(s.db, current_actor(), hold_id)
    search_args = {k: v for k, v in request.args.items() if k in HOLD_SEARCH_ARGS and v.strip()}
    found, status = None, 400 if errors else 200
    if search_args and hold.active:
        try:
            found = _search_preview(search_args)
        except (BadSearch, InvalidHold) as problem:
            errors["search"] = _search_problem(problem)
            status = 400
    return render_template("archive/hold.html", hold=hold, form=form, errors=errors, values=request.form,
                           search_args=search_args, found=found, max_found=MAX_HOLD_BY_SEARCH), status


def _search_preview(args: dict[str, str]) -> SearchResult:
    """The first page of what a hold search finds, as the archivist may read it (audited as a
    search; the records office sees every department)."""
    s, actor = services(), current_actor()
    params = parse_params(args, default_per_page=50)
    try:
        result = search(s.db, s.clock, s.zone, instance_search_store(current_app.instance_path), actor,
                        text=params.text, filters=params.filters, sort="newest", per_page=params.per_page)
    except IndexUnavailable:
        raise InvalidHold({"search": _("Search is not available now; add the records by code.")}) from None
    shown: Callable[[Actor, str, SearchResult], SearchResult] = current_app.extensions.get(SHOWN, as_indexed)
    return shown(actor, params.text, result)


def _add_found(hold_id: int) -> holds.HoldView:
    s = services()
    args = {k: v for k, v in request.form.items() if k in HOLD_SEARCH_ARGS and v.strip()}
    try:
        params = parse_params(args)
        codes = codes_found(instance_search_store(current_app.instance_path), s.zone, params,
                            limit=MAX_HOLD_BY_SEARCH)
    except BadSearch as exc:
        raise InvalidHold({"search": _search_problem(exc)}) from None
    except IndexUnavailable:
        raise InvalidHold({"search": _("Search is not available now; add the records by code.")}) from None
    return holds.add_found(s.db, s.clock, current_actor(), hold_id, codes, search=urlencode(args),
                           limit=MAX_HOLD_BY_SEARCH)


def _search_problem(problem: BadSearch | InvalidHold) -> str:
    if isinstance(problem, InvalidHold):
        return problem.errors["search"]
    labels = {"q": _("Words"), "form": _("Form"), "year": _("Year"), "state": _("State"),
              "department": _("Department"), "from": _("Submitted from"), "to": _("Submitted to")}
    return _("%(field)s: %(message)s", field=labels.get(problem.field, problem.field),
             message=problem.message)


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
    due = shown_titles(s.db, current_actor(), disposal.due_list(s.db, s.clock, s.zone, current_actor()))
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
            done = step()
        except DisposalRefused as refused:
            errors = refused.errors
        else:
            register = getattr(done, "register_code", "") or "—"
            flash({"approve": _("Destruction list approved; an archivist can now execute it."),
                   "reject": _("Destruction list rejected."),
                   "execute": _("Destruction list executed; the destruction register is %(code)s.",
                                code=register)}[request.form["step"]], "success")
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
        except DisposalRefused as refused:  # each row is a form: name the row's own field
            code = request.form.get("code", "")
            errors = {f"{REVIEW_FIELDS.get(name, 'row')}-{code}": message
                      for name, message in refused.errors.items()}
        else:
            flash(_("Decision recorded."), "success")
            return redirect(url_for(".review_page"))
    due = shown_titles(s.db, current_actor(),
                       disposal.due_list(s.db, s.clock, s.zone, current_actor(), action="review"))
    return render_template("archive/review.html", due=due, form=form, errors=errors), 400 if errors else 200
