"""API v1, form version administration (the /admin/forms page): every registered version with
its status, and an administrator's approval of a pending one (audited ``form_version.approve``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify
from flask_babel import gettext as _

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
from core.auth.roles import NotFound, PermissionDenied
from core.numbers import whole_number
from core.web import services
from forms import versions

bp = Blueprint("forms_admin_api", __name__, url_prefix=API_PREFIX)
json_errors(bp, {**REFUSALS, NotFound: lambda exc: json_error(404, f"no form version {exc}")})


@bp.get("/form-versions")
@token_required
def version_list() -> Response:
    if not api_actor().is_admin:
        raise PermissionDenied(_("Only administrators manage form versions."))
    return jsonify({"versions": [{
        "form": v.form_code, "version": v.version, "status": v.status,
        "registered_at": v.registered_at.isoformat(),
        "approved_at": v.approved_at.isoformat() if v.approved_at else None}
        for v in versions.list_versions(services().db)]})


@bp.post("/form-versions/<form_code>/<version>/approve")
@token_required
def approve_version(form_code: str, version: str) -> Response:
    """Approve a pending version: from now on it is the one filled (approving twice is harmless)."""
    number = whole_number(version, 0, 999_999)
    if number is None:
        raise ApiError(404, f"no version {version!r} of {form_code!r}")
    s = services()
    versions.approve(s.db, s.clock, api_actor(), form_code.upper(), number)
    return jsonify({"form": form_code.upper(), "version": number, "status": "approved"})


_OBJECT: dict[str, Any] = {"type": "object"}
_ADMINS = error_response("Only administrators manage form versions")
OPENAPI_PATHS = {
    "/form-versions": {"get": {
        "summary": "Every registered form version with its status (pending, approved)",
        "responses": {"200": {"description": "{versions: [{form, version, status, registered_at, "
                                             "approved_at}]}",
                              "content": {"application/json": {"schema": _OBJECT}}},
                      "401": error_response("No or bad token"), "403": _ADMINS}}},
    "/form-versions/{form_code}/{version}/approve": {"post": {
        "summary": "Approve a pending form version (administrators; audited)",
        "parameters": [{"name": "form_code", "in": "path", "required": True, "schema": {"type": "string"}},
                       {"name": "version", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "Approved",
                              "content": {"application/json": {"schema": _OBJECT}}},
                      "401": error_response("No or bad token"), "403": _ADMINS,
                      "404": error_response("No such form version")}}},
}


def init_api(app: Flask) -> None:
    """Register the routes (bearer tokens, no CSRF: :func:`core.api.register_api`) in the OpenAPI document."""
    register_api(app, bp)
    add_openapi_paths(app, OPENAPI_PATHS, {})
