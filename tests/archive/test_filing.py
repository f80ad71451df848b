"""Filing: a record in its final state, countersigned, with its archival copy stored, is filed
with its volume and retention schedule; once filed it takes only corrections."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from archive import retention
from archive.filing import filing_queue
from archive.models import Record
from archive.records import get_record
from core.audit.models import AuditEvent
from core.auth.roles import PermissionDenied
from core.clock import FrozenClock
from core.web import services
from forms import versions
from forms.filing_rules import filing_rules
from forms.spec.library import SPEC_DIR, load_spec_file
from forms.workflow import ActionRefused
from tests.support.instance import actor_of
from tests.support.lifecycle import close_complaint, new_complaint, step, work_outbox
from tests.support.visits import register_visit


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


def test_a_record_of_a_version_without_filing_rules_keeps_its_after_actions(app: Flask, client, token_for,  # type: ignore[no-untyped-def]
                                                                              tmp_path) -> None:
    """Filing applies the form's current version; so does what a filed record still takes: a
    visit registered under a version without ``[filing]`` and filed under the next keeps its
    follow-ups."""
    shipped = (SPEC_DIR / "VR.toml").read_text(encoding="utf-8")
    without_filing = shipped.replace("version = 3", "version = 4", 1)
    without_filing = without_filing[:without_filing.index("[filing]")] + without_filing[
        without_filing.index("[personal]"):]
    register(app, tmp_path, without_filing, 4)
    sales, boss = token_for("sales"), token_for("sales_boss")
    code = register_visit(client, sales, "sales", "2026-03-02")["code"]
    register(app, tmp_path, shipped.replace("version = 3", "version = 5", 1), 5)
    for action in ("confirm", "countersign"):
        taken = client.post(f"/api/v1/records/{code}/actions/{action}", headers=boss, json={})
        assert taken.status_code == 200, taken.json
    work_outbox(app)
    record = filing_of(app, code)
    assert record.form_version == 4 and record.filed_at is not None
    rows = [{"date": "2026-03-02", "method": "phone", "notes": "约看房"}]
    taken = client.post(f"/api/v1/records/{code}/actions/follow_up", headers=sales,
                        json={"fields": {"follow_ups": rows}})
    assert taken.status_code == 200, taken.json
    refused = client.post(f"/api/v1/records/{code}/actions/return", headers=boss, json={"reason": "x"})
    assert refused.status_code == 409 and "filed" in refused.json["error"]


def register(app: Flask, folder: Path, text: str, version: int) -> None:
    (folder / "VR.toml").write_text(text, encoding="utf-8")
    with app.app_context():
        s = services()
        report = versions.register_specs(s.db, s.clock, {"VR": load_spec_file(folder / "VR.toml")})
        assert report.registered == [f"VR v{version}"], report
        versions.approve(s.db, s.clock, actor_of(app, "admin"), "VR", version)


@pytest.mark.parametrize(("trigger", "event_field", "at_year_end", "until"), [
    ("closure", None, True, date(2030, 12, 31)),
    ("closure", None, False, date(2030, 1, 2)),
    ("filing", None, True, date(2030, 12, 31)),
    ("filing", None, False, date(2030, 1, 10)),
    ("event", "received_at", True, date(2029, 12, 31)),
    ("event", "received_at", False, date(2029, 12, 30)),
    ("event", "order_no", False, date(2030, 1, 10)),  # no date there: counted from filing
])
def test_every_trigger_on_a_complaint_received_in_december_closed_and_filed_in_january(  # type: ignore[no-untyped-def]
        app: Flask, clock: FrozenClock, trigger, event_field, at_year_end, until) -> None:
    """Received 30 December 2026, closed 2 January 2027, countersigned and so filed 10 January."""
    with app.app_context():
        s = services()
        [cls] = [c for c in retention.list_classes(s.db) if c.code == "complaint-3y"]
        values = {name: getattr(cls, name) for name in retention.EDITABLE}
        changed = {**values, "trigger": trigger, "event_field": event_field, "at_year_end": at_year_end}
        retention.update_class(s.db, s.clock, actor_of(app, "admin"), "complaint-3y", changed, zone=s.zone)
    clock.advance(days=(date(2026, 12, 30) - date(2026, 3, 2)).days)
    code = new_complaint(app, received_at="2026-12-30T09:00:00+08:00")
    clock.advance(days=3)
    close_complaint(app, code, countersign=False)
    work_outbox(app)
    clock.advance(days=8)
    step(app, code, "countersign", "supervisor")
    work_outbox(app)
    record = filing_of(app, code)
    assert (record.closed_at.date(), record.filed_at.date()) == (date(2027, 1, 2), date(2027, 1, 10))
    assert record.retention_until == until
