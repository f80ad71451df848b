"""The records office's legal-hold pages: the list (place a hold), one hold (add records by
code — each refused code named with its reason — or all a search finds, release), and the
banner that tells a held record's readers so. Adapters only: archive.holds decides. Routes on
the office blueprint (its before_request keeps other roles out)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required
from flask_wtf import FlaskForm

from archive import catalogue, holds
from archive.holds import InvalidHold
from archive.office_views import bp
from core.i18n import current_locale
from core.web import current_actor, services
from search.params import parse_params
from search.ports import search_ports
from search.query import BadSearch
from search.service import SearchResult, codes_found, search
from search.store import IndexUnavailable, instance_search_store

#: The search parameters a hold's "add by search" takes, and how many records it adds at most.
HOLD_SEARCH_ARGS = ("q", "form", "year", "state", "department", "from", "to")
MAX_HOLD_BY_SEARCH = 500


@bp.app_context_processor
def _hold_marks() -> dict[str, Any]:
    """``record_holds(code)`` for the record page's hold banner (templates/archive/_hold_banner.html)."""
    return {"record_holds": lambda code: holds.holds_on(services().db, current_actor(), code)}


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
    page = _page_arg()
    shown, older = holds.hold_summaries(s.db, current_actor(), page=page)
    if request.method == "GET" and page > 1 and not shown:
        return redirect(url_for(".hold_list"))  # past the end (an old link): the first page
    return render_template("archive/holds.html", holds=shown, page=page, older=older, form=form,
                           errors=errors, values=request.form, owners=holds.owner_choices(s.db)), \
        400 if errors else 200


def _page_arg() -> int:
    """The page asked for (``page``); anything but a page number is the first page."""
    raw = request.args.get("page", "")
    return int(raw) if raw.isdigit() and 0 < len(raw) <= 6 else 1


@bp.route("/holds/<int:hold_id>", methods=["GET", "POST"])
@login_required
def hold_detail(hold_id: int) -> ResponseReturnValue:
    s, form = services(), FlaskForm()
    errors: dict[str, str] = {}
    values: dict[str, str] = dict(request.form)
    steps: dict[str, Callable[[], Any]] = {
        "release": lambda: holds.release_hold(s.db, s.clock, current_actor(), hold_id,
                                              request.form.get("reason", "")),
        "add": lambda: holds.add_records(s.db, s.clock, current_actor(), hold_id,
                                         request.form.get("codes", "").replace(",", " ").split(),
                                         zone=s.zone),
        "add_found": lambda: _add_found(hold_id),
    }
    step, status = steps.get(request.form.get("step", "")), 200
    if form.validate_on_submit() and step is not None:
        try:
            done = step()
        except InvalidHold as invalid:
            errors, status = invalid.errors, 400
        else:
            if not _report(done):
                return redirect(url_for(".hold_detail", hold_id=hold_id))
            # some added, some refused: the page names the refused ones and keeps them to correct
            errors["codes"], values["codes"] = holds.refusal_text(done.refused), " ".join(done.refused)
    return _hold_page(hold_id, form, errors, values, status=status)


def _report(done: holds.HoldView | holds.Addition) -> bool:
    """Flash what a step did; True when some typed codes were refused and the page must show
    them (the added ones stay added)."""
    if isinstance(done, holds.HoldView):
        flash(_("The hold is released."), "success")
        return False
    if done.added:
        flash(ngettext("%(num)d record added to the hold: %(codes)s.",
                       "%(num)d records added to the hold: %(codes)s.", len(done.added),
                       codes=", ".join(done.added)), "success")
    if done.already:
        flash(_("Already on the hold: %(codes)s.", codes=", ".join(done.already)), "info")
    return bool(done.refused)


def _hold_page(hold_id: int, form: FlaskForm, errors: dict[str, str], values: dict[str, str], *,
               status: int) -> ResponseReturnValue:
    hold = holds.get_hold(services().db, current_actor(), hold_id)
    search_args = {k: v for k, v in request.args.items() if k in HOLD_SEARCH_ARGS and v.strip()}
    found = None
    if search_args and hold.active:
        try:
            found = _search_preview(search_args)
        except (BadSearch, InvalidHold) as problem:
            errors["search"] = _search_problem(problem)
            status = 400
    return render_template("archive/hold.html", hold=hold, form=form, errors=errors, values=values,
                           search_args=search_args, found=found, max_found=MAX_HOLD_BY_SEARCH,
                           choices=_search_choices()), status


def _search_choices() -> dict[str, list[tuple[str, str]]]:
    """The forms and years a hold's search offers: each current form by name, and every year
    that has record codes, this year and last year included."""
    s = services()
    labels = search_ports().facet_labels(current_locale())
    this_year = s.clock.now().astimezone(s.zone).year
    years = sorted(catalogue.code_years(s.db) | {this_year, this_year - 1}, reverse=True)
    return {"form": sorted((code, f"{code} {name}") for code, name in labels.get("form", {}).items()),
            "year": [(str(y), str(y)) for y in years]}


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
    return search_ports().shown(actor, params.text, result)


def _add_found(hold_id: int) -> holds.Addition:
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
