"""Route × role matrix: what each role gets from each page, enforced by the services."""

import pytest

from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of

ROLES = ["clerk", "supervisor", "sales", "archivist", "auditor", "admin"]



@pytest.fixture
def cs_record(app):
    """A complaint filed by the CS clerk: visible to CS and to organisation-wide roles."""
    with app.app_context():
        from core.web import services

        return submit(services().db, services().clock, services().zone,
                      actor_of(app, "clerk"), "CP", VALID_CP).code


MATRIX = {
    # path: expected status per role, in ROLES order
    "/forms": [200, 200, 200, 200, 200, 200],
    "/forms/CP/new": [200, 200, 200, 200, 403, 200],
    "/records": [200, 200, 200, 200, 200, 200],
    "/records?scope=department": [200, 200, 200, 200, 200, 200],
    "/records/{code}": [200, 200, 403, 200, 200, 200],
    "/admin/forms": [403, 403, 403, 403, 403, 200],
}


@pytest.mark.parametrize("path", list(MATRIX))
def test_route_role_matrix(logged_in, cs_record, path):
    url = path.format(code=cs_record)
    observed = [logged_in(role).get(url).status_code for role in ROLES]
    assert observed == MATRIX[path]


@pytest.mark.parametrize("path", ["/forms", "/forms/CP/new", "/records", "/records/CP-2026-000001",
                                  "/admin/forms", "/drafts/1"])
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_department_list_shows_only_the_departments_records(logged_in, cs_record):
    assert cs_record in logged_in("supervisor").get("/records?scope=department").text
    assert cs_record not in logged_in("sales").get("/records?scope=department").text
    assert cs_record in logged_in("auditor").get("/records?scope=department").text
    assert cs_record in logged_in("clerk").get("/records").text  # my records
    assert cs_record not in logged_in("supervisor").get("/records").text  # not theirs


def test_only_admin_approves_versions(logged_in):
    from tests.support.instance import csrf_token

    clerk = logged_in("clerk")
    page = clerk.get("/forms")
    response = clerk.post("/admin/forms/CP/1/approve", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 403


def test_a_clerk_without_a_department_covers_no_records_even_those_without_one(app, cs_record):
    """One scope rule for reading, acting, masking and search: a department-scoped role without a
    department (only possible for accounts made before departments were required) sees nothing
    but what a grant opens, not even records that have no department either."""
    from dataclasses import replace

    from archive.records import get_record
    from core.auth.roles import NotFound, PermissionDenied
    from core.web import services

    clerk = actor_of(app, "clerk")
    stray = replace(clerk, department=None)
    assert clerk.covers("CS") and not clerk.covers("SALES") and not clerk.covers(None)
    assert not stray.covers(None) and not stray.covers("CS")
    assert actor_of(app, "auditor").covers(None) and actor_of(app, "auditor").covers("SALES")
    with app.app_context():
        s = services()
        assert get_record(s.db, s.clock, clerk, cs_record).code == cs_record
        with pytest.raises((PermissionDenied, NotFound)):
            get_record(s.db, s.clock, stray, cs_record)
