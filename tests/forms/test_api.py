"""JSON API v1: happy paths, every error status, the published schema, and the OpenAPI document."""

import json

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi

from forms.file_intake import API_BODY_CAP
from tests.support.instance import VALID_CP


def test_forms_index_and_detail_with_schema(client, token_for):
    headers = token_for("clerk")
    index = client.get("/api/v1/forms", headers=headers)
    assert index.status_code == 200
    assert [f["code"] for f in index.json["forms"]] == ["AR", "CP", "PR", "RS", "VR"]
    detail = client.get("/api/v1/forms/CP", headers=headers)
    assert detail.json["version"] == 6
    assert "phone" in detail.json["schema"]["required"]


def test_submit_returns_201_with_the_record_and_location(client, token_for):
    response = client.post("/api/v1/records", headers=token_for("clerk"),
                           json={"form": "CP", "data": VALID_CP})
    assert response.status_code == 201
    body = response.json
    assert body["code"] == "CP-2026-000001"
    assert (body["form"], body["version"], body["state"]) == ("CP", 6, "registered")
    assert body["data"] == VALID_CP and body["submitted_by"] == "clerk"
    assert body["submitted_at"].startswith("2026-03-02T01:30:00")
    assert response.headers["Location"] == "/api/v1/records/CP-2026-000001"


def test_the_published_schema_is_what_the_server_enforces(client, token_for):
    headers = token_for("clerk")
    schema = client.get("/api/v1/forms/CP", headers=headers).json["schema"]
    validator = Draft202012Validator(schema)
    samples = [VALID_CP, {**VALID_CP, "phone": "12"}, {**VALID_CP, "level": "9"},
               {**VALID_CP, "quantity": "many"}, {**VALID_CP, "extra": 1},
               {k: v for k, v in VALID_CP.items() if k != "complaint"}]
    for data in samples:
        accepted_by_schema = validator.is_valid(data)
        status = client.post("/api/v1/records", headers=headers,
                             json={"form": "CP", "data": data}).status_code
        assert (status == 201) == accepted_by_schema, data


def test_get_record_by_code_and_permissions(client, token_for):
    created = client.post("/api/v1/records", headers=token_for("clerk"),
                          json={"form": "CP", "data": VALID_CP}).json
    code = created["code"]
    assert client.get(f"/api/v1/records/{code}", headers=token_for("supervisor")).json == created
    assert client.get(f"/api/v1/records/{code}", headers=token_for("archivist")).status_code == 200
    denied = client.get(f"/api/v1/records/{code}", headers=token_for("sales"))
    assert denied.status_code == 403 and "another department" in denied.json["error"]
    missing = client.get("/api/v1/records/CP-2026-999999", headers=token_for("clerk"))
    assert missing.status_code == 404 and missing.json["fields"] == {}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"},
                                     {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}])
def test_missing_or_bad_token_is_401(client, headers):
    response = client.get("/api/v1/forms", headers=headers)
    assert response.status_code == 401
    assert set(response.json) == {"error", "fields"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_session_cookie_does_not_authenticate_the_api(logged_in):
    assert logged_in("clerk").get("/api/v1/forms").status_code == 401


def test_auditor_cannot_submit(client, token_for):
    response = client.post("/api/v1/records", headers=token_for("auditor"),
                           json={"form": "CP", "data": VALID_CP})
    assert response.status_code == 403


@pytest.mark.parametrize(("body", "content_type", "status"), [
    ("{not json", "application/json", 400),
    ("[1, 2]", "application/json", 400),
    ("form=CP", "application/x-www-form-urlencoded", 400),
    ('{"form": "CP"}', "application/json", 422),
    ('{"form": "CP", "data": []}', "application/json", 422),
    ('{"form": 7, "data": {}}', "application/json", 422),
    ('{"form": "ZZ", "data": {}}', "application/json", 422),
    ('{"form": "CP", "data": {}, "x": 1}', "application/json", 422),
    ('{"form": "CP", "data": {"phone": {"deep": [1]}}}', "application/json", 422),
    ('{"form": "CP", "data": {"quantity": 1e400}}', "application/json", 422),
    ('"\\ud800"', "application/json", 400),
])
def test_bad_bodies_get_clear_errors_never_500(client, token_for, body, content_type, status):
    response = client.post("/api/v1/records", headers=token_for("clerk"), data=body,
                           content_type=content_type)
    assert response.status_code == status, response.json
    assert response.json["error"]


def test_invalid_data_names_the_fields(client, token_for):
    response = client.post("/api/v1/records", headers=token_for("clerk"),
                           json={"form": "CP", "data": {**VALID_CP, "phone": "12"}})
    assert response.status_code == 422
    assert set(response.json["fields"]) == {"phone"}


def test_oversized_body_is_413(client, token_for):
    """Submitting takes files as base64 (issue 19), so its body may reach API_BODY_CAP (96 MiB),
    not the 1 MiB of other requests; a body declared larger is refused before it is read."""
    big = json.dumps({"form": "CP", "data": {**VALID_CP, "complaint": "长" * 600_000}})
    response = client.post("/api/v1/records", headers=token_for("clerk"), data=big,
                           content_type="application/json",
                           environ_overrides={"CONTENT_LENGTH": str(API_BODY_CAP + 1)})
    assert response.status_code == 413 and response.json["error"]


def test_unknown_api_path_and_method_are_json(client, token_for):
    assert client.get("/api/v1/nothing", headers=token_for("clerk")).json["error"] == "not found"
    response = client.delete("/api/v1/forms", headers=token_for("clerk"))
    assert response.status_code == 405 and response.json["error"]


def test_openapi_document_is_valid_and_matches_the_routes(app, client):
    document = client.get("/api/v1/openapi.json").json
    validate_openapi(document)
    assert document["openapi"].startswith("3.1")
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method.lower()))
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert routes == documented


def test_the_system_written_destruction_register_cannot_be_filled(client, token_for):
    headers = token_for("admin")
    assert client.get("/api/v1/forms/DD", headers=headers).status_code == 404
    response = client.post("/api/v1/records", headers=headers, json={"form": "DD", "data": {"list_no": "1"}})
    assert response.status_code == 422 and "written by the system" in response.json["error"]
