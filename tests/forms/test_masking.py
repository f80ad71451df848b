"""Personal fields masked for the roles that do not need them: record page, history, lists,
search, print, the record API, and who may download the unmasked archival copy."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from archive.disclosure import current_disclosure
from archive.records import get_record
from archive.stores import file_store
from core.audit.models import AuditEvent
from core.auth.roles import PermissionDenied
from core.web import services
from forms.masking import mask_phone, mask_text
from tests.support.instance import actor_of
from tests.support.lifecycle import new_complaint, step, work_outbox
from tests.support.pdf import text_of

PHONE, MASKED_PHONE = "13800138000", "138****8000"
NAME, MASKED_NAME = "上海恒丰", "上***"


@pytest.mark.parametrize(("value", "masked"), [
    ("13800138000", "138****8000"), ("+8613800138000", "138****8000"), ("021-12345678", "021****5678"),
    ("12345", "*****")])
def test_a_phone_keeps_its_first_three_and_last_four_digits(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


@pytest.mark.parametrize(("value", "masked"), [
    ("张三", "张*"), ("欧阳娜娜", "欧***"), ("Li Lei", "L***"), ("张先生 13900001111", "张***"), ("", "")])
def test_a_chinese_name_keeps_its_first_character_other_text_shows_three(value: str, masked: str) -> None:
    assert mask_text(value) == masked


def test_the_record_page_and_its_history_mask_for_roles_without_need(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = new_complaint(app)
    step(app, code, "correct", "supervisor", {"phone": "13900139000"}, reason="号码记错")
    for who in ("archivist", "auditor"):
        page = logged_in(who).get(f"/records/{code}").get_data(as_text=True)
        assert "139****9000" in page and MASKED_NAME in page, who
        assert "138****8000" in page, who  # the correction's "before", masked too
        assert PHONE not in page and "13900139000" not in page and NAME not in page, who
    for who in ("clerk", "supervisor"):  # the filler; the department's supervisor
        page = logged_in(who).get(f"/records/{code}").get_data(as_text=True)
        assert "13900139000" in page and PHONE in page and NAME in page, who


def test_lists_show_titles_made_from_masked_data(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = new_complaint(app)
    listed = logged_in("archivist").get("/records?scope=department").get_data(as_text=True)
    assert code in listed and f"{MASKED_NAME} · 划痕" in listed and NAME not in listed
    assert f"{NAME} · 划痕" in logged_in("supervisor").get("/records?scope=department").get_data(as_text=True)


def test_search_hits_show_masked_titles_and_snippets(app: Flask, token_for) -> None:  # type: ignore[no-untyped-def]
    code = new_complaint(app)
    work_outbox(app)  # builds the index with the record
    client = app.test_client()
    hits = client.get("/api/v1/search", query_string={"q": "划痕"}, headers=token_for("auditor")).json["hits"]
    assert [h["code"] for h in hits] == [code]
    assert hits[0]["title"] == f"{MASKED_NAME} · 划痕"
    assert NAME not in hits[0]["snippet"] and PHONE not in hits[0]["snippet"] and "划痕" in hits[0]["snippet"]
    whole = client.get("/api/v1/search", query_string={"q": "划痕"}, headers=token_for("clerk")).json["hits"]
    assert whole[0]["title"] == f"{NAME} · 划痕"


def test_the_print_is_masked_for_the_archivist_and_whole_for_the_filler(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = new_complaint(app)
    masked = text_of(logged_in("archivist").get(f"/records/{code}.pdf").data)
    assert MASKED_PHONE in masked and PHONE not in masked and NAME not in masked
    receipt = text_of(logged_in("auditor").get(f"/records/{code}.pdf?variant=receipt").data)
    assert NAME not in receipt
    whole = text_of(logged_in("clerk").get(f"/records/{code}.pdf").data)
    assert PHONE in whole and NAME in whole


def test_the_record_read_through_the_archive_hook_is_masked(app: Flask) -> None:
    code = new_complaint(app)
    with app.test_request_context():
        s = services()
        for who, phone in (("auditor", MASKED_PHONE), ("archivist", MASKED_PHONE), ("clerk", PHONE),
                           ("supervisor", PHONE)):
            actor = actor_of(app, who)
            shown = current_disclosure().shown(actor, get_record(s.db, s.clock, actor, code)).as_json()
            assert shown["data"]["phone"] == phone, who
            assert (NAME in shown["title"]) is (phone == PHONE), who


def test_the_record_api_masks_for_the_auditor(app: Flask, token_for) -> None:  # type: ignore[no-untyped-def]
    code = new_complaint(app)
    client = app.test_client()
    for who, phone in (("auditor", MASKED_PHONE), ("clerk", PHONE)):
        assert client.get(f"/api/v1/records/{code}", headers=token_for(who)).json["data"]["phone"] == phone


def test_the_archival_copy_goes_to_archivists_and_those_who_need_it_only(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = new_complaint(app)
    work_outbox(app)
    assert "Download the archival PDF/A" not in logged_in("auditor").get(
        f"/records/{code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    with app.test_request_context():
        s = services()
        store = file_store()
        for who in ("archivist", "clerk", "supervisor"):
            _view, data = current_disclosure().archival_file(s.db, s.clock, store, actor_of(app, who), code)
            assert PHONE in text_of(data), who  # the record itself, unmasked
        with pytest.raises(PermissionDenied, match="个人信息"):
            current_disclosure().archival_file(s.db, s.clock, store, actor_of(app, "auditor"), code)
    with app.app_context(), services().db.reading() as session:
        denied = session.execute(select(AuditEvent.detail).where(
            AuditEvent.object_id == code, AuditEvent.action == "record.download.denied")).scalars().all()
    assert denied == [{"via": "archival", "why": "personal data"}]


def test_the_action_page_is_pre_filled_with_the_whole_data(app: Flask, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = new_complaint(app)
    page = logged_in("supervisor").get(f"/records/{code}/actions/correct").get_data(as_text=True)
    assert PHONE in page
    assert MASKED_PHONE not in page


def test_the_inbox_asks_the_same_rule(app: Flask, clock, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Everyone with a task today needs the data (the spec's [personal] roles act), so this
    pretends the supervisor does not: the inbox must then show the title masked, as any list."""
    from datetime import UTC, datetime

    from forms import spec_disclosure as disclosure
    from forms.inbox import inbox

    clock.current = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
    code = new_complaint(app)
    with app.app_context():
        s, supervisor = services(), actor_of(app, "supervisor")
        def titles() -> list[str]:
            return [t.title for t in inbox(s.db, s.clock, supervisor)[0] if t.code == code]

        assert titles() == [f"{NAME} · 划痕"]
        monkeypatch.setattr(disclosure, "needs_personal_data", lambda *_args: False)
        assert titles() == [f"{MASKED_NAME} · 划痕"]
