"""API v1, archive read side: one record by code."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify

from archive.records import get_record
from core.api import (
    API_PREFIX,
    ApiError,
    add_openapi_paths,
    api_actor,
    error_response,
    token_required,
)
from core.auth.roles import NotFound, PermissionDenied
from core.web import services

bp = Blueprint("archive_api", __name__, url_prefix=API_PREFIX)


@bp.get("/records/<code>")
@token_required
def record_detail(code: str) -> Response:
    try:
        view = get_record(services().db, services().clock, api_actor(), code, channel="api")
    except NotFound as exc:
        raise ApiError(404, f"no record {code!r}") from exc
    except PermissionDenied as exc:
        raise ApiError(403, str(exc)) from exc
    return jsonify(view.as_json())


RECORD_SCHEMA = {
    "type": "object",
    "required": ["code", "form", "version", "state", "data", "submitted_at", "submitted_by"],
    "properties": {
        "code": {"type": "string", "pattern": "^[A-Z]{2,4}-\\d{4}-\\d{6}$",
                 "example": "CP-2026-000123"},
        "form": {"type": "string"}, "version": {"type": "integer"},
        "state": {"type": "string"}, "title": {"type": "string"},
        "data": {"type": "object"}, "department": {"type": ["string", "null"]},
        "submitted_at": {"type": "string", "format": "date-time"},
        "submitted_by": {"type": "string"},
    },
}

OPENAPI_PATHS = {
    "/records/{code}": {"get": {
        "summary": "One record by its code (read is audited)",
        "parameters": [{"name": "code", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {
            "200": {"description": "The record", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Record"}}}},
            "401": error_response("No or bad token"),
            "403": error_response("The record is outside the token user's departments"),
            "404": error_response("No such record"),
        },
    }},
}


def init_api(app: Flask) -> None:
    app.register_blueprint(bp)
    add_openapi_paths(app, OPENAPI_PATHS, {"Record": RECORD_SCHEMA})
