"""API v1, the records office's writes, as its pages make them: legal holds (place, add records
by code, release), disposal (the due and review lists, propose a destruction list, an admin's
decision, the two witnesses named and each one's own confirmation, a review decision) and
retention classes (list, change). Each route calls the service the page calls, so the same
roles are refused (403) and the same audit events are written; refused values are 422
``{"error", "fields"}`` naming each. Executing an approved list is in :mod:`archive.archive_api`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request
from flask_babel import gettext as _

from archive import disposal, holds, retention, witnesses
from archive.disclosure import shown_titles
from archive.office_api_docs import OPENAPI_PATHS
from core.api import (
    API_PREFIX,
    REFUSALS,
    ApiError,
    add_openapi_paths,
    api_actor,
    json_body_with_keys,
    json_errors,
    register_api,
    token_required,
)
from core.auth.roles import PermissionDenied
from core.numbers import whole_number
from core.web import services

bp = Blueprint("archive_office_api", __name__, url_prefix=f"{API_PREFIX}/archive")
json_errors(bp, REFUSALS)  # refused values 422, DisposalRefused too (archive_api: executing is 409)


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise ApiError(422, f"{name}: must be text", {name: "must be text"})
    return value


def _id(text: str, what: str) -> int:
    number = whole_number(text, 0, 999_999_999)
    if number is None:
        raise ApiError(404, f"no {what} {text!r}")
    return number


@bp.post("/holds")
@token_required
def hold_create() -> tuple[Response, int]:
    body = json_body_with_keys({"name", "reason", "owner"}, {"name", "reason"})
    s, actor = services(), api_actor()
    hold = holds.create_hold(s.db, s.clock, actor, name=_text(body, "name"), reason=_text(body, "reason"),
                             owner=_text(body, "owner") or actor.username)
    return jsonify(hold.as_json()), 201


@bp.post("/holds/<hold_id>/records")
@token_required
def hold_add(hold_id: str) -> Response:
    """Add records by code: each existing record is added, each other code refused with why."""
    codes = json_body_with_keys({"codes"}, {"codes"})["codes"]
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise ApiError(422, "codes: a list of record codes", {"codes": "a list of record codes"})
    s = services()
    done = holds.add_records(s.db, s.clock, api_actor(), _id(hold_id, "legal hold"), codes, via="api",
                             zone=s.zone)
    return jsonify(done.as_json())


@bp.post("/holds/<hold_id>/release")
@token_required
def hold_release(hold_id: str) -> Response:
    reason = _text(json_body_with_keys({"reason"}, {"reason"}), "reason")
    s = services()
    released = holds.release_hold(s.db, s.clock, api_actor(), _id(hold_id, "legal hold"), reason)
    return jsonify(released.as_json())


@bp.get("/disposal/due")
@token_required
def due() -> Response:
    """One page (``page``, default 1) of the records due for destruction (``action=destroy``, the
    default) or for review, and whether more follow."""
    action, page = request.args.get("action", "destroy"), request.args.get("page", "1")
    if action not in ("destroy", "review"):
        raise ApiError(400, "action: destroy or review", {"action": "destroy or review"})
    number = whole_number(page, 1, 999_999)
    if number is None:
        raise ApiError(400, "page: a whole number from 1", {"page": "not a page number"})
    s, actor = services(), api_actor()
    due_page = disposal.due_page(s.db, s.clock, s.zone, actor, action=action, page=number)
    found = shown_titles(s.db, actor, due_page.items)
    return jsonify({"action": action, "page": due_page.page, "per_page": due_page.per_page,
                    "more": due_page.more, "records": [
        {"code": d.code, "title": d.title, "retention_class": d.retention_class,
         "retention_until": d.retention_until.isoformat(), "filed_at": d.filed_at.isoformat(),
         "held": d.held} for d in found]})


@bp.post("/disposal-lists")
@token_required
def disposal_propose() -> tuple[Response, int]:
    # note (the appraisal) is refused by the service if empty
    body = json_body_with_keys({"codes", "note"}, {"codes"})
    codes = body["codes"]
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise ApiError(422, "codes: a list of record codes", {"codes": "a list of record codes"})
    s = services()
    listed = disposal.propose(s.db, s.clock, s.zone, api_actor(), codes, _text(body, "note"))
    return jsonify(listed.as_json()), 201


@bp.post("/disposal-lists/<list_id>/decision")
@token_required
def disposal_decide(list_id: str) -> Response:
    """An administrator other than the proposer approves (``approve: true``) or rejects (with a
    reason) a proposed list."""
    body = json_body_with_keys({"approve", "reason"}, {"approve"})
    if not isinstance(body["approve"], bool):
        raise ApiError(422, "approve: true or false", {"approve": "true or false"})
    s = services()
    listed = disposal.decide(s.db, s.clock, api_actor(), _id(list_id, "destruction list"),
                             approve=body["approve"], reason=_text(body, "reason"))
    return jsonify(listed.as_json())


@bp.post("/disposal-lists/<list_id>/witnesses")
@token_required
def disposal_witnesses(list_id: str) -> Response:
    """The keeper who will execute an approved list names its two witnesses (监销人):
    ``{"witnesses": ["auditor", "admin"]}``; naming again replaces the pair."""
    body = json_body_with_keys({"witnesses"}, {"witnesses"})
    names = body["witnesses"]
    if not isinstance(names, list) or len(names) != 2 or not all(isinstance(n, str) for n in names):
        raise ApiError(422, "witnesses: a list of two usernames", {"witnesses": "a list of two usernames"})
    s = services()
    named = witnesses.name_witnesses(s.db, s.clock, api_actor(), _id(list_id, "destruction list"),
                                     (names[0], names[1]))
    return jsonify({"witnesses": [w.as_json() for w in named]})


@bp.post("/disposal-lists/<list_id>/confirm")
@token_required
def disposal_confirm(list_id: str) -> Response:
    """The token's own user confirms that they witness the list's destruction (no body: nobody
    confirms for someone else)."""
    s = services()
    confirmed = witnesses.confirm(s.db, s.clock, api_actor(), _id(list_id, "destruction list"))
    return jsonify(confirmed.as_json())


@bp.post("/review/<code>")
@token_required
def review_decide(code: str) -> Response:
    """An archivist's decision on a record at the end of its review period: keep it
    ``keep_years`` more, or 0 to clear it for destruction."""
    body = json_body_with_keys({"keep_years", "reason"}, {"keep_years", "reason"})
    years = body["keep_years"]
    if isinstance(years, bool) or not isinstance(years, int):
        raise ApiError(422, "keep_years: a whole number of years", {"keep_years": "a whole number"})
    s = services()
    until = disposal.review(s.db, s.clock, s.zone, api_actor(), code.upper(), keep_years=years,
                            reason=_text(body, "reason"))
    return jsonify({"code": code.upper(), "retention_until": until.isoformat() if until else None})


@bp.get("/retention-classes")
@token_required
def class_list() -> Response:
    if not api_actor().is_admin:  # as /admin/retention
        raise PermissionDenied(_("Only administrators change retention classes."))
    return jsonify({"classes": [_class_json(c) for c in retention.list_classes(services().db)]})


@bp.patch("/retention-classes/<code>")
@token_required
def class_update(code: str) -> Response:
    """Change a class (administrators): the values sent replace the class's; its filed records
    are rescheduled, and the audit event keeps the values before and after."""
    body = json_body_with_keys(set(retention.EDITABLE))
    s = services()
    if not api_actor().is_admin:  # before looking the class up: others learn nothing from a 404
        raise PermissionDenied(_("Only administrators change retention classes."))
    current = next((c for c in retention.list_classes(s.db) if c.code == code), None)
    if current is None:
        raise ApiError(404, f"no retention class {code!r}")
    changed = retention.update_class(s.db, s.clock, api_actor(), code, {**current.values(), **body},
                                     zone=s.zone)
    return jsonify(_class_json(changed))


def _class_json(cls: retention.ClassView) -> dict[str, Any]:
    return {"code": cls.code, **cls.values()}


def init_api(app: Flask) -> None:
    """Register the routes (bearer tokens, no CSRF: :func:`core.api.register_api`) in the OpenAPI document."""
    register_api(app, bp)
    add_openapi_paths(app, OPENAPI_PATHS, {})
