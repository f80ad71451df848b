"""API v1, archive read side: one record by code, its legal holds and its archival copy."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, request

from archive.catalogue import TombstoneView, tombstone_of
from archive.disclosure import current_disclosure
from archive.holds import holds_on
from archive.records import get_record
from archive.stores import file_store
from core.api import (
    API_PREFIX,
    ApiError,
    add_openapi_paths,
    api_actor,
    error_response,
    forbidden,
    json_errors,
    missing_record,
    register_api,
    token_required,
)
from core.auth.roles import NotFound, PermissionDenied
from core.clock import local
from core.numbers import whole_number
from core.web import services
from search.query import record_code

bp = Blueprint("archive_api", __name__, url_prefix=API_PREFIX)


def _missing(exc: NotFound) -> Response:
    """"no record 'X'", by the code as written or as read (:func:`_as_read`)."""
    return missing_record(exc, _as_read((request.view_args or {}).get("code", "")))


json_errors(bp, {PermissionDenied: forbidden, NotFound: _missing})


def _as_read(code: str) -> str:
    """A code written short or in lower case (cp-2026-1) as search reads it (CP-2026-000001)."""
    return record_code(code) or code


@bp.get("/records/<code>")
@token_required
def record_detail(code: str) -> Response:
    """The record, masked as its page masks it; a destroyed record answers its tombstone (410),
    not an error: it was lawfully disposed of, which "no such record" would hide."""
    code = _as_read(code)
    try:
        view = get_record(services().db, services().clock, api_actor(), code, channel="api")
    except NotFound:
        gone = tombstone_of(services().db, services().clock, api_actor(), code)
        if gone is None:
            raise
        return _destroyed(gone)
    return jsonify(current_disclosure().shown(api_actor(), view).as_json())


@bp.get("/records/<code>/holds")
@token_required
def record_holds(code: str) -> Response:
    """The active legal holds on a record, as its page's banner shows them: the records office
    sees each hold's id and name, any other reader only since when it is held."""
    view = get_record(services().db, services().clock, api_actor(), code, channel="api")
    marks = holds_on(services().db, api_actor(), view.code)
    return jsonify({"code": view.code, "held": bool(marks), "holds": [
        {"id": m.id, "name": m.name or None, "since": m.since.isoformat()} for m in marks]})


def _destroyed(gone: TombstoneView) -> Response:
    """410 Gone with the tombstone: a destroyed record was lawfully disposed of, which "no such
    record" would hide (the record page answers the same way)."""
    day = local(gone.destroyed_at, services().zone).date()  # the day the page shows too
    response = jsonify({"error": f"record {gone.code} was destroyed on {day:%Y-%m-%d} "
                                 f"under destruction list {gone.disposal_list}",
                        "fields": {}, "tombstone": gone.as_json()})
    response.status_code = 410
    return response


@bp.get("/records/<code>/archival")
@token_required
def record_archival(code: str) -> Response:
    """The stored archival PDF/A of the current (or ``?revision=N``) revision; audited."""
    revision = request.args.get("revision")
    if revision is not None and whole_number(revision) is None:
        raise ApiError(400, "revision must be a positive whole number", {"revision": "not a number"})
    view, data = current_disclosure().archival_file(
        services().db, services().clock, file_store(), api_actor(),
        code, int(revision) if revision else None)
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{view.code}.r{view.revision}.pdf"',
        "X-Content-SHA256": view.sha256})


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
        "revision": {"type": "integer", "description": "The current revision; send it with an action"},
        "countersigned_by": {"type": ["string", "null"]},
        "countersigned_at": {"type": ["string", "null"], "format": "date-time"},
        "due_at": {"type": ["string", "null"], "format": "date-time",
                   "description": "The response deadline, where the form has one (CP: by level; "
                                  "the strictest until classified); null while it is paused"},
        "overdue": {"type": "boolean", "description": "The deadline passed before it was met, or has "
                    "passed while it still runs (read at the moment of the answer)"},
        "deadline_paused_at": {"type": ["string", "null"], "format": "date-time",
                               "description": "Since when the deadline is paused (the record waits "
                                              "in a state that pauses it, e.g. for the customer); "
                                              "the time paused is added to the allowed time"},
        "flags": {"type": "object", "description": "What the form's rules found, e.g. a visit "
                  "registration filed as a conflict: {\"conflict_with\": \"VR-2026-000001\", "
                  "\"claimed_by\": \"sales\", \"claimed_by_name\": \"王芳\", "
                  "\"claimed_until\": \"2026-04-02\"}"},
        "notice": {"type": ["object", "null"], "description": "The privacy notice shown to the "
                   "customer when the record was submitted, kept when the notice has moved on "
                   "(null: none, e.g. imported from a paper register)",
                   "properties": {"id": {"type": "string", "example": "customer-service"},
                                  "version": {"type": "integer"},
                                  "purpose": {"type": "object", "properties": {
                                      "zh": {"type": "string"}, "en": {"type": "string"}}}}},
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
            "410": {"description": "The record was destroyed under a destruction list; the body "
                                   "carries its tombstone (code, class, dates, approver)",
                    "content": {"application/json": {"schema": {
                        "allOf": [{"$ref": "#/components/schemas/Error"},
                                  {"type": "object", "required": ["tombstone"],
                                   "properties": {"tombstone": {"type": "object"}}}]}}}},
        },
    }},
    "/records/{code}/holds": {"get": {
        "summary": "The active legal holds on a record (reading the record is audited): the records "
                   "office sees each hold's id and name, other readers only since when it is held",
        "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {
            "200": {"description": "{code, held, holds: [{id, name, since}]}", "content": {
                "application/json": {"schema": {"type": "object", "properties": {
                    "code": {"type": "string"}, "held": {"type": "boolean"},
                    "holds": {"type": "array", "items": {"type": "object", "properties": {
                        "id": {"type": ["integer", "null"]}, "name": {"type": ["string", "null"]},
                        "since": {"type": "string", "format": "date-time"}}}}}}}}},
            "401": error_response("No or bad token"),
            "403": error_response("The record is outside the token user's departments"),
            "404": error_response("No such record"),
        },
    }},
    "/records/{code}/archival": {"get": {
        "summary": "The stored archival PDF/A-3u (record data attached as JSON); download is audited",
        "parameters": [
            {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "revision", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1}, "description": "Default: the latest stored"}],
        "responses": {
            "200": {"description": "The PDF/A file; header X-Content-SHA256 carries its checksum",
                    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
            "400": error_response("revision is not a number"),
            "401": error_response("No or bad token"),
            "403": error_response("The record is outside the token user's departments"),
            "404": error_response("No such record, or no archival copy stored yet"),
        },
    }},
}


def init_api(app: Flask) -> None:
    register_api(app, bp)
    add_openapi_paths(app, OPENAPI_PATHS, {"Record": RECORD_SCHEMA})
