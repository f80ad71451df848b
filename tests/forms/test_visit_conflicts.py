"""VR conflicts are decided before they are filed: the form says who claims the customer until
when and the clerk decides (web page without JavaScript, and the API's 409; the asking is audited);
a correction or resubmission of the phone moves the claim; the same on the system clock. The note
on a conflicting record: test_conflict_note."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from archive.models import Record
from core.audit.models import AuditEvent
from core.auth import accounts
from core.clock import SystemClock
from core.web import services
from forms.rules.visit_register import claim_end
from tests.support.html_form import form_values
from tests.support.instance import csrf_token, make_app

NOW = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)  # 09:30:00.123456 in Shanghai
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _real_clock_fractions(clock):  # type: ignore[no-untyped-def]
    clock.current = NOW


def register(client, headers, staff: str, phone: str = "13700001111", day: str = "2026-03-02",
             **more):  # type: ignore[no-untyped-def]
    data = {"visit_date": day, "customer_name": "周女士", "phone": phone, "needs": "三居室",
            "receiving_staff": staff}
    return client.post("/api/v1/records", headers=headers, json={"form": "VR", "data": data, **more})


def vr_count(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context(), services().db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Record).where(Record.form_code == "VR")))


def web_registration(page, staff: str, phone: str = "137 0000 1111") -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"csrf_token": csrf_token(page.text), "action": "submit", "visit_date": "2026-03-02",
            "customer_name": "吴先生", "phone": phone, "needs": "两居室", "receiving_staff": staff}


def test_the_form_warns_before_filing_a_claimed_customer(app, client, token_for, logged_in):  # type: ignore[no-untyped-def]
    first = register(client, token_for("sales"), "sales").json
    boss = logged_in("sales_boss")
    page = boss.get("/forms/VR/new", headers=ENGLISH)
    warned = boss.post("/forms/VR/new", data=web_registration(page, "sales_boss"), headers=ENGLISH)
    assert warned.status_code == 200
    assert "claimed by Sales until 2026-04-02" in warned.text
    assert "Submit anyway" in warned.text
    assert vr_count(app) == 1  # nothing filed until the clerk decides
    again = form_values(warned.text)  # what the browser sends back: the input kept, the warning's answer
    assert again["phone"] == "137 0000 1111" and again["customer_name"] == "吴先生"  # as typed
    filed = boss.post("/forms/VR/new", data={**again, "action": "submit_anyway"}, headers=ENGLISH)
    assert filed.status_code == 302, filed.text
    code = filed.headers["Location"].rsplit("/", 1)[1]
    flags = client.get(f"/api/v1/records/{code}", headers=token_for("sales_boss")).json["flags"]
    assert flags == {"conflict_with": first["code"], "claimed_by": "sales", "claimed_by_name": "Sales",
                     "claimed_until": "2026-04-02"}


def test_a_confirmation_covers_only_the_conflict_it_answered(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    """The clerk who changes the phone after the warning is warned about the new holder, not
    filed on the strength of an answer about someone else."""
    register(client, token_for("sales"), "sales")
    register(client, token_for("clerk"), "clerk", phone="13900009999")
    boss = logged_in("sales_boss")
    warned = boss.post("/forms/VR/new", data=web_registration(boss.get("/forms/VR/new"), "sales_boss"),
                       headers=ENGLISH)
    again = {**form_values(warned.text), "phone": "13900009999", "action": "submit_anyway"}
    rewarned = boss.post("/forms/VR/new", data=again, headers=ENGLISH)
    assert rewarned.status_code == 200 and "claimed by Clerk until 2026-04-02" in rewarned.text


def test_a_customer_claimed_by_the_same_staff_member_is_not_a_conflict(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    register(client, token_for("sales"), "sales")
    clerk = logged_in("sales")
    filed = clerk.post("/forms/VR/new", data=web_registration(clerk.get("/forms/VR/new"), "sales"))
    assert filed.status_code == 302


def test_the_warning_reads_in_chinese(client, token_for, logged_in):  # type: ignore[no-untyped-def]
    register(client, token_for("sales"), "sales")
    boss = logged_in("sales_boss")
    warned = boss.post("/forms/VR/new", data=web_registration(boss.get("/forms/VR/new"), "sales_boss"))
    assert "Sales 登记认领，有效期至 2026-04-02" in warned.text and "仍然提交" in warned.text


def test_the_api_answers_409_with_the_claim_until_confirmed(app, client, token_for):  # type: ignore[no-untyped-def]
    first = register(client, token_for("sales"), "sales").json
    boss = token_for("sales_boss")
    refused = register(client, boss, "sales_boss")
    assert refused.status_code == 409
    assert refused.json["conflict"] == {"conflict_with": first["code"], "claimed_by": "sales",
                                        "claimed_by_name": "Sales", "claimed_until": "2026-04-02"}
    assert "confirm_conflict" in refused.json["error"]
    assert vr_count(app) == 1
    with app.app_context(), services().db.reading() as session:  # told of another record's claim: audited
        asked = session.scalars(select(AuditEvent).where(AuditEvent.action == "record.conflict.asked")).one()
        assert (asked.object_id, asked.detail["claimed_by"]) == (first["code"], "sales")
    bad = register(client, boss, "sales_boss", confirm_conflict="yes")
    assert bad.status_code == 422 and "confirm_conflict" in bad.json["fields"]
    filed = register(client, boss, "sales_boss", confirm_conflict=True)
    assert filed.status_code == 201 and filed.json["flags"]["conflict_with"] == first["code"]
    document = client.get("/api/v1/openapi.json").json
    post = document["paths"]["/records"]["post"]
    assert "409" in post["responses"]
    assert "confirm_conflict" in post["requestBody"]["content"]["application/json"]["schema"]["properties"]


def correct(client, headers, code: str, **fields):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/records/{code}/actions/correct", headers=headers,
                       json={"fields": fields, "reason": "电话记错"})


def test_a_corrected_phone_moves_the_claim(client, token_for):  # type: ignore[no-untyped-def]
    sales, boss = token_for("sales"), token_for("sales_boss")
    code = register(client, sales, "sales", phone="13700001111").json["code"]
    corrected = correct(client, sales, code, phone="13700002222")
    assert corrected.status_code == 200, corrected.json
    assert corrected.json["flags"] == {"follow_ups_owed": 3}
    free = register(client, boss, "sales_boss", phone="13700001111")  # the old phone is free
    assert free.status_code == 201 and free.json["flags"] == {"follow_ups_owed": 3}
    taken = register(client, boss, "sales_boss", phone="13700002222")
    assert taken.status_code == 409 and taken.json["conflict"]["conflict_with"] == code


def test_a_phone_corrected_to_a_claimed_customer_is_flagged(client, token_for):  # type: ignore[no-untyped-def]
    sales, boss = token_for("sales"), token_for("sales_boss")
    held = register(client, sales, "sales", phone="13700003333").json["code"]
    code = register(client, boss, "sales_boss", phone="13700004444").json["code"]
    corrected = correct(client, boss, code, phone="13700003333")
    assert corrected.status_code == 200, corrected.json
    assert corrected.json["flags"] == {"conflict_with": held, "claimed_by": "sales",
                                       "claimed_by_name": "Sales", "claimed_until": "2026-04-02"}
    assert register(client, sales, "sales", phone="13700004444").status_code == 201  # released
    back = correct(client, boss, code, phone="13700005555")  # the number really was another customer's
    assert back.json["flags"] == {"follow_ups_owed": 3}
    assert register(client, sales, "sales", phone="13700005555").status_code == 409


def test_a_correction_that_keeps_the_phones_keeps_the_claim(client, token_for):  # type: ignore[no-untyped-def]
    sales, boss = token_for("sales"), token_for("sales_boss")
    code = register(client, sales, "sales").json["code"]
    assert correct(client, sales, code, customer_name="周女士（王）").status_code == 200
    assert register(client, boss, "sales_boss").json["conflict"]["conflict_with"] == code


def test_a_resubmission_with_another_phone_moves_the_claim(client, token_for):  # type: ignore[no-untyped-def]
    sales, boss = token_for("sales"), token_for("sales_boss")
    code = register(client, sales, "sales", phone="13700001111").json["code"]
    client.post(f"/api/v1/records/{code}/actions/return", headers=boss, json={"reason": "电话不对"})
    resubmitted = client.post(f"/api/v1/records/{code}/actions/complete", headers=sales,
                              json={"fields": {"phone": "13700006666"}})
    assert resubmitted.status_code == 200, resubmitted.json
    assert register(client, boss, "sales_boss", phone="13700001111").status_code == 201
    assert register(client, boss, "sales_boss", phone="13700006666").json["conflict"]["conflict_with"] == code


def test_the_conflict_is_asked_and_moved_on_the_system_clock(app, instance_dir: Path):  # type: ignore[no-untyped-def]
    """The same rules on a real clock: today's registration, its claim to a month from today."""
    real = make_app(f"sqlite:///{instance_dir / 'dossier.sqlite3'}", SystemClock())
    try:
        with real.app_context():
            today = datetime.now(services().zone).date()
        client = real.test_client()
        sales, boss = _token(real, "sales"), _token(real, "sales_boss")
        code = register(client, sales, "sales", day=today.isoformat()).json["code"]
        asked = register(client, boss, "sales_boss", day=today.isoformat())
        assert asked.status_code == 409
        assert asked.json["conflict"]["claimed_until"] == claim_end(today).isoformat()
        assert correct(client, sales, code, phone="13700007777").status_code == 200
        assert register(client, boss, "sales_boss", day=today.isoformat()).status_code == 201
    finally:
        with real.app_context():
            services().db.dispose()


def _token(app, username: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        token = accounts.create_token(services().db, services().clock, username, "test")
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def test_a_draft_asked_about_is_kept_until_filed(app, client, token_for, logged_in):  # type: ignore[no-untyped-def]
    register(client, token_for("sales"), "sales")
    boss = logged_in("sales_boss")
    saved = boss.post("/forms/VR/new", data={**web_registration(boss.get("/forms/VR/new"), "sales_boss"),
                                             "action": "save_draft"})
    location = saved.headers["Location"]
    warned = boss.post(location, data={**form_values(boss.get(location).text), "action": "submit"},
                       headers=ENGLISH)
    assert "claimed by Sales until 2026-04-02" in warned.text
    assert boss.get(location).status_code == 200  # the draft is still there: nothing was filed
    filed = boss.post(location, data={**form_values(warned.text), "action": "submit_anyway"})
    assert filed.status_code == 302 and vr_count(app) == 2
    assert boss.get(location).status_code == 404  # filed: the draft is gone with the same transaction
