"""Everything a person reads on a page can be read over the API with the same permissions
(issue 15, item 13): for each page and its API twin, every role gets the same answer — allowed
on both, or refused on both."""

from __future__ import annotations

import pytest

from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of

ROLES = ["clerk", "supervisor", "sales", "sales_boss", "archivist", "auditor", "admin"]

#: page → its API twin ({code}: a CS complaint)
TWINS = {
    "/records": "/api/v1/records",
    "/records/{code}": "/api/v1/records/{code}/revisions",
    "/records/{code}?holds": "/api/v1/records/{code}/holds",
    "/inbox": "/api/v1/inbox",
    "/registrations/day": "/api/v1/registrations/day",
    "/stats/complaints": "/api/v1/stats/complaints",
    "/filing/RS": "/api/v1/filing/RS",
    "/archive/": "/api/v1/archive/filing-queue",
    "/archive/disposal": "/api/v1/archive/disposal/due",
    "/archive/review": "/api/v1/archive/disposal/due?action=review",
    "/archive/holds": "/api/v1/archive/holds",
    "/admin/retention": "/api/v1/archive/retention-classes",
    "/admin/forms": "/api/v1/form-versions",
}


@pytest.fixture
def cs_record(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        from core.web import services

        return submit(services().db, services().clock, services().zone, actor_of(app, "clerk"), "CP",
                      VALID_CP).code


@pytest.mark.parametrize("page", list(TWINS))
def test_a_page_and_its_api_twin_allow_and_refuse_the_same_roles(app, logged_in, token_for, cs_record, page):  # type: ignore[no-untyped-def]
    client = app.test_client()
    allowed_page, allowed_api = [], []
    for role in ROLES:
        shown = logged_in(role).get(page.split("?holds")[0].format(code=cs_record)).status_code
        answered = client.get(TWINS[page].format(code=cs_record), headers=token_for(role)).status_code
        assert shown in (200, 403) and answered in (200, 403), (role, shown, answered)
        allowed_page.append(shown == 200)
        allowed_api.append(answered == 200)
    differ = {r: (p, a) for r, p, a in zip(ROLES, allowed_page, allowed_api, strict=True) if p != a}
    assert not differ, f"role: (page allowed, API allowed) {differ}"
