"""The OpenAPI description of :mod:`archive.office_api` (the records office's writes)."""

from __future__ import annotations

from typing import Any

from core.api import error_response

OBJECT: dict[str, Any] = {"type": "object"}
CODES = {"type": "array", "items": {"type": "string", "example": "CP-2026-000123"}}


def _ok(description: str, status: str = "200") -> dict[str, Any]:
    return {status: {"description": description, "content": {"application/json": {"schema": OBJECT}}}}


def _errors(forbidden: str, *, body: bool = True) -> dict[str, Any]:
    found = {"401": error_response("No or bad token"), "403": error_response(forbidden)}
    if body:
        found["400"] = error_response("Malformed JSON")
        found["422"] = error_response("Values refused; `fields` names each")
    return found


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": False, "required": required, "properties": properties}}}}


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


KEEPERS = "Only archivists and administrators manage the archive"
NOT_FOUND = {"404": error_response("No such hold, list, record or class")}

OPENAPI_PATHS: dict[str, Any] = {
    "/archive/holds": {"post": {
        "summary": "Place a legal hold (audited hold.create)",
        "requestBody": _body({"name": {"type": "string"}, "reason": {"type": "string"},
                              "owner": {"type": "string", "description": "Username; default: you"}},
                             ["name", "reason"]),
        "responses": {**_ok("The hold", "201"), **_errors(KEEPERS)}}},
    "/archive/holds/{hold_id}/records": {"post": {
        "summary": "Add records to an active hold by code: every existing record is added, every other "
                   "code is refused with its reason (not a record code, no such record, destroyed on a "
                   "day); 422 only when none can be added (audited hold.add, with the refused codes)",
        "parameters": [_path("hold_id")],
        "requestBody": _body({"codes": CODES}, ["codes"]),
        "responses": {**_ok("{hold, added, already, refused: {code: reason}}"), **_errors(KEEPERS),
                      **NOT_FOUND}}},
    "/archive/holds/{hold_id}/release": {"post": {
        "summary": "Release a hold with a reason (audited hold.release)",
        "parameters": [_path("hold_id")],
        "requestBody": _body({"reason": {"type": "string"}}, ["reason"]),
        "responses": {**_ok("The released hold"), **_errors(KEEPERS), **NOT_FOUND}}},
    "/archive/disposal/due": {"get": {
        "summary": "One page (100 records, in order of last day and code) of the records due for "
                   "destruction (not held, on no open list) or for review; audited as a list",
        "parameters": [{"name": "action", "in": "query", "required": False,
                        "schema": {"type": "string", "enum": ["destroy", "review"], "default": "destroy"}},
                       {"name": "page", "in": "query", "required": False,
                        "schema": {"type": "integer", "minimum": 1, "default": 1}}],
        "responses": {**_ok("{action, page, per_page, more (a next page exists), records: [{code, title, "
                            "retention_class, retention_until, filed_at, held}]}"),
                      "400": error_response("action is not destroy or review, or page is not a page number"),
                      **_errors("Only the records office reads the archive", body=False)}}},
    "/archive/disposal-lists": {"post": {
        "summary": "Propose a destruction list of due records (audited); an administrator decides. "
                   "note is the appraisal (鉴定意见) the destruction register prints: required",
        "requestBody": _body({"codes": CODES, "note": {"type": "string", "minLength": 1, "maxLength": 2000}},
                             ["codes", "note"]),
        "responses": {**_ok("The proposed list", "201"), **_errors(KEEPERS)}}},
    "/archive/disposal-lists/{list_id}/decision": {"post": {
        "summary": "An administrator other than the proposer approves or rejects (with a reason) a list",
        "parameters": [_path("list_id")],
        "requestBody": _body({"approve": {"type": "boolean"}, "reason": {"type": "string"}}, ["approve"]),
        "responses": {**_ok("The decided list"), **_errors("Only an administrator may approve this"),
                      **NOT_FOUND}}},
    "/archive/disposal-lists/{list_id}/witnesses": {"post": {
        "summary": "The keeper who will execute an approved list names its two witnesses (监销人): two "
                   "different records-office users (archivist, auditor, admin), neither the one naming; "
                   "naming again replaces the pair (audited disposal.witnesses)",
        "parameters": [_path("list_id")],
        "requestBody": _body({"witnesses": {"type": "array", "minItems": 2, "maxItems": 2,
                                            "items": {"type": "string", "example": "auditor"}}},
                             ["witnesses"]),
        "responses": {**_ok("{witnesses: [{username, name, named_by, named_at, confirmed_at}]}"),
                      **_errors(KEEPERS), **NOT_FOUND}}},
    "/archive/disposal-lists/{list_id}/confirm": {"post": {
        "summary": "The token's own user, a named witness, confirms that they witness the destruction "
                   "(once; audited disposal.witness). The list is executed only after both confirmed",
        "parameters": [_path("list_id")],
        "responses": {**_ok("The witness with the time of the confirmation"),
                      **_errors("Only the records office works with the archive", body=False),
                      "422": error_response("Not a witness of this list, already confirmed, or the list "
                                            "is not approved"), **NOT_FOUND}}},
    "/archive/review/{code}": {"post": {
        "summary": "Decide a record at the end of its review period: keep it keep_years more, or 0 to "
                   "clear it for destruction (audited)",
        "parameters": [_path("code")],
        "requestBody": _body({"keep_years": {"type": "integer", "minimum": 0, "maximum": 100},
                              "reason": {"type": "string"}}, ["keep_years", "reason"]),
        "responses": {**_ok("{code, retention_until}"), **_errors(KEEPERS), **NOT_FOUND}}},
    "/archive/retention-classes": {"get": {
        "summary": "The retention classes with their periods, triggers and end actions (administrators, "
                   "as /admin/retention)",
        "responses": {**_ok("{classes: [...]}"),
                      **_errors("Only administrators change retention classes", body=False)}}},
    "/archive/retention-classes/{code}": {"patch": {
        "summary": "Change a retention class (administrators): the values sent replace the class's; its "
                   "filed records are rescheduled; audited with the values before and after",
        "parameters": [_path("code")],
        "requestBody": _body({
            "name_zh": {"type": "string"}, "name_en": {"type": "string"},
            "years": {"type": "integer", "minimum": 0, "maximum": 100},
            "months": {"type": "integer", "minimum": 0, "maximum": 11},
            "trigger": {"type": "string", "enum": ["filing", "closure", "event"]},
            "event_field": {"type": ["string", "null"]}, "at_year_end": {"type": "boolean"},
            "action": {"type": "string", "enum": ["destroy", "review", "permanent"]},
            "mandate": {"type": "string"}}, []),
        "responses": {**_ok("The class as changed"),
                      **_errors("Only administrators change retention classes"), **NOT_FOUND}}},
}
