"""API v1, the daily work beside submitting: record lists with the filters people use, drafts
(list, create, update, delete, submit) and a record's revisions. Each route calls the service the
page calls, with its permission checks and audit; personal fields are masked as on the pages;
errors are ``{"error", "fields"}``, answered for every route in one table (:data:`ANSWERS`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request, url_for

from archive.disclosure import current_disclosure
from archive.record_lists import MAX_PER_PAGE, RecordFilters, find_records
from archive.records import RecordView, get_record
from archive.stores import file_store
from core.api import (
    API_PREFIX,
    REFUSALS,
    Answer,
    ApiError,
    add_openapi_paths,
    api_actor,
    json_error,
    json_errors,
    json_object_body,
    missing_record,
    register_api,
    token_required,
)
from core.auth.roles import NotFound
from core.numbers import whole_number
from core.web import services
from forms import drafts, versions
from forms.builder import parse_values
from forms.file_intake import API_BODY_CAP, descriptors_in, file_fields, receive_json
from forms.rules import NeedsConfirmation
from forms.spec_disclosure import shown_page
from forms.submission import submit
from forms.validation import InvalidData, validate
from forms.views.context import build_context
from forms.work_api_docs import OPENAPI_PATHS, SCHEMAS

bp = Blueprint("forms_work_api", __name__, url_prefix=API_PREFIX)

#: The list's query parameters (as the /records page and the search filters name them).
LIST_PARAMETERS = frozenset({"form", "state", "department", "year", "submitter", "overdue", "mine",
                             "page", "per_page"})


def _missing(exc: NotFound) -> Response:
    """What is not there, as the route names it: the record in its path ("no record 'X'"); a
    draft, and drafts of other people do not exist for the asker (drafts.owned_draft: "no draft
    N"); or, creating a draft, the form type its body names (422: a wrong value, not a wrong
    address)."""
    path = request.view_args or {}
    if "code" in path:
        return missing_record(exc)
    if request.method == "POST" and not path:
        form_code = str(json_object_body().get("form", "")).upper()
        return json_error(422, f"no form type {form_code!r} that can be filled", {"form": "unknown"})
    return json_error(404, f"no {exc}")


def _needs_confirmation(ask: NeedsConfirmation) -> Response:
    """409: a form rule asks before filing the draft (nothing was filed). The message only; the
    record API's 409 (forms.api) also carries the question as data."""
    return json_error(409, f"{ask.message} Nothing was filed; send \"confirm_conflict\": true.")


ANSWERS: dict[type[Exception], Answer] = {
    **REFUSALS,
    NotFound: _missing,
    NeedsConfirmation: _needs_confirmation,
    InvalidData: lambda invalid: json_error(422, "the draft's data is invalid; it is kept", invalid.errors),
}
json_errors(bp, ANSWERS)


@bp.get("/records")
@token_required
def record_list() -> Response:
    """The records the token's user may see, filtered and paged, newest first; audited."""
    filters, page, per_page = _list_parameters(request.args)
    s, actor = services(), api_actor()
    found = find_records(s.db, s.clock, actor, filters, page=page, per_page=per_page)
    listed = shown_page(s.db, actor, found)  # titles name customers: masked where not needed
    following = ({**request.args.to_dict(), "page": str(listed.page + 1)} if listed.has_next else None)
    return jsonify({"records": [_listed(r) for r in listed.items], "page": listed.page,
                    "per_page": listed.per_page, "total": listed.total, "pages": listed.pages,
                    "more": listed.more, "next": url_for(".record_list", **following) if following else None,
                    "filters": filters.as_json()})


def _listed(record: RecordView) -> dict[str, Any]:
    shown = record.as_json()
    shown.pop("data")  # a list names records; GET /records/{code} reads one (audited as a read)
    shown.pop("notice")  # not read for a list (it would say null): GET /records/{code} names it
    return shown


