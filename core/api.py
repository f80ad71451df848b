"""JSON API plumbing shared by every package's API module.

- Bearer-token authentication (:func:`token_required`); the API never accepts the session
  cookie, so it needs no CSRF token and cannot be driven from another site.
- Errors are always ``{"error": "...", "fields": {...}}`` with the right status; never a 500 page.
  Each API blueprint answers the exceptions its services raise in one table
  (:func:`json_errors`), so a route holds only its success path.
- The OpenAPI 3.1 document is assembled from the path items each API module declares next to its
  routes (:func:`add_openapi_paths`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import replace
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import unquote

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request

from core.auth import accounts
from core.auth.roles import Actor, NotFound, PermissionDenied, Reading
from core.ports import DuplicateName, registry
from core.problems import FieldProblems
from core.web import services

F = TypeVar("F", bound=Callable[..., Any])
API_PREFIX = "/api/v1"
#: The header an API client states its need-to-know reason in (:func:`stated_reason`).
REASON_HEADER = "X-Dossier-Reason"


class ApiError(Exception):
    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields or {}


def register_api(app: Flask, blueprint: Blueprint) -> None:
    """Register a bearer-token API blueprint, exempt from CSRF: no cookie session authenticates
    its requests (:func:`token_required`), so there is no session for a forged form to ride on.
    Every API blueprint is registered through here, so none is forgotten or exempted twice."""
    app.register_blueprint(blueprint)
    app.extensions["csrf"].exempt(blueprint)  # Flask-WTF's own extension


def json_error(status: int, message: str, fields: dict[str, str] | None = None) -> Response:
    response = jsonify({"error": message, "fields": fields or {}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="dossier"'
    return response


#: How an API answers one kind of exception its routes let through: a JSON error response.
Answer = Callable[[Any], Response]


def json_errors(bp: Blueprint, answers: Mapping[type[Exception], Answer]) -> None:
    """Answer every route of ``bp`` the same way for each kind of exception in ``answers``.

    Flask asks the blueprint's handlers before the app's and takes the nearest class, so a kind
    listed here wins over its base class (a refusal answered 409 over :class:`FieldProblems`'
    422) and over the app's HTML pages. A kind not listed reaches the app's handlers
    (core.errors), which answer ``/api/`` paths as JSON too: an unexpected error is a JSON 500,
    never an HTML page. Two APIs may answer one kind differently: each lists its own.
    """
    for kind, answer in answers.items():
        bp.register_error_handler(kind, answer)


def forbidden(exc: PermissionDenied) -> Response:
    """403 with the service's words for what was refused; a refusal that names its problem (the
    need-to-know rule's ``reason_required``, archive/need_to_know.py) says so in ``problem``."""
    response = json_error(403, str(exc), getattr(exc, "fields", None))
    problem = getattr(exc, "problem_name", None)
    if problem:
        response.set_data(json.dumps({**response.get_json(), "problem": problem}))
    return response


def not_there(exc: NotFound) -> Response:
    """404 with the service's words for what is not there."""
    return json_error(404, str(exc))


def refused_values(exc: FieldProblems) -> Response:
    """422 naming each refused field."""
    return json_error(422, "; ".join(exc.errors.values()), exc.errors)


def missing_record(exc: NotFound, *also_named: str) -> Response:
    """404 on a route whose path names a record (``<code>``): "no record 'CP-2026-000001'" when
    the service found no record by that code (or by one of ``also_named``, the code as the
    route read it), else the service's own words (the form has no such action, no archival
    copy is stored yet)."""
    named = str(exc)
    if named in {(request.view_args or {}).get("code"), *also_named}:
        return json_error(404, f"no record {named!r}")
    return json_error(404, named)


#: A service's refusals: not allowed 403, not there 404, field problems 422 naming the fields.
REFUSALS: dict[type[Exception], Answer] = {
    PermissionDenied: forbidden, NotFound: not_there, FieldProblems: refused_values}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def token_required(view: F) -> F:
    """Authenticate ``Authorization: Bearer <token>``; unknown tokens are audited and get 401."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "missing bearer token: send 'Authorization: Bearer <token>'")
        actor = accounts.actor_for_token(services().db, token.strip())
        if actor is None:
            accounts.record_rejected_token(services().db, services().clock, token.strip(),
                                           request.remote_addr or "")
            raise ApiError(401, "the bearer token is unknown or revoked")
        g.api_actor = replace(actor, reading=Reading(current_app.config["NEED_TO_KNOW"], None,
                                                     stated_reason(request.headers.get(REASON_HEADER))))
        return view(*args, **kwargs)

    return cast(F, wrapper)


def stated_reason(header: str | None) -> str | None:
    """The reason an API client states for reading records outside its department's work
    (``X-Dossier-Reason``): plain ASCII, or UTF-8 percent-encoded (``%E6%A0%B8...``; a literal
    ``%`` as ``%25``). Anything else is a 400 naming the header; whether the reason will do is
    the need-to-know rule's to say."""
    if header is None:
        return None
    if not header.isascii():
        raise ApiError(400, f"{REASON_HEADER}: send the reason as ASCII or percent-encoded UTF-8")
    try:
        return unquote(header, errors="strict")
    except UnicodeDecodeError:
        raise ApiError(400, f"{REASON_HEADER}: the percent-encoded bytes are not UTF-8") from None


