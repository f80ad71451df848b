"""Legal holds as people meet them: the record page says the record is held, adding codes adds
every valid one and names each refused one with its reason, and the hold's search picks form
and year from lists."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from archive import disposal, holds
from core.audit.models import AuditEvent
from core.clock import FrozenClock
from core.web import services
from forms.registers import disposal_hooks
from tests.support.destruction import witness
from tests.support.instance import VALID_CP, actor_of, csrf_token
from tests.support.lifecycle import DAYS_TO_2030, filed_complaints, new_complaint

MOMENT = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fractional(clock: FrozenClock) -> None:
    clock.current = MOMENT


def _hold(app: Flask, *codes: str, name: str = "诉讼（恒丰）") -> int:
    with app.app_context():
        s = services()
        archivist = actor_of(app, "archivist")
        hold = holds.create_hold(s.db, s.clock, archivist, name=name, reason="客户起诉", owner="archivist")
        if codes:
            holds.add_records(s.db, s.clock, archivist, hold.id, list(codes))
        return hold.id


def test_the_record_page_shows_the_hold_to_everyone_who_reads_it(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = new_complaint(app)
    archivist, clerk = logged_in("archivist"), logged_in("clerk")
    assert 'id="hold-banner"' not in archivist.get(f"/records/{code}").text
    hold_id = _hold(app, code)

    office = archivist.get(f"/records/{code}").text
    assert 'id="hold-banner"' in office and "冻结" in office and "2026-03-02 09:30" in office
    assert "诉讼（恒丰）" in office and f'href="/archive/holds/{hold_id}"' in office
    english = archivist.get(f"/records/{code}", headers={"Accept-Language": "en"}).text
    assert "Under legal hold" in english and "诉讼（恒丰）" in english

    own = clerk.get(f"/records/{code}").text  # the submitter learns it is held, not the legal matter
    assert 'id="hold-banner"' in own and "诉讼（恒丰）" not in own and "/archive/holds" not in own

    with app.app_context():
        holds.release_hold(services().db, services().clock, actor_of(app, "archivist"), hold_id, "结案")
    assert 'id="hold-banner"' not in archivist.get(f"/records/{code}").text


def test_adding_codes_adds_the_valid_ones_and_names_each_refused_one(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = new_complaint(app)
    assert code == "CP-2026-000001"
    hold_id = _hold(app)
    archivist = logged_in("archivist")
    url = f"/archive/holds/{hold_id}"
    page = archivist.get(url, headers={"Accept-Language": "en"})
    typed = "CP-2026-000001 CP-2026-99999 XX, CP-2026-000404"
    answer = archivist.post(url, data={"csrf_token": csrf_token(page.text), "step": "add", "codes": typed},
                            headers={"Accept-Language": "en"})
    assert answer.status_code == 200
    text = answer.text
    assert "1 record added to the hold: CP-2026-000001" in text
    assert "CP-2026-099999: no such record" in text and "XX: not a record code" in text
    assert "CP-2026-000404: no such record" in text
    assert '<ul class="codes"><li class="mono"><a href="/records/CP-2026-000001">' in text
    refused_box = text.split('name="codes"')[1].split("</textarea>")[0]
    assert "CP-2026-099999 XX CP-2026-000404" in refused_box and "000001" not in refused_box

    again = archivist.post(url, data={"csrf_token": csrf_token(page.text), "step": "add",
                                      "codes": "CP-2026-000001"}, headers={"Accept-Language": "en"})
    assert again.status_code == 302
    shown = archivist.get(url, headers={"Accept-Language": "en"}).text
    assert "Already on the hold: CP-2026-000001." in shown

    with app.app_context(), services().db.reading() as session:
        details = list(session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "hold.add")))
    assert details[0]["codes"] == ["CP-2026-000001"]
    assert set(details[0]["refused"]) == {"CP-2026-099999", "XX", "CP-2026-000404"}


def test_nothing_valid_is_refused_as_a_whole_in_chinese(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    hold_id = _hold(app)
    archivist = logged_in("archivist")
    url = f"/archive/holds/{hold_id}"
    page = archivist.get(url)
    answer = archivist.post(url, data={"csrf_token": csrf_token(page.text), "step": "add",
                                       "codes": "CP-2026-99999 XX"})
    assert answer.status_code == 400
    assert "CP-2026-099999：没有这份档案" in answer.text and "XX：不是档案编号" in answer.text
    assert 'aria-invalid="true"' in answer.text


def test_the_service_reports_added_already_and_refused(app: Flask) -> None:
    code = new_complaint(app)
    hold_id = _hold(app, code)
    with app.app_context():
        s = services()
        done = holds.add_records(s.db, s.clock, actor_of(app, "archivist"), hold_id,
                                 [code, "CP-2026-99999", f"{new_complaint(app)}"])
    assert done.already == [code] and done.added == ["CP-2026-000002"]
    assert list(done.refused) == ["CP-2026-099999"] and set(done.hold.codes) == {code, "CP-2026-000002"}


def test_a_code_written_short_is_held_as_search_reads_it(app: Flask) -> None:
    """cp-2026-2 opens CP-2026-000002 in search; the hold refused it as "not a record code"."""
    first, second = new_complaint(app), new_complaint(app)
    hold_id = _hold(app, first)
    with app.app_context():
        s = services()
        done = holds.add_records(s.db, s.clock, actor_of(app, "archivist"), hold_id,
                                 [" cp-2026-2 ", "CP-2026-1", "SO-2026-88417"])
    assert done.added == [second] and done.already == [first]
    assert done.refused == {"SO-2026-088417": "没有这份档案"}  # no such record (in Chinese, the default)


def test_the_hold_search_picks_form_and_year_from_lists(app: Flask, client, token_for, logged_in) -> None:  # type: ignore[no-untyped-def]
    client.post("/api/v1/records", headers=token_for("clerk"), json={"form": "CP", "data": VALID_CP})
    hold_id = _hold(app)
    archivist = logged_in("archivist")
    text = archivist.get(f"/archive/holds/{hold_id}?form=CP&year=2026").text
    form_select = text.split('<select id="s-form" name="form"')[1].split("</select>")[0]
    assert '<option value="CP" selected>CP 客户抱怨处理表</option>' in form_select
    assert 'value="AR"' in form_select and '<option value="">' in form_select
    year_select = text.split('<select id="s-year" name="year"')[1].split("</select>")[0]
    assert '<option value="2026" selected>2026</option>' in year_select
    assert 'value="2025"' in year_select  # last year too, even before it has records
    assert archivist.get(f"/archive/holds/{hold_id}?year=20x6").status_code == 400


def test_a_destroyed_record_is_refused_naming_the_day(app: Flask, clock: FrozenClock) -> None:
    kept, destroyed = filed_complaints(app, 2)
    clock.advance(days=DAYS_TO_2030)
    with app.app_context():
        s = services()
        archivist, admin = actor_of(app, "archivist"), actor_of(app, "admin")
        listed = disposal.propose(s.db, s.clock, s.zone, archivist, [destroyed], "到期")
        disposal.decide(s.db, s.clock, admin, listed.id, approve=True)
        witness(app, listed.id)
        disposal.execute(s.db, s.clock, s.zone, archivist, listed.id, disposal_hooks(s.db, s.clock, s.zone))
        hold = holds.create_hold(s.db, s.clock, archivist, name="x", reason="y", owner="archivist")
        done = holds.add_records(s.db, s.clock, archivist, hold.id, [kept, destroyed.lower()])
    assert done.added == [kept]
    assert list(done.refused) == [destroyed] and "2030-01-01" in done.refused[destroyed]


def test_the_record_api_shows_the_hold_as_the_page_does(app: Flask, client, token_for) -> None:  # type: ignore[no-untyped-def]
    code = new_complaint(app)
    url = f"/api/v1/records/{code}/holds"
    assert client.get(url, headers=token_for("archivist")).json == {"code": code, "held": False, "holds": []}
    hold_id = _hold(app, code)
    office = client.get(url, headers=token_for("archivist")).json
    assert office["held"] and office["holds"] == [
        {"id": hold_id, "name": "诉讼（恒丰）", "since": "2026-03-02T01:30:00.123456+00:00"}]
    own = client.get(url, headers=token_for("clerk")).json["holds"]
    assert own == [{"id": None, "name": None, "since": "2026-03-02T01:30:00.123456+00:00"}]
    assert client.get(url, headers=token_for("sales")).status_code == 403
    assert client.get("/api/v1/records/CP-2026-999999/holds", headers=token_for("clerk")).status_code == 404


def test_the_owner_is_chosen_from_the_active_users(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    archivist = logged_in("archivist")
    page = archivist.get("/archive/holds").text
    owners = page.split('<select id="owner" name="owner"')[1].split("</select>")[0]
    assert '<option value="archivist" selected>Archivist (archivist)</option>' in owners
    assert 'value="clerk"' in owners and 'value="auditor"' in owners
    refused = archivist.post("/archive/holds", data={"csrf_token": csrf_token(page), "name": "x",
                                                      "reason": "y", "owner": "nobody"})
    assert refused.status_code == 400 and 'aria-invalid="true" aria-describedby="owner-error"' in refused.text


def test_pages_with_several_forms_give_no_id_twice(app: Flask, logged_in, clock: FrozenClock) -> None:  # type: ignore[no-untyped-def]
    """The hold page posts three forms and the sign-in throttles page one per row: each form's
    CSRF token is rendered without an id, so no id is given twice (a label or a skip link would
    find the wrong element; the walk of issue 17 found three id="csrf_token" on a hold)."""
    import re
    from collections import Counter

    hold_id = _hold(app, new_complaint(app))
    pages = [logged_in("archivist").get(f"/archive/holds/{hold_id}"),
             logged_in("admin").get("/admin/sign-in")]
    for page in pages:
        assert page.status_code == 200, page.request.path
        ids = Counter(re.findall(r'\sid="([^"]+)"', page.text))
        assert [i for i, n in ids.items() if n > 1] == [], page.request.path
        assert page.text.count('name="csrf_token"') >= 3  # the header's forms and the page's own
