"""API v1: one view of a customer, as the customer page shows it (:mod:`forms.customers.view`):
by a phone, policy or order number, by the customer's id, or from one of their records."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from core.api import (
    API_PREFIX,
    add_openapi_paths,
    api_actor,
    error_response,
    forbidden,
    json_error,
    json_errors,
    register_api,
    token_required,
)
from core.auth.roles import NotFound, PermissionDenied
from core.web import services
from forms.customers.view import MAX_NUMBER, NotANumber, customer_of, customer_page, find_customer

bp = Blueprint("customers_api", __name__, url_prefix=API_PREFIX)


def _missing(exc: NotFound) -> Response:
    return json_error(404, str(exc))


json_errors(bp, {PermissionDenied: forbidden, NotFound: _missing})


def _page(customer_id: str) -> Response:
    s = services()
    return jsonify(customer_page(s.db, s.clock, api_actor(), customer_id).as_json())


@bp.get("/customers")
@token_required
def find() -> Response:
    """``?number=`` a phone, policy or order number, however written → the customer's records."""
    try:
        customer_id = find_customer(services().db, api_actor(), request.args.get("number", ""))
    except NotANumber as wrong:
        return json_error(422, str(wrong), {"number": str(wrong)})
    if customer_id is None:
        raise NotFound("no records you may see carry this number")
    return _page(customer_id)


@bp.get("/customers/<customer_id>")
@token_required
def customer(customer_id: str) -> Response:
    return _page(customer_id)


@bp.get("/records/<code>/customer")
@token_required
def of_record(code: str) -> Response:
    customer_id = customer_of(services().db, api_actor(), code)
    if customer_id is None:
        raise NotFound(f"{code} carries no phone, policy or order number: it is linked to no customer")
    return _page(customer_id)


CUSTOMER_SCHEMA: dict[str, Any] = {"type": "object", "required": ["customer", "records", "withheld", "cut"],
                                   "properties": {
    "customer": {"type": "string", "description": "The customer's opaque id (20 hex digits)"},
    "records": {"type": "array", "items": {"$ref": "#/components/schemas/Record"},
                "description": "Open complaints first, then newest first; masked as for the token user"},
    "names": {"type": "array", "items": {"type": "string"}},
    "phones": {"type": "array", "items": {"type": "string"}},
    "tier": {"type": ["object", "null"], "properties": {
        "value": {"type": "string"}, "code": {"type": "string"},
        "at": {"type": "string", "format": "date-time"}}},
    "withheld": {"type": "array", "items": {"type": "string"},
                 "description": "Codes that need an X-Dossier-Reason first (need-to-know asked per record)"},
    "cut": {"type": "boolean", "description": "More records share the customer's numbers than are gathered"},
}}
_ANSWERS: dict[str, Any] = {
    "200": {"description": "The customer's records the token user may see",
            "content": {"application/json": {"schema": CUSTOMER_SCHEMA}}},
    "401": error_response("No or bad token"),
    "403": error_response("A reason is required first (problem reason_required)"),
    "404": error_response("No records the token user may see belong to this customer"),
}
OPENAPI_PATHS: dict[str, Any] = {
    "/customers": {"get": {
        "summary": "A customer found by a phone, policy or order number, however written "
                   "(audited customer.view)",
        "parameters": [{"name": "number", "in": "query", "required": True,
                        "schema": {"type": "string", "maxLength": MAX_NUMBER}}],
        "responses": {**_ANSWERS, "422": error_response("No number, or one too long")}}},
    "/customers/{customer_id}": {"get": {
        "summary": "A customer's records by the customer's id",
        "parameters": [{"name": "customer_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": _ANSWERS}},
    "/records/{code}/customer": {"get": {
        "summary": "The customer of one record (404 when it carries no number)",
        "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": _ANSWERS}},
}


def init_api(app: Flask) -> None:
    """Register the endpoints (bearer tokens, no CSRF: :func:`core.api.register_api`), documented."""
    register_api(app, bp)
    add_openapi_paths(app, OPENAPI_PATHS, {})