def _list_parameters(args: Any) -> tuple[RecordFilters, int, int]:
    errors: dict[str, str] = {}
    for name in set(args) - LIST_PARAMETERS:
        errors[name] = f"unknown parameter (known: {', '.join(sorted(LIST_PARAMETERS))})"
    text = {name: args.get(name, "").strip() for name in LIST_PARAMETERS}
    year = _whole(text["year"], "year", errors, 2000, 2100)
    page = _whole(text["page"], "page", errors, 1, 100_000) or 1
    per_page = _whole(text["per_page"], "per_page", errors, 1, MAX_PER_PAGE) or 20
    flags = {name: _flag(text[name], name, errors) for name in ("overdue", "mine")}
    if errors:
        raise ApiError(400, "bad parameters: " + "; ".join(f"{k}: {v}" for k, v in errors.items()), errors)
    return RecordFilters(form=text["form"].upper() or None, state=text["state"] or None,
                         department=text["department"].upper() or None, year=year,
                         submitter=text["submitter"] or None, overdue=flags["overdue"],
                         mine=bool(flags["mine"])), page, per_page


def _whole(text: str, name: str, errors: dict[str, str], low: int, high: int) -> int | None:
    if not text:
        return None
    number = whole_number(text, low, high)
    if number is None:
        errors[name] = f"a whole number from {low} to {high}"
    return number


def _flag(text: str, name: str, errors: dict[str, str]) -> bool | None:
    if text in ("", "true", "false"):
        return {"": None, "true": True, "false": False}[text]
    errors[name] = "true or false"
    return None


@bp.get("/records/<code>/revisions")
@token_required
def record_revisions(code: str) -> Response:
    """Every revision of the record, oldest first, with the fields each changed; read as the
    record page reads it (audited, masked where the reader has no need)."""
    s, actor = services(), api_actor()
    view = get_record(s.db, s.clock, actor, code, channel="api")
    shown = current_disclosure().shown(actor, view)
    revisions, before = [], {}
    for whole, masked in zip(view.revisions, shown.revisions, strict=True):
        changed = sorted(k for k in whole.data.keys() | before.keys() if whole.data.get(k) != before.get(k))
        revisions.append({"number": masked.number, "action": masked.action, "state": masked.state,
                          "by": masked.actor, "at": masked.at.isoformat(), "reason": masked.reason,
                          "changed": changed, "data": masked.data})
        before = whole.data
    return jsonify({"code": view.code, "revision": view.revision, "revisions": revisions})


@bp.get("/drafts")
@token_required
def draft_list() -> Response:
    """The token user's drafts, last saved first, each with what identifies it."""
    return jsonify({"drafts": [_draft_json(d) for d in drafts.list_drafts(services().db, api_actor())]})


@bp.post("/drafts")
@token_required
def draft_create() -> tuple[Response, int, dict[str, str]]:
    form_code, data = _draft_body(new=True)
    data = _files_taken_in(form_code, data, {})
    draft_id = drafts.save_draft(services().db, services().clock, api_actor(), form_code, data)
    view = drafts.get_draft(services().db, api_actor(), draft_id)
    return jsonify(_draft_json(view)), 201, {"Location": url_for(".draft_detail", draft_id=draft_id)}


@bp.get("/drafts/<draft_id>")
@token_required
def draft_detail(draft_id: str) -> Response:
    number = _number(draft_id)
    return jsonify(_draft_json(drafts.get_draft(services().db, api_actor(), number)))


@bp.put("/drafts/<draft_id>")
@token_required
def draft_update(draft_id: str) -> Response:
    """Replace the draft's data (kept as sent, valid or not, like the page's "save draft")."""
    number = _number(draft_id)
    current = drafts.get_draft(services().db, api_actor(), number)
    _form, data = _draft_body(new=False)
    data = _files_taken_in(current.form_code, data, current.data)
    drafts.save_draft(services().db, services().clock, api_actor(), current.form_code, data, number)
    return jsonify(_draft_json(drafts.get_draft(services().db, api_actor(), number)))


@bp.delete("/drafts/<draft_id>")
@token_required
def draft_delete(draft_id: str) -> tuple[str, int]:
    number = _number(draft_id)
    drafts.delete_draft(services().db, api_actor(), number)
    return "", 204


