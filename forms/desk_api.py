"""API v1, a user's desk: the inbox (what waits for them, by deadline), one action taken on
several records at once (the supervisor's day confirmation of visit registrations, countersigning
in bulk) and the day's visit registrations. The inbox page's and the day register's services,
with their permission checks and audit; errors are ``{"error", "fields"}``."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from core.api import (
    API_PREFIX,
    ApiError,
    add_openapi_paths,
    api_actor,
    error_response,
    json_object_body,
    register_api,
    token_required,
)
from core.web import services
from forms.day_register import latest_unconfirmed_day, registrations_of
from forms.inbox import inbox
from forms.workflow import act_on_many

bp = Blueprint("forms_desk_api", __name__, url_prefix=API_PREFIX)
MAX_BATCH = 200


@bp.get("/inbox")
@token_required
def inbox_list() -> Response:
    """What waits for the token's user, overdue first, then by deadline; audited as a list."""
    tasks, total = inbox(services().db, services().clock, api_actor())
    return jsonify({"total": total, "tasks": [{
        "code": t.code, "title": t.title, "form": t.form_code, "state": t.state,
        "actions": [name for name, _label in t.actions], "submitted_by": t.submitted_by,
        "submitted_at": t.submitted_at.isoformat(), "due_at": t.due_at.isoformat() if t.due_at else None,
        "overdue": t.overdue,
        "deadline_paused_at": t.deadline_paused_at.isoformat() if t.deadline_paused_at else None,
    } for t in tasks]})


@bp.post("/records/actions/<action>")
@token_required
def batch_action(action: str) -> Response:
    """The same field-less action (confirm, countersign …) on several records, each at the
    revision the caller saw and each in its own transaction: one refused record (with why) does
    not hold back the others."""
    body = json_object_body()
    items = body.get("records")
    if set(body) - {"records"} or not isinstance(items, list) or not 0 < len(items) <= MAX_BATCH or not all(
            isinstance(i, dict) and isinstance(i.get("code"), str) and type(i.get("revision")) is int
            for i in items):
        raise ApiError(422, f"send {{\"records\": [{{\"code\": …, \"revision\": N}}, …]}} (1 to {MAX_BATCH})",
                       {"records": "a list of {code, revision}"})
    s = services()
    outcome = act_on_many(s.db, s.clock, s.zone, api_actor(), [(i["code"], i["revision"]) for i in items],
                          action, channel="api")
    return jsonify({"done": outcome.done, "refused": outcome.refused})


@bp.get("/registrations/day")
@token_required
def day_registrations() -> Response:
    """One day's visit registrations (``day``; default: the latest day with registrations still to
    confirm, else today), masked as the token's user reads them; audited."""
    s, actor = services(), api_actor()
    text = request.args.get("day", "")
    try:
        day = date.fromisoformat(text) if text else (latest_unconfirmed_day(s.db, actor)
                                                     or s.clock.now().astimezone(s.zone).date())
    except ValueError:
        raise ApiError(400, "day: a date such as 2026-03-02", {"day": "not a date"}) from None
    found = registrations_of(s.db, s.clock, actor, day)
    return jsonify({"day": day.isoformat(), "registrations": [r.as_json() for r in found]})


_OBJECT: dict[str, Any] = {"type": "object"}
OPENAPI_PATHS: dict[str, Any] = {
    "/inbox": {"get": {
        "summary": "What waits for the token's user (the inbox page), overdue first, then by deadline",
        "responses": {"200": {"description": "{total, tasks: [{code, title, form, state, actions, "
                                             "submitted_by, submitted_at, due_at, overdue, "
                                             "deadline_paused_at}]} (due_at null while paused)",
                              "content": {"application/json": {"schema": _OBJECT}}},
                      "401": error_response("No or bad token")}}},
    "/records/actions/{action}": {"post": {
        "summary": "One field-less action (e.g. confirm, countersign) on several records, each at the "
                   "revision seen; each record its own transaction, audited like one action",
        "parameters": [{"name": "action", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["records"], "additionalProperties": False, "properties": {
                "records": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": {
                    "type": "object", "required": ["code", "revision"],
                    "properties": {"code": {"type": "string"}, "revision": {"type": "integer"}}}}}}}}},
        "responses": {"200": {"description": "{done: [codes], refused: {code: why}}",
                              "content": {"application/json": {"schema": _OBJECT}}},
                      "400": error_response("Malformed JSON"), "401": error_response("No or bad token"),
                      "422": error_response("records is not a list of {code, revision}")}}},
    "/registrations/day": {"get": {
        "summary": "One day's visit registrations (VR), as the day register page lists them",
        "parameters": [{"name": "day", "in": "query", "required": False,
                        "schema": {"type": "string", "format": "date"},
                        "description": "Default: the latest day with registrations still to confirm"}],
        "responses": {"200": {"description": "{day, registrations: [Record]}",
                              "content": {"application/json": {"schema": _OBJECT}}},
                      "400": error_response("day is not a date"), "401": error_response("No or bad token")}}},
}


def init_api(app: Flask) -> None:
    """Register the routes (bearer tokens, no CSRF: :func:`core.api.register_api`) in the OpenAPI document."""
    register_api(app, bp)
    add_openapi_paths(app, OPENAPI_PATHS, {})
