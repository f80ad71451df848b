"""Filing: a record in its final state, countersigned, with its archival copy stored, is filed
with its volume and retention schedule; once filed it takes only corrections."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from archive.filing import filing_queue
from archive.models import Record
from archive.records import get_record
from core.audit.models import AuditEvent
from core.auth.roles import PermissionDenied
from core.clock import FrozenClock
from core.web import services
from forms.archiving import filing_rules
from forms.workflow import ActionRefused
from tests.support.instance import actor_of
from tests.support.lifecycle import close_complaint, new_complaint, step, work_outbox


def filing_of(app: Flask, code: str) -> Record:
    with app.app_context(), services().db.reading() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        session.expunge(record)
        return record


def test_a_closed_countersigned_complaint_is_filed_after_its_archival_copy(app: Flask) -> None:
    code = new_complaint(app)
    close_complaint(app, code)
    assert filing_of(app, code).filed_at is None  # its PDF/A is not stored yet
    work_outbox(app)
    record = filing_of(app, code)
    assert record.filed_at is not None and record.filed_revision == record.revision == 6
    assert record.volume == "CP-2026" and record.retention_class == "complaint-3y"
    # closed on 2 March 2026 (frozen clock); three years counted from that year's end
    assert record.retention_until == date(2029, 12, 31) and record.end_action == "destroy"
    with app.app_context(), services().db.reading() as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "record.file")).all()
        assert event.object_id == code and event.detail["volume"] == "CP-2026"
        assert len(event.detail["sha256"]) == 64


def test_a_major_complaint_is_filed_in_a_volume_of_its_own(app: Flask) -> None:
    code = new_complaint(app)
    close_complaint(app, code, level="3")
    work_outbox(app)
    assert filing_of(app, code).volume == code


def test_without_the_countersignature_it_waits_in_the_filing_queue(app: Flask) -> None:
    code = new_complaint(app)
    close_complaint(app, code, countersign=False)
    work_outbox(app)
    assert filing_of(app, code).filed_at is None
    with app.app_context():
        s = services()
        [waiting] = filing_queue(s.db, s.clock, actor_of(app, "archivist"), filing_rules(s.db))
    assert waiting.code == code and waiting.needs_countersign and not waiting.needs_archival_copy
    step(app, code, "countersign", "supervisor")
    work_outbox(app)
    assert filing_of(app, code).filed_at is not None
    with app.app_context():
        s = services()
        assert filing_queue(s.db, s.clock, actor_of(app, "archivist"), filing_rules(s.db)) == []


def test_a_filed_record_takes_only_corrections(app: Flask) -> None:
    code = new_complaint(app)
    close_complaint(app, code)
    work_outbox(app)
    with pytest.raises(ActionRefused, match="已归档"):
        step(app, code, "return", "supervisor", reason="不应再退回")
    step(app, code, "correct", "clerk", {"order_no": "SO-2026-0001"}, reason="订单号漏填")
    work_outbox(app)
    record = filing_of(app, code)
    assert record.revision == 7 and record.filed_revision == 6  # filed once; the correction is added
    with app.app_context():
        s = services()
        view = get_record(s.db, s.clock, actor_of(app, "clerk"), code)
    assert view.filing is not None and view.filing.retention_until == date(2029, 12, 31)


def test_closure_in_january_counts_from_the_end_of_that_year(app: Flask, clock: FrozenClock) -> None:
    clock.advance(days=(date(2026, 12, 30) - date(2026, 3, 2)).days)
    code = new_complaint(app, received_at="2026-12-30T09:00:00+08:00")
    clock.advance(days=3)  # closed on 2 January 2027
    close_complaint(app, code)
    work_outbox(app)
    record = filing_of(app, code)
    assert record.retention_until == date(2030, 12, 31)


def test_only_the_records_office_sees_the_filing_queue(app: Flask) -> None:
    with app.app_context(), pytest.raises(PermissionDenied, match="档案室"):
        s = services()
        filing_queue(s.db, s.clock, actor_of(app, "clerk"), filing_rules(s.db))
