"""The OpenAPI description of :mod:`forms.work_api` (record lists, drafts, revisions), kept apart
from the routes so that each module stays readable."""

from __future__ import annotations

from typing import Any

from core.api import error_response


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _path(name: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


UNAUTHORIZED = error_response("No or bad token")
DRAFT = {"$ref": "#/components/schemas/Draft"}
DRAFT_DATA = {"type": "object", "description": "Field values, kept as sent (valid or not) until submitted; "
                                             "a file field's files are taken in at once: new ones as "
                                             "{\"name\", \"content_base64\"} (checked by content, "
                                             "stored by SHA-256; the body may be up to 96 MiB), files "
                                             "the draft holds by their {sha256, name, type, size}"}

SCHEMAS: dict[str, Any] = {
    "Draft": {"type": "object", "required": ["id", "form", "version", "data", "updated_at"], "properties": {
        "id": {"type": "integer"}, "form": {"type": "string"}, "version": {"type": "integer"},
        "data": {"type": "object"}, "updated_at": {"type": "string", "format": "date-time"},
        "summary": {"type": "string", "description": "What identifies it (the customer …), as typed"},
        "dated": {"type": "string", "description": "The first date typed in"}}},
    "Revision": {"type": "object", "properties": {
        "number": {"type": "integer"}, "action": {"type": "string", "example": "classify"},
        "state": {"type": "string"}, "by": {"type": "string", "description": "Username"},
        "at": {"type": "string", "format": "date-time"}, "reason": {"type": ["string", "null"]},
        "changed": {"type": "array", "items": {"type": "string"},
                    "description": "The fields this revision changed (all of them for the first)"},
        "data": {"type": "object", "description": "The whole data at this revision, personal fields "
                                                  "masked where the reader has no need"}}},
}

LIST_PARAMETERS = [
    _query("form", {"type": "string"}, "Form code, e.g. CP"),
    _query("state", {"type": "string"}, "Workflow state, e.g. registered (GET /forms/{code} lists them)"),
    _query("department", {"type": "string"}, "Department code (within what the user may see)"),
    _query("year", {"type": "integer", "minimum": 2000, "maximum": 2100}, "The code's year"),
    _query("submitter", {"type": "string"}, "Username of the submitter"),
    _query("overdue", {"type": "boolean"}, "Only records past their response deadline (true) or not (false)"),
    _query("mine", {"type": "boolean"}, "Only the token user's own submissions"),
    _query("page", {"type": "integer", "minimum": 1}, "Default 1"),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "Default 20"),
]

OPENAPI_PATHS: dict[str, Any] = {
    "/records": {"get": {
        "summary": "Records the token user may see, filtered, newest first (the list is audited); "
                   "each without its data (read one with GET /records/{code})",
        "parameters": LIST_PARAMETERS,
        "responses": {
            "200": _json("A page of records", {"type": "object", "properties": {
                "records": {"type": "array", "items": {"$ref": "#/components/schemas/Record"}},
                "page": {"type": "integer"}, "per_page": {"type": "integer"},
                "total": {"type": "integer", "description": (
                    "How many records match, exact unless `more` is true. Records are counted up to "
                    "1,000 (a count of a whole archive on every request would cost more than the "
                    "page): beyond, `total` is a lower bound, 1,000 or the records up to this page")},
                "pages": {"type": "integer", "description": "Pages of `total` (with `more`: known so far)"},
                "more": {"type": "boolean", "description": "There are more matching records than `total`"},
                "next": {"type": ["string", "null"], "description": (
                    "The next page's address (these parameters, page + 1), or null on the last page: "
                    "follow it to read every page")},
                "filters": {"type": "object"}}}),
            "400": error_response("A parameter is unknown or wrong; `fields` names each"),
            "401": UNAUTHORIZED}}},
    "/records/{code}/revisions": {"get": {
        "summary": "Every revision of a record, oldest first, with the fields each changed (a read, audited)",
        "parameters": [_path("code")],
        "responses": {
            "200": _json("The revisions", {"type": "object", "properties": {
                "code": {"type": "string"}, "revision": {"type": "integer"},
                "revisions": {"type": "array", "items": {"$ref": "#/components/schemas/Revision"}}}}),
            "401": UNAUTHORIZED,
            "403": error_response("The record is outside the token user's departments"),
            "404": error_response("No such record")}}},
    "/drafts": {
        "get": {"summary": "The token user's drafts, last saved first",
                "responses": {"200": _json("Drafts", {"type": "object", "properties": {
                    "drafts": {"type": "array", "items": DRAFT}}}), "401": UNAUTHORIZED}},
        "post": {"summary": "Save a new draft (no code; only its author sees it)",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["form", "data"], "additionalProperties": False,
                     "properties": {"form": {"type": "string", "example": "CP"}, "data": DRAFT_DATA}}}}},
                 "responses": {"201": _json("The draft", DRAFT), "400": error_response("Malformed JSON"),
                               "401": UNAUTHORIZED,
                               "403": error_response("The token user's role does not fill forms"),
                               "422": error_response("No such form type, or data is not an object")}}},
    "/drafts/{draft_id}": {
        "get": {"summary": "One of the token user's drafts", "parameters": [_path("draft_id", "integer")],
                "responses": {"200": _json("The draft", DRAFT), "401": UNAUTHORIZED,
                              "404": error_response("No such draft of this user")}},
        "put": {"summary": "Replace a draft's data", "parameters": [_path("draft_id", "integer")],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["data"], "additionalProperties": False,
                    "properties": {"data": DRAFT_DATA}}}}},
                "responses": {"200": _json("The draft", DRAFT), "400": error_response("Malformed JSON"),
                              "401": UNAUTHORIZED, "404": error_response("No such draft of this user"),
                              "422": error_response("data is not an object")}},
        "delete": {"summary": "Discard a draft", "parameters": [_path("draft_id", "integer")],
                   "responses": {"204": {"description": "Discarded"}, "401": UNAUTHORIZED,
                                 "404": error_response("No such draft of this user")}}},
    "/drafts/{draft_id}/submit": {"post": {
        "summary": "Submit a draft: the record is filed and the draft deleted in one transaction. Its "
                   "values are taken as the API takes them, or else as the page reads typed text (a draft "
                   "saved on the page: \"2026-03-02 09:00\", \"138 0013 8000\")",
        "parameters": [_path("draft_id", "integer")],
        "requestBody": {"required": False, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": False, "properties": {
                "data": {"type": "object", "description": "Replaces the draft's data before submitting"},
                "confirm_conflict": {"type": "boolean", "description": "As for POST /records"}}}}}},
        "responses": {"201": _json("The new record", {"$ref": "#/components/schemas/Record"}),
                      "401": UNAUTHORIZED, "403": error_response("The token user's role does not fill forms"),
                      "404": error_response("No such draft of this user"),
                      "409": error_response("A form rule asks first (VR conflict); nothing was filed"),
                      "422": error_response("Invalid data; `fields` names each; the draft is kept")}}},
}
