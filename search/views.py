"""The search page: query box, facets with counts, date range, sort, snippets, paging."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from core.i18n import current_locale
from core.web import current_actor, services
from search.backend import BackendUnavailable
from search.backends import current_backend
from search.params import SearchParams, parse_params
from search.ports import search_ports
from search.query import BadSearch, Filters
from search.service import FACETS, opened_record, search

bp = Blueprint("search", __name__)


@bp.get("/search")
@login_required
def search_page() -> ResponseReturnValue:
    context: dict[str, Any] = {"args": request.args, "labels": {}, "facets_order": FACETS,
                               "result": None, "problem": None, "link": _link, "customers": None}
    try:
        params = parse_params(request.args)
    except BadSearch as exc:
        context["problem"] = _("%(field)s: %(message)s", field=_field_label(exc.field), message=exc.message)
        return render_template("search/search.html", **context), 400
    context["params"] = params
    if not request.args:
        return render_template("search/search.html", **context)
    s, backend, actor = services(), current_backend(), current_actor()
    ports = search_ports()
    granted = ports.granted(actor)
    try:
        if _only_text(params):  # a code typed alone: go to the record (nothing else is made)
            code = opened_record(s.db, s.clock, backend, actor, params.text, sort=params.sort,
                                 granted=granted)
            if code is not None:
                return redirect(url_for("forms.record", code=code))
        result = search(s.db, s.clock, s.zone, backend, actor, text=params.text, filters=params.filters,
                        sort=params.sort, page=params.page, per_page=params.per_page, granted=granted)
        if params.page > result.pages:  # past the end: not "N found" and "nothing matches"
            return redirect(_link(page=result.pages))
    except BackendUnavailable:
        context["problem"] = _("Search is not available yet: the index is being built. Try again in a "
                               "few minutes, or ask an administrator to run the index rebuild.")
        return render_template("search/search.html", **context), 503
    context["result"] = ports.shown(actor, params.text, result)
    context["customers"] = ports.customers(actor, params.text, [hit.code for hit in result.hits])
    context["labels"] = ports.facet_labels(current_locale())
    return render_template("search/search.html", **context)


def _only_text(params: SearchParams) -> bool:
    """Nothing but the words was chosen (no filter, first page): a code then means its record;
    with filters or paging the user is looking at a list and keeps it."""
    return params.filters == Filters() and params.page == 1


def _field_label(name: str) -> str:
    return {"q": _("Search"), "from": _("Submitted from"), "to": _("Submitted to"), "sort": _("Sort by"),
            "form": _("Form"), "year": _("Year"), "state": _("State"), "department": _("Department"),
            "page": _("Page"), "per_page": _("Page")}.get(name, name)


def _link(**changes: Any) -> str:
    """This search with some parameters changed (None removes one); back to page 1 unless paging."""
    args = {k: v for k, v in request.args.items() if v}
    if "page" not in changes:
        args.pop("page", None)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for("search.search_page", **args)
