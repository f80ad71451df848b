"""``GET /api/v1/search``: the same search as the page, as JSON (bearer tokens)."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, request

from core.api import (
    API_PREFIX,
    add_openapi_paths,
    api_actor,
    error_response,
    json_error,
    json_errors,
    register_api,
    token_required,
)
from core.web import services
from search.backend import BackendUnavailable
from search.backends import current_backend
from search.params import parse_params
from search.ports import search_ports
from search.query import BadSearch
from search.service import search

bp = Blueprint("search_api", __name__, url_prefix=API_PREFIX)
json_errors(bp, {
    BadSearch: lambda exc: json_error(400, str(exc), {exc.field: exc.message}),  # names the parameter
    BackendUnavailable: lambda exc: json_error(503, str(exc)),  # says what to run
})


@bp.get("/search")
@token_required
def search_records() -> Response:
    params = parse_params(request.args)
    s, ports = services(), search_ports()
    result = search(s.db, s.clock, s.zone, current_backend(), api_actor(), text=params.text,
                    filters=params.filters, sort=params.sort, page=params.page,
                    per_page=params.per_page, channel="api", granted=ports.granted(api_actor()))
    result = ports.shown(api_actor(), params.text, result)
    return jsonify({"total": result.total, "page": result.page, "per_page": result.per_page,
                    "hits": [hit.as_json() for hit in result.hits], "facets": result.facets,
                    "record": result.record})


def _param(name: str, schema: dict[str, object], description: str) -> dict[str, object]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


SEARCH_RESULT = {
    "type": "object", "required": ["total", "page", "per_page", "hits", "facets", "record"],
    "properties": {
        "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
        "hits": {"type": "array", "items": {
            "type": "object", "required": ["code", "form", "title", "snippet", "submitted_at"],
            "properties": {"code": {"type": "string"}, "form": {"type": "string"},
                           "title": {"type": "string"},
                           "snippet": {"type": "string", "description": "HTML: escaped text with <mark>"},
                           "submitted_at": {"type": "string", "format": "date-time"}}}},
        "record": {"type": ["string", "null"],
                   "description": "The code of the record `q` names exactly (a code alone, any case, "
                                  "with or without its zero padding, or a whole 档号 alone) when the "
                                  "token's user may see it"},
        "facets": {"type": "object", "description": "form, year, state, department → value → count",
                   "additionalProperties": {"type": "object",
                                            "additionalProperties": {"type": "integer"}}},
    },
}

OPENAPI_PATHS = {"/search": {"get": {
    "summary": "Search the records the token's user may see (audited)",
    "parameters": [
        _param("q", {"type": "string", "maxLength": 200},
               "Words (Chinese or English), a record code or code prefix, a phone however written "
               "(139 1234 5679, +86 …) or its last digits, an order number"),
        _param("form", {"type": "string"}, "Form code, e.g. CP"),
        _param("year", {"type": "integer"}, "Code year"),
        _param("state", {"type": "string"}, "Workflow state"),
        _param("department", {"type": "string"}, "Department code"),
        _param("from", {"type": "string", "format": "date"}, "Submitted on or after (office time zone)"),
        _param("to", {"type": "string", "format": "date"}, "Submitted on or before"),
        _param("sort", {"type": "string", "enum": ["relevance", "newest"]}, "Default relevance"),
        _param("page", {"type": "integer", "minimum": 1}, "Default 1"),
        _param("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "Default 20"),
    ],
    "responses": {
        "200": {"description": "One page of hits with facet counts", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/SearchResult"}}}},
        "400": error_response("A parameter cannot be used; `fields` names it"),
        "401": error_response("No or bad token"),
        "503": error_response("The index has not been built yet"),
    },
}}}


def init_api(app: Flask) -> None:
    register_api(app, bp)
    add_openapi_paths(app, OPENAPI_PATHS, {"SearchResult": SEARCH_RESULT})
