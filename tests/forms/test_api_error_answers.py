"""Each JSON API answers its services' exceptions in one table per blueprint
(core.api.json_errors): these pin every answer, status, message and fields, route by route, as
the routes gave them when each caught its own; and an unexpected error is still JSON."""

import pytest

from tests.support.instance import VALID_CP

MISSING = "CP-2026-999999"


def _created(client, token_for) -> str:
    response = client.post("/api/v1/records", headers=token_for("clerk"),
                           json={"form": "CP", "data": VALID_CP})
    assert response.status_code == 201
    return response.json["code"]


@pytest.mark.parametrize(("user", "method", "path", "body", "status", "error", "fields"), [
    ("clerk", "get", "/api/v1/forms/ZZ", None, 404, "no approved form type 'ZZ'", {}),
    ("clerk", "get", f"/api/v1/records/{MISSING}/actions", None, 404, f"no record '{MISSING}'", {}),
    ("supervisor", "post", f"/api/v1/records/{MISSING}/actions/classify", {}, 404,
     f"no record '{MISSING}'", {}),
    ("clerk", "get", f"/api/v1/records/{MISSING}/pdf", None, 404, f"no record '{MISSING}'", {}),
    ("clerk", "get", f"/api/v1/records/{MISSING}/revisions", None, 404, f"no record '{MISSING}'", {}),
    ("clerk", "get", "/api/v1/drafts/999", None, 404, "no draft 999", {}),
    ("clerk", "post", "/api/v1/drafts", {"form": "zz", "data": {}}, 422,
     "no form type 'ZZ' that can be filled", {"form": "unknown"}),
    ("archivist", "post", f"/api/v1/records/{MISSING}/reveal", {"reason": "a complaint call"}, 404,
     f"no record '{MISSING}'", {}),
    ("admin", "post", "/api/v1/form-versions/CP/99/approve", None, 404, "no form version CP v99", {}),
    ("clerk", "get", "/api/v1/records/cp-2026-999999", None, 404, f"no record '{MISSING}'", {}),
    ("clerk", "get", "/api/v1/records/cp-2026-999999/holds", None, 404, "no record 'cp-2026-999999'", {}),
    ("clerk", "get", f"/api/v1/records/{MISSING}/archival", None, 404, f"no record '{MISSING}'", {}),
])
def test_what_is_not_there_is_answered_as_each_route_names_it(client, token_for, user, method, path, body,
                                                                status, error, fields):
    response = getattr(client, method)(path, headers=token_for(user), json=body)
    assert (response.status_code, response.json) == (status, {"error": error, "fields": fields})


def test_submitting_an_unknown_form_or_invalid_data_is_a_422_naming_the_field(client, token_for):
    unknown = client.post("/api/v1/records", headers=token_for("clerk"), json={"form": "ZZ", "data": {}})
    assert unknown.status_code == 422 and unknown.json["fields"] == {"form": "unknown"}
    assert unknown.json["error"].startswith("no form type 'ZZ' that can be filled: ")
    invalid = client.post("/api/v1/records", headers=token_for("clerk"),
                          json={"form": "CP", "data": {**VALID_CP, "phone": "12"}})
    assert invalid.status_code == 422 and invalid.json["error"] == "the record data is invalid"
    assert list(invalid.json["fields"]) == ["phone"]


def test_an_actions_refusals_each_have_their_status(client, token_for):
    code = _created(client, token_for)
    boss = token_for("supervisor")
    no_such = client.post(f"/api/v1/records/{code}/actions/nosuch", headers=boss, json={})
    assert (no_such.status_code, no_such.json["error"]) == (404, "CP has no action “nosuch”.")
    too_early = client.post(f"/api/v1/records/{code}/actions/investigate", headers=boss, json={})
    assert too_early.status_code == 409 and too_early.json["error"].startswith(f"Record {code} is “")
    stale = client.post(f"/api/v1/records/{code}/actions/classify", headers=boss, json={"revision": 9})
    assert stale.status_code == 409 and "has changed since you opened it" in stale.json["error"]
    empty = client.post(f"/api/v1/records/{code}/actions/classify", headers=boss, json={})
    assert (empty.status_code, empty.json["error"]) == (422, "classify needs other values")
    assert empty.json["fields"]
    other = client.get(f"/api/v1/records/{code}/actions", headers=token_for("sales"))
    assert other.status_code == 403 and "another department" in other.json["error"]
    variant = client.get(f"/api/v1/records/{code}/pdf?variant=nope", headers=token_for("clerk"))
    assert variant.status_code == 400 and variant.json["fields"] == {"variant": "unknown"}


def test_refusals_of_the_reveal_the_archive_and_search(client, token_for):
    no_reason = client.post(f"/api/v1/records/{MISSING}/reveal", headers=token_for("archivist"),
                            json={"reason": " "})
    assert no_reason.status_code == 422 and list(no_reason.json["fields"]) == ["reason"]
    assert client.get("/api/v1/audit/reveals", headers=token_for("clerk")).status_code == 403
    not_a_list = client.post("/api/v1/archive/disposal-lists/999/execute", headers=token_for("archivist"))
    assert not_a_list.status_code == 404 and not_a_list.json["fields"] == {}
    bad_sort = client.get("/api/v1/search?sort=bogus", headers=token_for("clerk"))
    assert bad_sort.status_code == 400 and list(bad_sort.json["fields"]) == ["sort"]


@pytest.mark.parametrize(("target", "path"), [
    ("forms.api.actions_for", "/api/v1/records/CP-2026-000001/actions"),
    ("forms.work_api.find_records", "/api/v1/records"),
    ("archive.api.get_record", "/api/v1/records/CP-2026-000001/holds"),
])
def test_an_unexpected_error_in_an_api_is_a_json_500(client, token_for, monkeypatch, target, path):
    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(target, broken)
    response = client.get(path, headers=token_for("clerk"))
    assert response.status_code == 500 and response.is_json
    assert response.json == {"error": "internal error", "fields": {}}
