"""AR approval takes four eyes (the applicant never approves their own request, on the page, the
API or in the inbox) and a grant runs at most ``ACCESS_GRANT_MAX_DAYS`` days."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.auth import accounts
from core.clock import FrozenClock, SystemClock
from core.web import services
from tests.support.html_form import form_values
from tests.support.instance import PASSWORD, VALID_CP, make_app

MOMENT = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fractional(clock: FrozenClock) -> None:
    clock.current = MOMENT


def _ar(client, headers, first: str = "2026-03-02", last: str = "2026-03-03"):  # type: ignore[no-untyped-def]
    wanted = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": VALID_CP})
    codes = wanted.json["code"] if wanted.status_code == 201 else "CP-2026-000001"
    data = {"applicant_department": "ARCHIVE", "records_wanted": codes, "purpose": "audit",
            "reason": "内部审计抽查", "period_from": first, "period_to": last}
    return client.post("/api/v1/records", headers=headers, json={"form": "AR", "data": data})


def _events(app, action: str, code: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    with app.app_context(), services().db.reading() as session:
        return list(session.scalars(select(AuditEvent.detail).where(
            AuditEvent.action == action, AuditEvent.object_id == code)))


def _second_archivist(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        accounts.create_user(services().db, services().clock, username="archivist2", password=PASSWORD,
                             role="archivist", department_code="ARCHIVE", display_name="Archivist Two")


def test_the_applicant_cannot_approve_their_own_request_over_the_api(app, client, token_for):  # type: ignore[no-untyped-def]
    archivist = token_for("archivist")
    ar = _ar(client, token_for("clerk")).json["code"]  # a clerk's request: the archivist may approve
    own = _ar(client, archivist)
    assert own.status_code == 201, own.json
    code = own.json["code"]
    actions = client.get(f"/api/v1/records/{code}/actions", headers=archivist).json["actions"]
    assert not {"approve", "deny"} & {a["name"] for a in actions}  # the decision is someone else's
    refused = client.post(f"/api/v1/records/{code}/actions/approve", headers=archivist, json={})
    assert refused.status_code == 403
    assert "another" in refused.json["error"] and code in refused.json["error"]
    assert _events(app, "record.approve.denied", code)
    assert client.get(f"/api/v1/records/{code}", headers=archivist).json["state"] == "requested"

    _second_archivist(app)
    approved = client.post(f"/api/v1/records/{code}/actions/approve", headers=token_for("archivist2"),
                           json={})
    assert approved.status_code == 200, approved.json
    assert _events(app, "access.grant", code)
    assert client.post(f"/api/v1/records/{ar}/actions/approve", headers=archivist, json={}).status_code == 200


def test_the_applicant_cannot_approve_on_the_page_and_has_no_such_task(app, client, token_for, logged_in):  # type: ignore[no-untyped-def]
    code = _ar(client, token_for("archivist")).json["code"]
    archivist = logged_in("archivist")
    page = archivist.get(f"/records/{code}")
    assert page.status_code == 200 and f"/records/{code}/actions/approve" not in page.text
    refused = archivist.get(f"/records/{code}/actions/approve", headers={"Accept-Language": "en"})
    assert refused.status_code == 403 and "another person" in refused.text
    assert "四眼" in archivist.get(f"/records/{code}/actions/approve").text  # zh, the default
    assert code not in archivist.get("/inbox").text  # neither approving nor denying it is their task
    assert client.post(f"/api/v1/records/{code}/actions/deny", headers=token_for("archivist"),
                       json={"reason": "不需要了"}).status_code == 403

    admin = logged_in("admin")
    assert f"/records/{code}/actions/approve" in admin.get("/inbox").text
    form = admin.get(f"/records/{code}/actions/approve")
    assert form.status_code == 200
    done = admin.post(f"/records/{code}/actions/approve", data=form_values(form.text))
    assert done.status_code == 302, done.text
    assert client.get(f"/api/v1/records/{code}", headers=token_for("admin")).json["state"] == "approved"


def test_a_grant_longer_than_the_setting_is_refused_naming_the_field(app, client, token_for):  # type: ignore[no-untyped-def]
    app.config["ACCESS_GRANT_MAX_DAYS"] = 30
    clerk = token_for("clerk")
    refused = _ar(client, clerk, "2026-03-02", "2026-04-01")  # 31 days
    assert refused.status_code == 422
    assert "at most 30 days" in refused.json["fields"]["period_to"]
    assert "31" in refused.json["fields"]["period_to"]
    assert _ar(client, clerk, "2026-03-02", "2026-03-31").status_code == 201  # 30 days

    app.config["ACCESS_GRANT_MAX_DAYS"] = 90  # filed under a longer limit, approved under a shorter one
    code = _ar(client, clerk, "2026-03-02", "2026-05-30").json["code"]
    app.config["ACCESS_GRANT_MAX_DAYS"] = 30
    late = client.post(f"/api/v1/records/{code}/actions/approve", headers=token_for("archivist"), json={})
    assert late.status_code == 422 and "at most 30 days" in late.json["fields"]["period_to"]
    assert not _events(app, "access.grant", code)


def test_the_form_page_names_the_period_field(app, logged_in):  # type: ignore[no-untyped-def]
    app.config["ACCESS_GRANT_MAX_DAYS"] = 7
    clerk = logged_in("clerk")
    page = clerk.get("/forms/AR/new")
    values = {**form_values(page.text), "applicant_department": "CS",
              "records_wanted": "CP-2026-000001", "purpose": "audit", "reason": "审计",
              "period_from": "2026-03-02", "period_to": "2026-03-20", "action": "submit"}
    answer = clerk.post("/forms/AR/new", data=values)
    assert answer.status_code == 422
    assert "查阅期限最长 7 天" in answer.text and 'href="#period_to"' in answer.text


def test_the_setting_is_checked_at_start_up(instance_dir) -> None:  # type: ignore[no-untyped-def]
    from core.config import ConfigError

    for bad in (0, -3, "90", True):
        with pytest.raises(ConfigError, match="ACCESS_GRANT_MAX_DAYS"):
            make_app(f"sqlite:///{instance_dir}/x.sqlite3", SystemClock(), ACCESS_GRANT_MAX_DAYS=bad)
