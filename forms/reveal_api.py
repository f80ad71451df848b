"""API v1: revealing one record's personal fields with a reason (:mod:`forms.reveal`), the
same rule, audit and refusals as the record page's "Show personal data"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify

from core.api import (
    API_PREFIX,
    ApiError,
    add_openapi_paths,
    api_actor,
    error_response,
    forbidden,
    json_error,
    json_errors,
    json_object_body,
    missing_record,
    register_api,
    token_required,
)
from core.auth.roles import NotFound, PermissionDenied
from core.web import services
from forms.reveal import MAX_LISTED, MAX_REASON, RevealRefused, list_reveals, reveal

bp = Blueprint("forms_reveal_api", __name__, url_prefix=API_PREFIX)


def _refused(refused: RevealRefused) -> Response:
    """409 when nothing on the record is masked for the asker; 422 for the reason they gave."""
    if "record" in refused.errors:
        return json_error(409, refused.errors["record"])
    return json_error(422, refused.errors["reason"], refused.errors)


json_errors(bp, {PermissionDenied: forbidden, NotFound: missing_record, RevealRefused: _refused})


@bp.post("/records/<code>/reveal")
@token_required
def reveal_record(code: str) -> Response:
    """``{"reason": "..."}`` → the record whole and the names of the fields revealed."""
    body = json_object_body()
    unknown = set(body) - {"reason"}
    if unknown:
        raise ApiError(422, f"unknown keys: {', '.join(sorted(unknown))}")
    reason = body.get("reason", "")
    if not isinstance(reason, str):
        raise ApiError(422, "'reason' must be text", {"reason": "not text"})
    revealed = reveal(services().db, services().clock, api_actor(), code, reason, channel="api")
    return jsonify({"record": revealed.record.as_json(), "revealed": list(revealed.fields)})


@bp.get("/audit/reveals")
@token_required
def reveal_list() -> Response:
    """Every reveal, newest first (auditors only)."""
    found = list_reveals(services().db, api_actor())
    return jsonify({"reveals": [{"at": r.at.isoformat(), "by": r.username, "by_name": r.display_name,
                                 "code": r.code, "reason": r.reason, "fields": list(r.fields), "via": r.via}
                                for r in found]})


OPENAPI_PATHS: dict[str, Any] = {"/audit/reveals": {"get": {
    "summary": f"Who revealed which record's personal data, when and why; newest first, at most "
               f"{MAX_LISTED} (auditors only)",
    "responses": {
        "200": {"description": "The reveals", "content": {"application/json": {"schema": {
            "type": "object", "required": ["reveals"],
            "properties": {"reveals": {"type": "array", "items": {
                "type": "object", "required": ["at", "by", "code", "reason", "fields", "via"],
                "properties": {"at": {"type": "string", "format": "date-time"}, "by": {"type": "string"},
                               "by_name": {"type": "string"}, "code": {"type": "string"},
                               "reason": {"type": "string"},
                               "fields": {"type": "array", "items": {"type": "string"}},
                               "via": {"type": "string", "enum": ["web", "api"]}}}}}}}}},
        "401": error_response("No or bad token"),
        "403": error_response("The token user is not an auditor"),
    },
}}, "/records/{code}/reveal": {"post": {
    "summary": "Reveal one record's personal fields, with a reason (archivists and auditors, who read "
               "them masked); audited as record.reveal with the reason and listed for the auditor",
    "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["reason"], "additionalProperties": False,
        "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": MAX_REASON,
                                  "description": "Why your work needs this customer's personal data"}}}}}},
    "responses": {
        "200": {"description": "The record whole, and the names of the fields revealed",
                "content": {"application/json": {"schema": {
                    "type": "object", "required": ["record", "revealed"],
                    "properties": {"record": {"$ref": "#/components/schemas/Record"},
                                   "revealed": {"type": "array", "items": {"type": "string"}}}}}}},
        "400": error_response("Malformed JSON"),
        "401": error_response("No or bad token"),
        "403": error_response("The token user's role cannot reveal, or the record is outside their scope"),
        "404": error_response("No such record"),
        "409": error_response("Nothing on this record is masked for the token user"),
        "422": error_response("No reason, or one that is too long"),
    },
}}}


def init_api(app: Flask) -> None:
    """Register the endpoint (bearer tokens, no CSRF: :func:`core.api.register_api`), documented."""
    register_api(app, bp)
    add_openapi_paths(app, OPENAPI_PATHS, {})
