"""API v1, the office calendar (the /admin/calendar page's reads and changes, administrators
only): a year's dated days and the weekday hours, marking a day, removing the office's own row
for a day, setting a weekday's hours, and checking or importing a schedule file's text. Each
change is the page's service call (forms.office_calendar: audited, and it answers the codes of
the open records that got a new deadline, ``rescheduled``); refused values are 422 naming the
field, others than administrators 403."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from core.api import (
    API_PREFIX,
    REFUSALS,
    ApiError,
    add_openapi_paths,
    api_actor,
    error_response,
    json_body_with_keys,
    json_errors,
    register_api,
    token_required,
)
from core.auth.roles import Actor
from core.problems import FieldProblems
from core.web import services
from forms import office_calendar
from forms.calendar_file import FIRST_YEAR, LAST_YEAR, MAX_BYTES
from forms.calendar_input import (
    checked_spans,
    parse_day,
    parse_kind,
    parse_name,
    parse_span,
    span_text,
    year_asked,
)

bp = Blueprint("calendar_api", __name__, url_prefix=f"{API_PREFIX}/calendar")
json_errors(bp, REFUSALS)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise FieldProblems({name: "must be text"})
    return value


def _admin() -> Actor:
    """Others are refused (403) before anything they sent is read (the services check again)."""
    actor = api_actor()
    office_calendar.require_admin(actor)
    return actor


def _day(text: str) -> Any:
    """The date in the path; 404 when it is not a date at all (no such address)."""
    try:
        return parse_day(text)
    except FieldProblems as refused:
        raise ApiError(404, refused.errors["day"]) from None


@bp.get("")
@token_required
def calendar_year() -> Response:
    """``?year=2026`` (default: this year in the office's zone)."""
    actor, s = _admin(), services()
    raw = request.args.get("year", "")
    year = year_asked(raw) if raw else s.clock.now().astimezone(s.zone).year
    if year is None:
        raise ApiError(400, f"year: a year from {FIRST_YEAR} to {LAST_YEAR}", {"year": "not a year"})
    view = office_calendar.year_view(s.db, actor, year)
    return jsonify({
        "year": view.year,
        "hours": {WEEKDAYS[row.weekday]: {"spans": [span_text(span) for span in row.spans],
                                          "source": "office" if row.own else "default"}
                  for row in view.hours},
        "days": [{"date": entry.day.isoformat(), "kind": "workday" if entry.working else "holiday",
                  "name": entry.name, "source": entry.source,
                  "shipped": None if entry.shipped is None else {
                      "kind": "workday" if entry.shipped.working else "holiday", "name": entry.shipped.name}}
                 for entry in view.days]})


@bp.put("/days/<day>")
@token_required
def calendar_set_day(day: str) -> Response:
    """Body ``{"kind": "holiday" | "workday", "name": "国庆节"}``."""
    actor, s = _admin(), services()
    body = json_body_with_keys({"kind", "name"})
    chosen = _day(day)
    errors: dict[str, str] = {}
    for name, parse in (("kind", parse_kind), ("name", parse_name)):
        try:
            parse(_text(body, name))
        except FieldProblems as refused:
            errors.update(refused.errors)
    if errors:
        raise FieldProblems(errors)
    working, name = parse_kind(body["kind"]), parse_name(body["name"])
    codes = office_calendar.set_day(s.db, s.clock, actor, chosen, working, name)
    return jsonify({"date": chosen.isoformat(), "kind": "workday" if working else "holiday", "name": name,
                    "rescheduled": codes})


@bp.delete("/days/<day>")
@token_required
def calendar_remove_day(day: str) -> Response:
    """Remove the office's own row for the day (the shipped schedule applies again)."""
    actor, s = _admin(), services()
    chosen = _day(day)
    codes = office_calendar.remove_day(s.db, s.clock, actor, chosen)
    return jsonify({"date": chosen.isoformat(), "rescheduled": codes})


@bp.put("/hours/<weekday>")
@token_required
def calendar_set_hours(weekday: str) -> Response:
    """Body ``{"spans": ["09:00-12:00", "13:00-17:30"]}`` (an empty list: a day off)."""
    actor, s = _admin(), services()
    if weekday.lower() not in WEEKDAYS:
        raise ApiError(404, f"no weekday {weekday[:20]!r}: one of {', '.join(WEEKDAYS)}")
    spans = json_body_with_keys({"spans"}).get("spans")
    if not isinstance(spans, list) or not all(isinstance(span, str) for span in spans):
        raise FieldProblems({"spans": "a list of spans such as \"09:00-12:00\""})
    parsed = checked_spans([parse_span(span, "spans") for span in spans[:100]], "spans")
    codes = office_calendar.set_hours(s.db, s.clock, actor, WEEKDAYS.index(weekday.lower()), parsed)
    return jsonify({"weekday": weekday.lower(), "spans": [span_text(span) for span in parsed],
                    "rescheduled": codes})


@bp.post("/schedule")
@token_required
def calendar_schedule() -> Response:
    """Body ``{"text": "date,kind,name\\n…", "apply": false}``: what the schedule changes and its
    problems by line; with ``"apply": true`` and no problem, it is imported."""
    actor, s = _admin(), services()
    body = json_body_with_keys({"text", "apply"})
    text, apply = _text(body, "text"), body.get("apply", False)
    if not isinstance(apply, bool):
        raise FieldProblems({"apply": "true or false"})
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise FieldProblems({"text": f"at most {MAX_BYTES // 1024} KB"})
    checked = office_calendar.preview(s.db, actor, text)
    answer: dict[str, Any] = {
        "days": len(checked.days),
        "problems": [{"line": p.line, "field": p.field, "message": str(p.message)} for p in checked.problems],
        "changes": [{"date": c.row.day.isoformat(), "kind": "workday" if c.row.working else "holiday",
                     "name": c.row.name, "change": c.kind,
                     "before": None if c.before is None else {
                         "kind": "workday" if c.before.working else "holiday", "name": c.before.name,
                         "source": c.before.source}} for c in checked.changes]}
    if not apply:
        return jsonify(answer)
    if not checked.can_apply:
        response = jsonify({"error": "the schedule has problems (or no days): nothing was imported",
                            "fields": {"text": "see problems"}, **answer})
        response.status_code = 422
        return response
    codes = office_calendar.apply(s.db, s.clock, actor, checked.days, via="api")
    return jsonify({**answer, "applied": True, "rescheduled": codes})


_OBJECT: dict[str, Any] = {"type": "object"}
_ADMINS = error_response("Only administrators see and change the office calendar")
_CHANGED = {"description": "Done; rescheduled: the codes of open records given a new deadline",
            "content": {"application/json": {"schema": _OBJECT}}}
_DAY = [{"name": "day", "in": "path", "required": True, "schema": {"type": "string", "format": "date"}}]
OPENAPI_PATHS = {
    "/calendar": {"get": {
        "summary": "The office calendar of a year: weekday hours and dated days (administrators)",
        "parameters": [{"name": "year", "in": "query", "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "{year, hours: {monday: {spans, source}}, days: [{date, kind, "
                                             "name, source, shipped}]}",
                              "content": {"application/json": {"schema": _OBJECT}}},
                      "400": error_response("Not a year"), "401": error_response("No or bad token"),
                      "403": _ADMINS}}},
    "/calendar/days/{day}": {
        "put": {"summary": "Make a day a holiday or an adjusted working day (audited)", "parameters": _DAY,
                "requestBody": {"content": {"application/json": {"schema": _OBJECT}}},
                "responses": {"200": _CHANGED, "401": error_response("No or bad token"), "403": _ADMINS,
                              "404": error_response("Not a date"), "422": error_response("Refused values")}},
        "delete": {"summary": "Remove the office's own row for a day (audited)", "parameters": _DAY,
                   "responses": {"200": _CHANGED, "401": error_response("No or bad token"), "403": _ADMINS,
                                 "404": error_response("Not a date")}}},
    "/calendar/hours/{weekday}": {"put": {
        "summary": "Set a weekday's working spans (audited)",
        "parameters": [{"name": "weekday", "in": "path", "required": True,
                        "schema": {"type": "string", "enum": list(WEEKDAYS)}}],
        "requestBody": {"content": {"application/json": {"schema": _OBJECT}}},
        "responses": {"200": _CHANGED, "401": error_response("No or bad token"), "403": _ADMINS,
                      "404": error_response("No such weekday"), "422": error_response("Refused spans")}}},
    "/calendar/schedule": {"post": {
        "summary": "Check a schedule file's text, or import it with apply (audited)",
        "requestBody": {"content": {"application/json": {"schema": _OBJECT}}},
        "responses": {"200": _CHANGED, "401": error_response("No or bad token"), "403": _ADMINS,
                      "422": error_response("Problems by line; nothing imported")}}},
}


def init_api(app: Flask) -> None:
    """Register the routes (bearer tokens, no CSRF: :func:`core.api.register_api`) in the OpenAPI document."""
    register_api(app, bp)
    add_openapi_paths(app, OPENAPI_PATHS, {})
