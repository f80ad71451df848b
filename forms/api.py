"""API v1, front office: form types with their JSON Schema, and submitting records and taking
their workflow actions. Each blueprint answers its services' exceptions in one table
(:func:`core.api.json_errors`); a route holds only its success path."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request, url_for

from archive.stores import file_store
from core.api import (
    API_PREFIX,
    Answer,
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
from forms import versions
from forms.file_intake import API_BODY_CAP, file_fields, receive_json, record_file_checksums
from forms.json_schema import published_schema, reference_values
from forms.pdf.fonts import PdfSetupError
from forms.pdf.service import pdf_response
from forms.printing import UnknownVariant
from forms.rules import NeedsConfirmation
from forms.spec.model import FormSpec
from forms.submission import submit
from forms.validation import InvalidData
from forms.views.files import file_response
from forms.workflow import ActionRefused, act, actions_for

#: The form types (read only); their own blueprint, for their own "not there".
form_types_bp = Blueprint("form_types_api", __name__, url_prefix=API_PREFIX)
#: Records: submitting, their actions, their handout.
bp = Blueprint("forms_api", __name__, url_prefix=API_PREFIX)


def _missing(exc: NotFound) -> Response:
    """A record the path names is not there (404); ``POST /records`` names its form in the body,
    so there an unknown form is a wrong value (422)."""
    if "code" in (request.view_args or {}):
        return missing_record(exc)
    form_code = json_object_body().get("form")
    return json_error(422, f"no form type {form_code!r} that can be filled: {exc}", {"form": "unknown"})


def _invalid(invalid: InvalidData) -> Response:
    """422 naming each refused field, of the action the path names or of the submitted record."""
    action = (request.view_args or {}).get("action")
    message = f"{action} needs other values" if action else "the record data is invalid"
    return json_error(422, message, invalid.errors)


def _needs_confirmation(ask: NeedsConfirmation) -> Response:
    """409: what a rule asks before filing (e.g. who claims the visitor until when), and how to
    file it anyway; nothing was saved."""
    response = jsonify({"error": f"{ask.message} Nothing was filed; send \"confirm_conflict\": true "
                                 "to file it.", "fields": {}, "conflict": ask.detail})
    response.status_code = 409
    return response


RECORD_ANSWERS: dict[type[Exception], Answer] = {
    PermissionDenied: forbidden,
    NotFound: _missing,
    InvalidData: _invalid,
    NeedsConfirmation: _needs_confirmation,
    ActionRefused: lambda exc: json_error(409, str(exc)),
    UnknownVariant: lambda exc: json_error(400, str(exc), {"variant": "unknown"}),
    PdfSetupError: lambda exc: json_error(503, str(exc)),  # the instance cannot print: say what to fix
}
json_errors(bp, RECORD_ANSWERS)
json_errors(form_types_bp, {NotFound: lambda _exc: json_error(
    404, f"no approved form type {(request.view_args or {}).get('code')!r}")})


def form_json(spec: FormSpec) -> dict[str, Any]:
    return {"code": spec.code, "version": spec.version, "title": spec.title,
            "department": spec.department, "retention": spec.retention,
            "states": list(spec.workflow.states), "initial_state": spec.workflow.initial}


@form_types_bp.get("/forms")
@token_required
def forms_index() -> Response:
    specs = versions.fillable_specs(services().db)
    return jsonify({"forms": [form_json(s) for s in sorted(specs.values(), key=lambda s: s.code)]})


@form_types_bp.get("/forms/<code>")
@token_required
def form_detail(code: str) -> Response:
    spec = versions.fillable_spec(services().db, code)
    users, departments = reference_values(services().db)
    return jsonify({**form_json(spec), "schema": published_schema(spec, users, departments)})


@bp.post("/records")
@token_required
def create_record() -> tuple[Response, int, dict[str, str]]:
    request.max_content_length = API_BODY_CAP  # files come base64 in the body (forms.file_intake)
    body = json_object_body()
    form_code, data = body.get("form"), body.get("data")
    if not isinstance(form_code, str) or not form_code:
        raise ApiError(422, "'form' must name a form type, e.g. \"CP\"", {"form": "required"})
    if not isinstance(data, dict):
        raise ApiError(422, "'data' must be an object of field values", {"data": "required"})
    unknown = set(body) - {"form", "data", "confirm_conflict"}
    if unknown:
        raise ApiError(422, f"unknown keys: {', '.join(sorted(unknown))}")
    confirmed = body.get("confirm_conflict", False)
    if not isinstance(confirmed, bool):
        raise ApiError(422, "'confirm_conflict' must be true or false", {"confirm_conflict": "not a boolean"})
    record = submit(services().db, services().clock, services().zone, api_actor(),
                    form_code, _files_taken_in(form_code, data), confirmed=confirmed)
    location = url_for("archive_api.record_detail", code=record.code)
    return jsonify(record.as_json()), 201, {"Location": location}


def _files_taken_in(form_code: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with its files checked and stored (:func:`forms.file_intake.receive_json`);
    InvalidData names each field whose files were refused."""
    spec = versions.fillable_spec(services().db, form_code.upper())
    if not file_fields(spec):
        return data
    received, errors = receive_json(spec, data, file_store())
    if errors:
        raise InvalidData(errors)
    return received


