"""API v1, the lists the office reads by period: the weekly complaint statistics
(/stats/complaints), the renewal registers' monthly filing (/filing/RS) and the archive's filing
queue (/archive/). The pages' services, so the same scope, masking and audit; the pages' CSV
and PDF downloads stay where they are."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from archive.disclosure import shown_titles
from archive.filing import queue_page
from archive.ports import archive_ports
from core.api import (
    API_PREFIX,
    REFUSALS,
    ApiError,
    add_openapi_paths,
    api_actor,
    error_response,
    json_errors,
    register_api,
    token_required,
)
from core.clock import local
from core.i18n import current_locale
from core.numbers import whole_number
from core.web import services
from forms.renewal_filing import filing_page
from forms.statistics import DIMENSIONS, MAX_WEEKS, complaint_stats

bp = Blueprint("forms_report_api", __name__, url_prefix=API_PREFIX)
#: Renewal registers in one answer of the monthly filing (a month can hold thousands).
API_PER_PAGE = 200
json_errors(bp, REFUSALS)


@bp.get("/stats/complaints")
@token_required
def complaint_statistics() -> Response:
    """The last ``weeks`` weeks (default 12) of complaints the token's user may see, per week
    and by level, cause, department and channel, with the overdue count read at this moment."""
    weeks = whole_number(request.args.get("weeks", "12"), 1, MAX_WEEKS)
    if weeks is None:
        raise ApiError(400, f"weeks: a whole number from 1 to {MAX_WEEKS}", {"weeks": "out of range"})
    s = services()
    stats = complaint_stats(s.db, s.clock, s.zone, api_actor(), weeks=weeks, locale=current_locale())
    return jsonify({
        "total": stats.total, "overdue": stats.overdue, "overdue_rate": round(stats.overdue_rate, 4),
        "labels": stats.labels,
        "totals": {d: [{"value": v, "label": label, "count": n} for v, label, n in stats.totals[d]]
                   for d in DIMENSIONS},
        "weeks": [{"start": w.start.isoformat(), "total": w.total, "overdue": w.overdue,
                   "by": {d: dict(w.by[d]) for d in DIMENSIONS}} for w in stats.weeks]})


@bp.get("/filing/RS")
@token_required
def renewal_filing() -> Response:
    """One page (``page``, default 1; past the end: the last) of a month's renewal registers
    (``month=YYYY-MM``, default this month) in filing order, with the month's total."""
    s = services()
    raw = request.args.get("month", "")
    try:
        month = date.fromisoformat(f"{raw}-01") if raw else local(s.clock.now(), s.zone).date().replace(day=1)
    except ValueError:
        raise ApiError(400, "month: a month such as 2026-03", {"month": "not a month"}) from None
    shown = filing_page(s.db, s.clock, s.zone, api_actor(), month, page=_page(), per_page=API_PER_PAGE)
    return jsonify({"month": month.isoformat()[:7], "page": shown.page, "pages": shown.pages,
                    "per_page": shown.per_page, "total": shown.total,
                    "entries": [asdict(e) for e in shown.entries]})


@bp.get("/archive/filing-queue")
@token_required
def archive_filing_queue() -> Response:
    """One page (``page``) of the records in a final state not filed yet, oldest first, with what
    holds each back, and whether more follow (the records office; audited as a list)."""
    s, actor = services(), api_actor()
    queue = queue_page(s.db, s.clock, actor, archive_ports().filing_rules(), page=_page(),
                       per_page=API_PER_PAGE)
    waiting = shown_titles(s.db, actor, queue.items)
    return jsonify({"page": queue.page, "per_page": queue.per_page, "more": queue.more,
                    "records": [{**asdict(w), "since": w.since.isoformat()} for w in waiting]})


def _page() -> int:
    page = whole_number(request.args.get("page", "1"), 1, 999_999)
    if page is None:
        raise ApiError(400, "page: a whole number from 1", {"page": "not a page number"})
    return page


_OBJECT: dict[str, Any] = {"type": "object"}


def _get(summary: str, parameters: list[dict[str, Any]], **errors: str) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": parameters, "responses": {
        "200": {"description": summary, "content": {"application/json": {"schema": _OBJECT}}},
        "401": error_response("No or bad token"),
        **{status.removeprefix("e"): error_response(text) for status, text in errors.items()}}}}


OPENAPI_PATHS = {
    "/stats/complaints": _get(
        "Weekly complaint statistics (CP): per week and by level, cause, department, channel, with overdue",
        [{"name": "weeks", "in": "query", "required": False,
          "schema": {"type": "integer", "minimum": 1, "maximum": MAX_WEEKS, "default": 12}}],
        e400="weeks is out of range"),
    "/filing/RS": _get(
        "One page of a month's renewal registers (RS) in filing order (policyholder masked where not "
        f"needed), {API_PER_PAGE} a page, with page, pages, per_page and the month's total",
        [{"name": "month", "in": "query", "required": False,
          "schema": {"type": "string", "example": "2026-03"}},
         {"name": "page", "in": "query", "required": False,
          "schema": {"type": "integer", "minimum": 1, "default": 1}}],
        e400="month is not a month, or page is not a page number"),
    "/archive/filing-queue": _get(
        "One page of the records in a final state not yet filed, oldest first, with what each waits for "
        f"(countersignature, archival copy), {API_PER_PAGE} a page, and whether more follow",
        [{"name": "page", "in": "query", "required": False,
          "schema": {"type": "integer", "minimum": 1, "default": 1}}],
        e400="page is not a page number", e403="Only the records office reads the archive"),
}


def init_api(app: Flask) -> None:
    """Register the routes (read-only, bearer tokens) in the OpenAPI document."""
    register_api(app, bp)
    add_openapi_paths(app, OPENAPI_PATHS, {})
