"""The records office's pages: the filing queue, the catalogue (with CSV), legal holds, the
disposal lists and the review list. Adapters only: every rule and permission is in the
services (archive.filing, catalogue, holds, disposal)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from archive import catalogue, disposal, retention
from archive.disclosure import shown_titles
from archive.disposal import DisposalRefused
from archive.filing import queue_page
from archive.office import require_records_office
from archive.ports import archive_ports
from archive.retention import ClassView
from core.clock import local
from core.errors import render_error
from core.i18n import current_locale
from core.web import current_actor, services

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


#: How each catalogue output is audited (``record.<purpose>``).
CATALOGUE_PURPOSES = {"csv": "export", "pdf": "print"}
#: The id prefix of each review form field on the review list (its rows' fields end in the code).
REVIEW_FIELDS = {"keep_years": "keep", "reason": "reason"}


@bp.get("/")
@login_required
def office() -> ResponseReturnValue:
    s = services()
    queue = queue_page(s.db, s.clock, current_actor(), archive_ports().filing_rules(),
                       page=_page_arg("page"))
    if queue.page > 1 and not queue.items:
        return redirect(url_for(".office"))  # past the end (an old link): the first page
    waiting = shown_titles(s.db, current_actor(), queue.items)
    return render_template("archive/office.html", waiting=waiting, queue=queue, form=FlaskForm())


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
    if output in CATALOGUE_PURPOSES:
        return _catalogue_file(form_code, year, volume, output)
    shown = catalogue.catalogue_page(s.db, s.clock, s.zone, current_actor(), form_code, year, volume or None,
                                     page=_page_arg("page"))
    entries = shown_titles(s.db, current_actor(), shown.entries)  # this page's titles alone
    return render_template("archive/catalogue.html", entries=entries, shown=shown, form_code=form_code,
                           year=year, volume=volume, volumes=shown.volumes)


def _catalogue_file(form_code: str, year: int, volume: str, output: str) -> ResponseReturnValue:
    """The whole catalogue (every page) as CSV or as a printed PDF."""
    s = services()
    entries = catalogue.catalogue(s.db, s.clock, s.zone, current_actor(), form_code, year, volume or None,
                                  purpose=CATALOGUE_PURPOSES[output])
    entries = shown_titles(s.db, current_actor(), entries)
    name = f"catalogue-{form_code}-{year}{'-' + volume if volume else ''}"
    if output == "csv":
        return _csv(entries, f"{name}.csv")
    return _pdf(entries, catalogue.CatalogueHeading(form_code, year, volume or None,
                                                    local(s.clock.now(), s.zone)), f"{name}.pdf")


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
    printer = archive_ports().catalogue_printer()
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
    due = disposal.due_page(s.db, s.clock, s.zone, current_actor(), page=_page_arg("page"))
    lists, older = disposal.recent_lists(s.db, current_actor(), page=_page_arg("lists"))
    past_end = (due.page > 1 and not due.items) or (_page_arg("lists") > 1 and not lists)
    if request.method == "GET" and past_end:
        return redirect(url_for(".disposal_page"))  # past the end (an old link): the first pages
    return render_template("archive/disposal.html", due=shown_titles(s.db, current_actor(), due.items),
                           due_page=due, lists=lists, lists_page=_page_arg("lists"), older_lists=older,
                           form=form, errors=errors), 400 if errors else 200


def _page_arg(name: str) -> int:
    """A page number from the query (``name``); anything else is the first page."""
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and 0 < len(raw) <= 6 else 1


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
                                            archive_ports().disposal_hooks()),
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
    due = disposal.due_page(s.db, s.clock, s.zone, current_actor(), action="review", page=_page_arg("page"))
    if request.method == "GET" and due.page > 1 and not due.items:
        return redirect(url_for(".review_page"))  # past the end (an old link): the first page
    return render_template("archive/review.html", due=shown_titles(s.db, current_actor(), due.items),
                           due_page=due, form=form, errors=errors), 400 if errors else 200