def _action_files_taken_in(code: str, fields: dict[str, Any]) -> dict[str, Any]:
    """An action's ``fields`` with new files checked and stored; a file the record holds may be
    kept by its descriptor (:func:`forms.file_intake.receive_json`)."""
    held = record_file_checksums(services().db, code)
    if held is None:
        return fields
    spec, checksums = held
    received, errors = receive_json(spec, fields, file_store(), held=checksums)
    if errors:
        raise InvalidData(errors)
    return received


@bp.get("/records/<code>/actions")
@token_required
def record_actions(code: str) -> Response:
    """The actions the token's user may take on the record now (reading it is audited)."""
    record, actions = actions_for(services().db, services().clock, api_actor(), code, channel="api")
    return jsonify({"code": record.code, "state": record.state, "revision": record.revision,
                    "actions": [a.as_json() for a in actions]})


@bp.post("/records/<code>/actions/<action>")
@token_required
def record_action(code: str, action: str) -> Response:
    """Take a workflow action: ``{"fields": {...}, "reason": "...", "revision": N}``."""
    request.max_content_length = API_BODY_CAP  # files come base64 in the body (forms.file_intake)
    body = json_object_body()
    unknown = set(body) - {"fields", "reason", "revision"}
    if unknown:
        raise ApiError(422, f"unknown keys: {', '.join(sorted(unknown))}")
    fields, reason, revision = body.get("fields", {}), body.get("reason", ""), body.get("revision")
    if not isinstance(fields, dict):
        raise ApiError(422, "'fields' must be an object of field values", {"fields": "not an object"})
    if not isinstance(reason, str):
        raise ApiError(422, "'reason' must be text", {"reason": "not text"})
    if any("\ud800" <= c <= "\udfff" for c in reason):  # half a UTF-16 pair: no UTF-8 can store it
        raise ApiError(422, "'reason' holds an unpaired surrogate (e.g. \\ud800)",
                       {"reason": "not valid Unicode"})
    if revision is not None and (not isinstance(revision, int) or isinstance(revision, bool) or revision < 1):
        raise ApiError(422, "'revision' must be the record's revision number", {"revision": "not a number"})
    record = act(services().db, services().clock, services().zone, api_actor(), code, action,
                 fields=_action_files_taken_in(code, fields), reason=reason, revision=revision, channel="api")
    return jsonify(record.as_json())


@bp.get("/records/<code>/pdf")
@token_required
def record_pdf(code: str) -> Response:
    """The record's handout as PDF; audited as a print."""
    return pdf_response(api_actor(), code)


@bp.get("/records/<code>/files/<sha256>")
@token_required
def record_file(code: str, sha256: str) -> Response:
    """One of the record's files as stored (audited as a download naming it; a personal field's
    files only to those who need them): what the record page's file links serve."""
    return file_response(api_actor(), code, sha256, thumbnail=False)


FORM_SCHEMA = {
    "type": "object",
    "required": ["code", "version", "title", "department", "retention", "states"],
    "properties": {
        "code": {"type": "string"}, "version": {"type": "integer"},
        "title": {"type": "object", "properties": {"zh": {"type": "string"},
                                                   "en": {"type": "string"}}},
        "department": {"type": "string"}, "retention": {"type": "string"},
        "states": {"type": "array", "items": {"type": "string"}},
        "initial_state": {"type": "string"},
        "schema": {"type": "object", "description": "JSON Schema (2020-12) of record data; user and "
                   "department fields (and table columns) list the values valid now as `enum`"},
    },
}

CONFLICT_SCHEMA = {
    "type": "object",
    "required": ["error", "fields", "conflict"],
    "properties": {
        "error": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        "conflict": {"type": "object", "required": ["conflict_with", "claimed_by", "claimed_until"],
                     "properties": {
                         "conflict_with": {"type": "string", "example": "VR-2026-000001",
                                           "description": "The registration holding the claim"},
                         "claimed_by": {"type": "string", "description": "Username of the claim's holder"},
                         "claimed_by_name": {"type": "string", "description": "Their display name"},
                         "claimed_until": {"type": "string", "format": "date",
                                           "description": "The claim's last day (inclusive)"}}},
    },
}

ACTION_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "example": "countersign"},
        "label": {"type": "object", "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}},
        "to": {"type": ["string", "null"], "description": "The state it leads to; null keeps the state"},
        "fields": {"type": "array", "items": {"type": "string"}},
        "requires": {"type": "array", "items": {"type": "string"}},
        "reason_required": {"type": "boolean"},
    },
}

