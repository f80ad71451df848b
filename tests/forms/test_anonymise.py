"""Anonymising filed records kept past their personal-data period (CP: 3 years after filing)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime

from flask import Flask
from sqlalchemy import func, select, update

from archive.models import HeldRecord, LegalHold, Record, RecordRevision, Rendition
from archive.stores import file_store
from core.audit.models import AuditEvent
from core.web import services
from forms.models import CustomerClaim
from tests.support.instance import actor_of
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox
from tests.support.pdf import text_of

PHONE = "13800138000"
#: Filing days (office time). The frozen clock then moves to 2029-03-03 09:30 Shanghai: the first
#: was filed 3 years and a day before, the second 3 years less a day before.
FILED_LONG_AGO = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
FILED_RECENTLY = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
DAYS_TO_2029_03_03 = 1097


def filed_complaint(app: Flask, name: str, filed_at: datetime) -> str:
    """A closed, countersigned complaint whose archival copies are stored, filed at ``filed_at``:
    the filing date is set with an UPDATE so that the test controls it to the day (filing
    itself is archive/filing.py's, tested there)."""
    code = new_complaint(app, customer_name=name)
    close_complaint(app, code)
    work_outbox(app)
    with app.app_context(), services().db.transaction() as session:
        session.execute(update(Record).where(Record.code == code).values(filed_at=filed_at))
    return code


def hold(app: Flask, code: str) -> None:
    with app.app_context(), services().db.transaction() as session:
        archivist = actor_of(app, "archivist")
        legal = LegalHold(name="诉讼 2028-01", reason="客户诉讼", owner_id=archivist.user_id,
                          created_by_id=archivist.user_id, created_at=FILED_LONG_AGO)
        session.add(legal)
        session.flush()
        session.add(HeldRecord(hold_id=legal.id, record_code=code, added_by_id=archivist.user_id,
                               added_at=FILED_LONG_AGO))


def claim(app: Flask, code: str) -> None:
    with app.app_context(), services().db.transaction() as session:
        session.add(CustomerClaim(record_code=code, phone=PHONE, staff="clerk", registered_at=FILED_LONG_AGO,
                                  valid_until=date(2026, 4, 2)))


def stored(app: Flask, code: str) -> dict[int, str]:
    """The store keys of ``code``'s renditions rows, by revision."""
    with app.app_context(), services().db.reading() as session:
        rows = session.execute(select(Rendition.revision, Rendition.path).join(
            Record, Record.id == Rendition.record_id).where(Record.code == code)).all()
    return dict(sorted(rows))


def present(app: Flask, keys: Iterable[str]) -> list[str]:
    """Those of ``keys`` whose files are in the instance's file store."""
    with app.app_context():
        return sorted(key for key in keys if file_store().exists(key))


def revisions_text(app: Flask, code: str) -> str:
    with app.app_context(), services().db.reading() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        datas = session.scalars(select(RecordRevision.data)
                                .where(RecordRevision.record_id == record.id)).all()
        return json.dumps([record.data, record.title, *datas], ensure_ascii=False)


def test_records_past_their_period_are_anonymised_and_the_others_kept(app: Flask, clock, token_for) -> None:  # type: ignore[no-untyped-def]
    due = filed_complaint(app, "上海恒丰", FILED_LONG_AGO)
    recent = filed_complaint(app, "杭州华联", FILED_RECENTLY)
    held = filed_complaint(app, "苏州明达", FILED_LONG_AGO)
    hold(app, held)
    claim(app, due)
    before = stored(app, due)
    assert len(before) == 6 and len(present(app, before.values())) == 6  # submit, 4 steps, countersign
    clock.advance(days=DAYS_TO_2029_03_03)
    runner = app.test_cli_runner()

    preview = runner.invoke(args=["personal", "anonymise", "--by", "archivist", "--dry-run"])
    assert preview.exit_code == 0, preview.output
    assert f"{due}  filed 2026-03-02  would be anonymised" in preview.output
    assert f"{held}  under a legal hold" in preview.output and recent not in preview.output
    assert "上海恒丰" in revisions_text(app, due)  # a dry run changes nothing

    result = runner.invoke(args=["personal", "anonymise", "--by", "archivist"])
    assert result.exit_code == 0, result.output
    assert "1 record(s) anonymised, 1 held." in result.output
    text = revisions_text(app, due)
    assert PHONE not in text and "上海恒丰" not in text and "已匿名" in text and "000-00000000" in text
    assert PHONE in revisions_text(app, recent) and PHONE in revisions_text(app, held)
    with app.app_context(), services().db.reading() as session:
        record = session.scalar(select(Record).where(Record.code == due))
        assert record.anonymised_at is not None and record.revision == 7 and record.title == "已匿名 · 划痕"
        assert session.scalar(select(func.count()).select_from(CustomerClaim)) == 0
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "record.anonymise"))
        assert event.object_id == due and event.actor_name == "archivist"
        assert event.detail["fields"] == ["customer_name", "contact_person", "phone"]
        detail = json.dumps(event.detail, ensure_ascii=False)
        assert PHONE not in detail and "上海恒丰" not in detail
        anonymised = select(func.count()).select_from(Record).where(Record.anonymised_at.is_not(None))
        assert session.scalar(anonymised) == 1
    assert stored(app, due) == {}  # rows gone with the commit, files still there
    assert present(app, before.values()) == sorted(before.values())

    work_outbox(app)  # deletes the old files, stores the new revision's copy, re-indexes
    after = stored(app, due)
    assert list(after) == [7] and present(app, before.values()) == []
    with app.app_context():
        archival = file_store().get(after[7])
    assert "上海恒丰" not in text_of(archival) and "已匿名" in text_of(archival)
    client, headers = app.test_client(), token_for("archivist")
    assert client.get("/api/v1/search", query_string={"q": "恒丰"}, headers=headers).json["total"] == 0
    assert client.get("/api/v1/search", query_string={"q": "华联"}, headers=headers).json["total"] == 1

    again = runner.invoke(args=["personal", "anonymise", "--by", "archivist"])
    assert "0 record(s) anonymised, 1 held." in again.output  # once only


def test_the_anonymised_page_shows_the_step_and_can_still_be_corrected(app: Flask, clock, logged_in) -> None:  # type: ignore[no-untyped-def]
    code = filed_complaint(app, "上海恒丰", FILED_LONG_AGO)
    clock.advance(days=DAYS_TO_2029_03_03)
    assert app.test_cli_runner().invoke(args=["personal", "anonymise", "--by", "admin"]).exit_code == 0
    supervisor = logged_in("supervisor")
    page = supervisor.get(f"/records/{code}").get_data(as_text=True)
    assert "个人信息匿名化" in page and "上海恒丰" not in page and PHONE not in page
    form = supervisor.get(f"/records/{code}/actions/correct").get_data(as_text=True)
    assert "000-00000000" in form  # the placeholders pass validation, so a correction still works


def test_only_archivists_and_admins_may_anonymise(app: Flask) -> None:
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["personal", "anonymise", "--by", "supervisor", "--dry-run"])
    assert refused.exit_code != 0 and "档案员" in refused.output
    unknown = runner.invoke(args=["personal", "anonymise", "--by", "nobody"])
    assert unknown.exit_code != 0 and "nobody" in unknown.output
