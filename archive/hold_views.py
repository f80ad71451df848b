"""The records office's legal-hold pages: the list (place a hold), one hold (add records by
code — each refused code named with its reason — or all a search finds, release), and the
banner that tells a held record's readers so. Adapters only: archive.holds decides; the
addresses are in archive.routes, the input in archive.page_forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from archive import catalogue, holds
from archive.holds import InvalidHold
from archive.page_actions import records_office_page, try_form, try_step
from archive.page_forms import AddCodesForm, AddFoundForm, HoldForm, HoldSearchForm, ReleaseForm
from core.i18n import current_locale
from core.web import current_actor, page_number, services
from search.backend import BackendUnavailable
from search.backends import current_backend
from search.params import parse_params
from search.ports import search_ports
from search.query import BadSearch
from search.service import SearchResult, codes_found, search

#: How many records a hold's "add by search" adds at most.
MAX_HOLD_BY_SEARCH = 500


def hold_marks() -> dict[str, Any]:
    """App-wide ``record_holds(code)`` for the record page's hold banner
    (templates/archive/_hold_banner.html)."""
    return {"record_holds": lambda code: holds.holds_on(services().db, current_actor(), code)}


@records_office_page
def hold_list() -> ResponseReturnValue:
    s, form = services(), HoldForm()
    form.owner.choices = [(username, f"{name} ({username})") for username, name in holds.owner_choices(s.db)]
    placed = try_form(form, lambda: holds.create_hold(
        s.db, s.clock, current_actor(), name=form.name.data or "", reason=form.reason.data or "",
        owner=form.owner.data or ""))
    if placed.accepted and placed.done is not None:
        flash(_("Legal hold %(id)d placed.", id=placed.done.id), "success")
        return redirect(url_for(".hold_detail", hold_id=placed.done.id))
    page = page_number()
    shown, older = holds.hold_summaries(s.db, current_actor(), page=page)
    if request.method == "GET" and page > 1 and not shown:
        return redirect(url_for(".hold_list"))  # past the end (an old link): the first page
    return render_template("archive/holds.html", holds=shown, page=page, older=older, form=form,
                           errors=placed.errors), 400 if placed.errors else 200


@records_office_page
def hold_detail(hold_id: int) -> ResponseReturnValue:
    """One hold; its three forms (add by code, add what a search finds, release) are told apart
    by their ``step``."""
    s = services()
    add, add_found, release = AddCodesForm(), AddFoundForm(), ReleaseForm()
    actions: dict[str, Callable[[], holds.HoldView | holds.Addition]] = {
        "add": lambda: holds.add_records(s.db, s.clock, current_actor(), hold_id, add.typed_codes(),
                                         zone=s.zone),
        "add_found": lambda: _add_found(hold_id, add_found.args()),
        "release": lambda: holds.release_hold(s.db, s.clock, current_actor(), hold_id,
                                              release.reason.data or ""),
    }
    taken = try_step((add, add_found, release), actions)
    errors = dict(taken.errors)
    if taken.accepted and taken.done is not None:
        if not _report(taken.done):
            return redirect(url_for(".hold_detail", hold_id=hold_id))
        if isinstance(taken.done, holds.Addition):
            # some added, some refused: the page names the refused ones and keeps them to correct
            errors["codes"] = holds.refusal_text(taken.done.refused)
            add.codes.data = " ".join(taken.done.refused)
    return _hold_page(hold_id, add, release, errors, status=400 if taken.errors else 200)


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


def _hold_page(hold_id: int, add: AddCodesForm, release: ReleaseForm, errors: dict[str, str], *,
               status: int) -> ResponseReturnValue:
    hold = holds.get_hold(services().db, current_actor(), hold_id)
    search_form = HoldSearchForm(formdata=request.args)
    search_args = search_form.args()
    found = None
    if search_args and hold.active:
        try:
            found = _search_preview(search_args)
        except (BadSearch, InvalidHold) as problem:
            errors["search"] = _search_problem(problem)
            status = 400
    return render_template("archive/hold.html", hold=hold, add=add, release=release, search_form=search_form,
                           errors=errors, search_args=search_args, found=found,
                           max_found=MAX_HOLD_BY_SEARCH, choices=_search_choices()), status


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
        result = search(s.db, s.clock, s.zone, current_backend(), actor,
                        text=params.text, filters=params.filters, sort="newest", per_page=params.per_page)
    except BackendUnavailable:
        raise InvalidHold({"search": _("Search is not available now; add the records by code.")}) from None
    return search_ports().shown(actor, params.text, result)


def _add_found(hold_id: int, args: dict[str, str]) -> holds.Addition:
    """Add every record the search ``args`` find (at most MAX_HOLD_BY_SEARCH), as the index
    finds them now."""
    s = services()
    try:
        params = parse_params(args)
        codes = codes_found(current_backend(), s.zone, params, limit=MAX_HOLD_BY_SEARCH)
    except BadSearch as exc:
        raise InvalidHold({"search": _search_problem(exc)}) from None
    except BackendUnavailable:
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
