"""API v1, the archive's records-office side: the catalogue, legal holds, destruction lists
(and executing an approved one) and tombstones. Records-office tokens only (checked by the
services); every list is audited."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from archive import catalogue, disposal, file_catalogue, holds
from archive.disclosure import shown_titles
from archive.disposal import DisposalRefused
from archive.ports import archive_ports
from core.api import (
    API_PREFIX,
    REFUSALS,
    ApiError,
    add_openapi_paths,
    api_actor,
    error_response,
    json_error,
    json_errors,
    register_api,
    token_required,
)
from core.numbers import whole_number
from core.web import services

bp = Blueprint("archive_read_api", __name__, url_prefix=f"{API_PREFIX}/archive")
json_errors(bp, {**REFUSALS,  # a list that is not approved cannot be executed: 409, not 422
                 DisposalRefused: lambda refused: json_error(409, "; ".join(refused.errors.values()),
                                                             refused.errors)})


def _form_and_year(required: bool) -> tuple[str | None, int | None]:
    form, year = request.args.get("form", "").strip().upper() or None, request.args.get("year", "").strip()
    errors = {}
    if required and not form:
        errors["form"] = "required, e.g. CP"
    if year and whole_number(year, 2000, 2100) is None:
        errors["year"] = "a year from 2000 to 2100"
    elif required and not year:
        errors["year"] = "required, e.g. 2026"
    if errors:
        raise ApiError(400, "bad parameters: " + "; ".join(f"{k} {v}" for k, v in errors.items()), errors)
    return form, int(year) if year else None


@bp.get("/catalogue")
@token_required
def catalogue_list() -> Response:
    form, year = _form_and_year(required=True)
    s = services()
    assert form is not None and year is not None
    volume, page = request.args.get("volume") or None, request.args.get("page")
    if page is not None:
        return _catalogue_page(form, year, volume, page)
    entries = catalogue.catalogue(s.db, s.clock, s.zone, api_actor(), form, year, volume)  # every entry
    return jsonify({"form": form, "year": year,
                    "entries": [e.as_json() for e in shown_titles(s.db, api_actor(), entries)]})


def _catalogue_page(form: str, year: int, volume: str | None, page: str) -> Response:
    """One page of the catalogue (``?page=N``), as the page shows it, with where it stands."""
    if whole_number(page, 1, 999_999) is None:
        raise ApiError(400, "bad parameters: page a whole number from 1", {"page": "a whole number from 1"})
    s = services()
    shown = catalogue.catalogue_page(s.db, s.clock, s.zone, api_actor(), form, year, volume, page=int(page))
    entries = shown_titles(s.db, api_actor(), shown.entries)
    return jsonify({"form": form, "year": year, "page": shown.page, "pages": shown.pages,
                    "total": shown.total, "entries": [e.as_json() for e in entries]})


@bp.get("/catalogue/items")
@token_required
def item_list() -> Response:
    """The 归档文件目录 of a year (``?year=``, ``retention``, ``organisation``) in 档号 order: every
    item, or one page with ``?page=N``; titles as the catalogue page shows them."""
    wanted, page = _item_filter(), request.args.get("page")
    s, actor = services(), api_actor()
    if page is None:
        found = shown_titles(s.db, actor, file_catalogue.items(s.db, s.clock, s.zone, actor, wanted))
        return jsonify({"year": wanted.year, "items": [i.as_json() for i in found]})
    if whole_number(page, 1, 999_999) is None:
        raise ApiError(400, "bad parameters: page a whole number from 1", {"page": "a whole number from 1"})
    shown = file_catalogue.items_page(s.db, s.clock, s.zone, api_actor(), wanted, page=int(page))
    return jsonify({"year": wanted.year, "page": shown.page, "pages": shown.pages, "total": shown.total,
                    "items": [i.as_json() for i in shown_titles(s.db, api_actor(), shown.items)]})


def _item_filter() -> file_catalogue.ItemFilter:
    year = request.args.get("year", "").strip()
    if whole_number(year, 2000, 2100) is None:
        raise ApiError(400, "bad parameters: year a year from 2000 to 2100, e.g. 2026",
                       {"year": "a year from 2000 to 2100"})
    retention = request.args.get("retention", "").strip().upper() or None
    organisation = request.args.get("organisation", "").strip().upper() or None
    try:
        return file_catalogue.ItemFilter(int(year), retention, organisation)
    except file_catalogue.BadFilter as bad:
        raise ApiError(400, f"bad parameters: {bad}", {bad.field: str(bad)}) from bad


@bp.get("/holds")
@token_required
def holds_list() -> Response:
    return jsonify({"holds": [h.as_json() for h in holds.list_holds(services().db, api_actor())]})


@bp.get("/holds/<hold_id>")
@token_required
def hold_detail(hold_id: str) -> Response:
    if whole_number(hold_id, 0, 999_999_999) is None:
        raise ApiError(404, f"no legal hold {hold_id!r}")
    return jsonify(holds.get_hold(services().db, api_actor(), int(hold_id)).as_json())


@bp.get("/disposal-lists")
@token_required
def disposal_lists() -> Response:
    return jsonify({"lists": [d.as_json() for d in disposal.list_lists(services().db, api_actor())]})


@bp.post("/disposal-lists/<list_id>/execute")
@token_required
def disposal_execute(list_id: str) -> tuple[Response, int]:
    """Execute an approved destruction list (a keeper), as the list's page does: the same
    service, its checks and its audit; the answer is the executed list with each outcome."""
    if whole_number(list_id, 0, 999_999_999) is None:
        raise ApiError(404, f"no destruction list {list_id!r}")
    s = services()
    done = disposal.execute(s.db, s.clock, s.zone, api_actor(), int(list_id),
                            archive_ports().disposal_hooks())
    return jsonify(done.as_json()), 200


@bp.get("/tombstones")
@token_required
def tombstone_list() -> Response:
    form, year = _form_and_year(required=False)
    s = services()
    found = catalogue.tombstones(s.db, s.clock, api_actor(), form_code=form, year=year)
    return jsonify({"tombstones": [t.as_json() for t in found]})


def _get(summary: str, schema: dict[str, Any],
         parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": parameters or [], "responses": {
        "200": {"description": summary, "content": {"application/json": {"schema": schema}}},
        "400": error_response("A parameter is missing or wrong (the message names it)"),
        "401": error_response("No or bad token"),
        "403": error_response("Only the records office (archivist, auditor, admin) reads the archive"),
    }}}


def _query(name: str, kind: str, required: bool, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": {"type": kind},
            "description": description}


_OBJECT = {"type": "object"}
OPENAPI_PATHS = {
    "/archive/catalogue": _get(
        "The catalogue (案卷目录) of filed records of one form and year, in code order",
        {"type": "object", "properties": {
            "page": {"type": "integer"}, "pages": {"type": "integer"}, "total": {"type": "integer"},
            "entries": {"type": "array", "items": {
            "type": "object", "properties": {k: {} for k in (
                "number", "code", "title", "pages", "formed", "volume", "retention_class",
                "retention_until")}}}}},
        [_query("form", "string", True, "Form code, e.g. CP"), _query("year", "integer", True, "Code year"),
         _query("volume", "string", False, "One volume, e.g. CP-2026 or a major complaint's own"),
         _query("page", "integer", False, f"One page of {catalogue.PER_PAGE} entries (numbered as in the "
                "whole; a page past the end is the last), with page, pages and total; "
                "without it, every entry")]),
    "/archive/catalogue/items": _get(
        "The item catalogue (归档文件目录) of one year in archival reference (档号) order",
        {"type": "object", "properties": {
            "year": {"type": "integer"}, "page": {"type": "integer"}, "pages": {"type": "integer"},
            "total": {"type": "integer"}, "items": {"type": "array", "items": {
                "type": "object", "properties": {k: {} for k in (
                    "archival_code", "item", "department", "code", "title", "date", "pages", "remarks",
                    "retention_class", "retention_until")}}}}},
        [_query("year", "integer", True, "The 档号's year"),
         _query("retention", "string", False, "One retention code: Y, D30, D10 …"),
         _query("organisation", "string", False, "One organisation code, e.g. KF"),
         _query("page", "integer", False, f"One page of {file_catalogue.PER_PAGE} items, with page, pages "
                "and total; without it, every item")]),
    "/archive/holds": _get("Legal holds, newest first, with their records",
                           {"type": "object", "properties": {"holds": {"type": "array", "items": _OBJECT}}}),
    "/archive/holds/{hold_id}": _get("One legal hold", _OBJECT, [
        {"name": "hold_id", "in": "path", "required": True, "schema": {"type": "integer"}}]),
    "/archive/disposal-lists": _get(
        "Destruction lists with their state and each record's outcome",
        {"type": "object", "properties": {"lists": {"type": "array", "items": _OBJECT}}}),
    "/archive/disposal-lists/{list_id}/execute": {"post": {
        "summary": "Execute an approved destruction list (archivist or admin, not a witness) once both its "
                   "witnesses confirmed: each record is destroyed unless a hold or a changed schedule spares "
                   "it; the destruction register is filed and an audit checkpoint queued",
        "parameters": [{"name": "list_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {
            "200": {"description": "The executed list, each record's outcome and the register's code",
                    "content": {"application/json": {"schema": _OBJECT}}},
            "401": error_response("No or bad token"),
            "403": error_response("Only a keeper (archivist, admin) executes destruction lists"),
            "404": error_response("No such destruction list"),
            "409": error_response("The list is not approved (proposed, rejected or executed already), "
                                  "its two witnesses have not both confirmed, or the token's user is one"),
        }}},
    "/archive/tombstones": _get(
        "Tombstones of destroyed records (code, class, dates, approver; no personal data)",
        {"type": "object", "properties": {"tombstones": {"type": "array", "items": _OBJECT}}},
        [_query("form", "string", False, "Form code"), _query("year", "integer", False, "Code year")]),
}


def init_api(app: Flask) -> None:
    register_api(app, bp)
    add_openapi_paths(app, OPENAPI_PATHS, {})