def api_actor() -> Actor:
    return cast(Actor, g.api_actor)


def json_object_body() -> dict[str, Any]:
    """The request body as a JSON object, or a 400/413 that says what is wrong with it."""
    if not request.is_json:
        raise ApiError(400, "send the body as JSON with 'Content-Type: application/json'")
    payload = request.get_json(silent=True)
    if payload is None:
        raise ApiError(400, "the body is not valid JSON")
    if not isinstance(payload, dict):
        raise ApiError(400, "the body must be a JSON object")
    return payload


def json_body_with_keys(allowed: AbstractSet[str],
                        required: AbstractSet[str] = frozenset()) -> dict[str, Any]:
    """The JSON object body, refused (422, naming each key) when it carries a key the call does
    not take or lacks one it needs: a misspelt key is an error, not a silently ignored value."""
    body = json_object_body()
    errors = {k: "unknown key" for k in set(body) - allowed}
    errors.update({k: "required" for k in required - set(body)})
    if errors:
        raise ApiError(422, "; ".join(f"{k}: {v}" for k, v in errors.items()), errors)
    return body


class OpenApiParts:
    """The path items and schemas the API modules declare, gathered for the one document."""

    def __init__(self) -> None:
        self.paths: dict[str, dict[str, Any]] = {}
        self.schemas: dict[str, Any] = {}

    def add(self, paths: dict[str, Any], schemas: dict[str, Any]) -> None:
        """A path two modules serve (GET and POST /records) keeps the methods of both; a method
        or a schema name declared twice is refused (the second would silently replace the first)."""
        for path, item in paths.items():
            twice = sorted(set(item) & set(self.paths.get(path, {})))
            if twice:
                raise DuplicateName(f"OpenAPI: {twice[0].upper()} {path} is declared already")
        twice = sorted(set(schemas) & set(self.schemas))
        if twice:
            raise DuplicateName(f"OpenAPI: schema {twice[0]!r} is declared already")
        for path, item in paths.items():
            self.paths.setdefault(path, {}).update(item)
        self.schemas.update(schemas)


def add_openapi_paths(app: Flask, paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Add path items and schemas to the app's OpenAPI document (see :class:`OpenApiParts`)."""
    registry(OpenApiParts, app).add(paths, schemas)


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "fields"],
    "properties": {
        "error": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        "problem": {"type": "string", "description": "A refusal's name where the client can act on "
                    "it: `reason_required` (need-to-know: send `X-Dossier-Reason`)"},
    },
}


def error_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def openapi_document() -> dict[str, Any]:
    parts = registry(OpenApiParts)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Dossier API", "version": "1",
                 "description": "Forms and archive records. Authenticate with a bearer token "
                                "from `flask --app wsgi tokens create USER`. Need-to-know: an "
                                "auditor's or admin's read of a record outside their department's "
                                "work answers 403 with `problem` `reason_required` unless the "
                                "request states why in the header `X-Dossier-Reason` (5-500 "
                                "characters; plain ASCII or percent-encoded UTF-8, a literal `%` "
                                "as `%25`); each such request states it (docs/personal-data.md)."},
        "servers": [{"url": API_PREFIX}],
        "paths": parts.paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA, **parts.schemas},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


docs_bp = Blueprint("api_docs", __name__, url_prefix=API_PREFIX)


@docs_bp.route("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI document (public: it describes the API, it holds no records)."""
    return jsonify(openapi_document())


OPENAPI_PATHS = {
    "/openapi.json": {"get": {
        "summary": "This OpenAPI document", "security": [],
        "responses": {"200": {"description": "OpenAPI 3.1 document",
                              "content": {"application/json": {"schema": {"type": "object"}}}}},
    }},
}