OPENAPI_PATHS = {
    "/forms": {"get": {
        "summary": "Form types that can be filled, each at its current approved version",
        "responses": {
            "200": {"description": "Form types", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"forms": {
                    "type": "array", "items": {"$ref": "#/components/schemas/Form"}}}}}}},
            "401": error_response("No or bad token"),
        },
    }},
    "/forms/{code}": {"get": {
        "summary": "One form type with the JSON Schema its record data must satisfy",
        "parameters": [{"name": "code", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {
            "200": {"description": "The form type", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Form"}}}},
            "401": error_response("No or bad token"),
            "404": error_response("No approved form type with that code"),
        },
    }},
    "/records/{code}/pdf": {"get": {
        "summary": "The record's printed handout (the print is audited)",
        "parameters": [{"name": "code", "in": "path", "required": True,
                        "schema": {"type": "string"}},
                       {"name": "variant", "in": "query", "required": False,
                        "description": "A variant the form declares: RS business/customer, CP receipt",
                        "schema": {"type": "string", "enum": ["business", "customer", "receipt"]}}],
        "responses": {
            "200": {"description": "A4 PDF",
                    "content": {"application/pdf": {"schema": {"type": "string",
                                                               "format": "binary"}}}},
            "400": error_response("The form has no such print variant"),
            "401": error_response("No or bad token"),
            "403": error_response("The record is outside the token user's departments"),
            "404": error_response("No such record"),
            "503": error_response("No Chinese font is installed for PDFs"),
        },
    }},
    "/records/{code}/files/{sha256}": {"get": {
        "summary": "One of the record's files (a file field's photo or scan) as stored; audited",
        "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                       {"name": "sha256", "in": "path", "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}],
        "responses": {
            "200": {"description": "The file; its SHA-256 in X-Content-SHA256",
                    "content": {"image/*": {"schema": {"type": "string", "format": "binary"}},
                                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
            "401": error_response("No or bad token"),
            "403": error_response("Another department's record, or a personal field's file the user "
                                  "does not need"),
            "404": error_response("No such record, or no such file on it"),
        },
    }},
    "/records/{code}/actions": {"get": {
        "summary": "The workflow actions the token's user may take on the record now",
        "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {
            "200": {"description": "State, revision and actions", "content": {"application/json": {
                "schema": {"type": "object", "properties": {
                    "code": {"type": "string"}, "state": {"type": "string"}, "revision": {"type": "integer"},
                    "actions": {"type": "array", "items": {"$ref": "#/components/schemas/Action"}}}}}}},
            "401": error_response("No or bad token"),
            "403": error_response("The record is outside the token user's departments"),
            "404": error_response("No such record"),
        },
    }},
    "/records/{code}/actions/{action}": {"post": {
        "summary": "Take a workflow action (countersign, return, complete, correct, classify, close, "
                   "approve…; each form's spec lists its own): a new revision, audited",
        "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                       {"name": "action", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "fields": {"type": "object", "description": "Values of the fields it fills in or changes; "
                           "a file field's new files as {\"name\", \"content_base64\"}, the files "
                           "it keeps by their {sha256, name, type, size} (only files this record "
                           "holds). The body may be up to 96 MiB for this call"},
                "reason": {"type": "string", "description": "Required by return, correct, deny"},
                "revision": {"type": "integer", "description": "The revision you saw; refused (409) if "
                             "the record has changed since"}}}}}},
        "responses": {
            "200": {"description": "The record after the action", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Record"}}}},
            "400": error_response("Malformed JSON"),
            "401": error_response("No or bad token"),
            "403": error_response("The token's user may not take this action on this record"),
            "404": error_response("No such record, or the form has no such action"),
            "409": error_response("Not possible in the record's state, already done, or the record changed"),
            "422": error_response("Missing or invalid values; `fields` names each"),
        },
    }},
    "/records": {"post": {
        "summary": "Submit a record; the code is minted on success",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["form", "data"], "additionalProperties": False,
            "properties": {"form": {"type": "string", "example": "CP"},
                           "data": {"type": "object", "description":
                                    "Field values by name. A file field takes a list of files, each "
                                    "{\"name\": \"photo.jpg\", \"content_base64\": \"…\"}: checked by "
                                    "content (JPEG, PNG, WebP, HEIC, PDF as the field accepts; its "
                                    "max_files and size), stored by SHA-256; the record holds "
                                    "{sha256, name, type, size} per file. The body may be up to 96 MiB "
                                    "for this call"},
                           "confirm_conflict": {
                               "type": "boolean", "default": False,
                               "description": "File a visit registration (VR) even though another staff "
                                              "member's claim on the customer still runs (answered 409 "
                                              "without it); the record is flagged as a conflict and the "
                                              "earlier claim stands"}}}}}},
        "responses": {
            "201": {"description": "Created", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Record"}}}},
            "400": error_response("Malformed JSON"),
            "401": error_response("No or bad token"),
            "403": error_response("The token's user may not submit forms"),
            "409": {"description": "Not filed: another staff member claims this visitor (VR) until the "
                                   "date given; send the same body with \"confirm_conflict\": true to file "
                                   "it as a conflict",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Conflict"}}}},
            "413": error_response("Body too large"),
            "422": error_response("Invalid data; `fields` names each wrong field"),
        },
    }},
}


def init_api(app: Flask) -> None:
    register_api(app, form_types_bp)
    register_api(app, bp)
    add_openapi_paths(app, OPENAPI_PATHS,
                      {"Form": FORM_SCHEMA, "Action": ACTION_SCHEMA, "Conflict": CONFLICT_SCHEMA})