@bp.post("/drafts/<draft_id>/submit")
@token_required
def draft_submit(draft_id: str) -> tuple[Response, int, dict[str, str]]:
    """Submit the draft's data (``data`` in the body replaces it first): the record is filed and
    the draft deleted in one transaction, as on the page; refused values name their fields. A
    draft saved on the page is read as the page reads it if its values do not pass as the API
    takes them (:func:`_as_typed`)."""
    number = _number(draft_id)
    request.max_content_length = API_BODY_CAP  # files come base64 in the body (forms.file_intake)
    body = json_object_body() if request.content_length else {}
    unknown = set(body) - {"data", "confirm_conflict"}
    if unknown:
        raise ApiError(422, f"unknown keys: {', '.join(sorted(unknown))}")
    draft = drafts.get_draft(services().db, api_actor(), number)
    data = body.get("data", draft.data)
    if not isinstance(data, dict):
        raise ApiError(422, "'data' must be an object of field values", {"data": "not an object"})
    if "data" in body:
        data = _files_taken_in(draft.form_code, data, draft.data)
    confirmed = body.get("confirm_conflict") is True
    try:
        record = _submit(draft, data, number, confirmed)
    except InvalidData as invalid:
        if "data" in body:
            raise
        record = _submit(draft, _as_typed(draft, invalid.errors), number, confirmed)
    location = url_for("archive_api.record_detail", code=record.code)
    return jsonify(record.as_json()), 201, {"Location": location}


def _submit(draft: drafts.DraftView, data: dict[str, Any], number: int, confirmed: bool) -> RecordView:
    s = services()
    return submit(s.db, s.clock, s.zone, api_actor(), draft.form_code, data, draft_id=number,
                  confirmed=confirmed)


def _as_typed(draft: drafts.DraftView, as_sent: dict[str, str]) -> dict[str, Any]:
    """A draft's values that do not pass as the API takes them (``as_sent``: the problems) read
    as the page reads what was typed ("2026-03-02 09:00", "138 0013 8000"): a draft saved on
    the page submits over the API as it would on the page. If they do not pass that way either,
    whichever reading finds fewer problems is reported (InvalidData)."""
    spec = versions.fillable_spec(services().db, draft.form_code)
    data, errors = parse_values(spec, draft.data, build_context())
    if errors:  # as the page: never submit unreadable input; still name the other fields' problems
        try:
            validate(spec, {k: v for k, v in data.items() if k not in errors and v is not None})
        except InvalidData as invalid:
            errors = {**invalid.errors, **errors}
        raise InvalidData(errors if len(errors) < len(as_sent) else as_sent)
    return {name: value for name, value in data.items() if value is not None}


def _number(draft_id: str) -> int:
    number = whole_number(draft_id, 0, 999_999_999)
    if number is None:
        raise ApiError(404, f"no draft {draft_id!r}")
    return number


def _files_taken_in(form_code: str, data: dict[str, Any], kept: dict[str, Any]) -> dict[str, Any]:
    """A draft's files as a submission takes them (:func:`forms.file_intake.receive_json`): new
    ones sent as content, checked and stored; a descriptor only if the draft held it already
    (``kept``: its data before), so a draft can never name a file its author did not send."""
    spec = versions.fillable_spec(services().db, form_code)
    if not file_fields(spec):
        return data
    received, errors = receive_json(spec, data, file_store(), held=descriptors_in(spec, kept))
    if errors:
        raise InvalidData(errors)
    return received


def _draft_body(*, new: bool) -> tuple[str, dict[str, Any]]:
    request.max_content_length = API_BODY_CAP  # files come base64 in the body (forms.file_intake)
    body = json_object_body()
    allowed = {"form", "data"} if new else {"data"}
    unknown = set(body) - allowed
    if unknown:
        raise ApiError(422, f"unknown keys: {', '.join(sorted(unknown))}")
    form_code, data = body.get("form", ""), body.get("data")
    if new and (not isinstance(form_code, str) or not form_code):
        raise ApiError(422, "'form' must name a form type, e.g. \"CP\"", {"form": "required"})
    if not isinstance(data, dict):
        raise ApiError(422, "'data' must be an object of field values", {"data": "required"})
    return str(form_code).upper(), data


def _draft_json(draft: drafts.DraftView) -> dict[str, Any]:
    return {"id": draft.id, "form": draft.form_code, "version": draft.version, "data": draft.data,
            "updated_at": draft.updated_at.isoformat(), "summary": draft.summary, "dated": draft.dated}


def init_api(app: Flask) -> None:
    """Register the routes (bearer tokens, no CSRF: :func:`core.api.register_api`) in the OpenAPI document."""
    register_api(app, bp)
    add_openapi_paths(app, OPENAPI_PATHS, SCHEMAS)
