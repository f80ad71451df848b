"""The checkpoints a destruction and a year's transfer leave (issue 20): each enqueues one in its
own transaction (core.audit.checkpoints.enqueue_checkpoint), the outbox worker appends it after
commit, the line's head covers the destruction's or transfer's own events, and the anchored
trail verifies; then cutting the tail back before the destruction is found."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from archive import disposal
from core.audit.models import AuditEvent
from core.web import services
from forms.registers import disposal_hooks
from tests.support.audit_tampering import checkpoint_file, cut_tail, make_key, verify
from tests.support.destruction import witness
from tests.support.instance import actor_of
from tests.support.lifecycle import close_complaint, new_complaint, work_outbox

DAYS_TO_2030 = (date(2030, 1, 1) - date(2026, 3, 2)).days


def last_seq_of(app, action: str) -> int:  # type: ignore[no-untyped-def]
    with app.app_context(), services().db.reading() as session:
        return int(session.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.action == action)))


def lines(app) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(raw) for raw in checkpoint_file(app).read_text().splitlines()]


def test_a_destruction_and_a_transfer_each_leave_a_checkpoint(app, clock, tmp_path: Path):
    make_key(app)
    kept, doomed = new_complaint(app), new_complaint(app)
    for code in (kept, doomed):
        close_complaint(app, code)
    work_outbox(app)
    transferred = app.test_cli_runner().invoke(
        args=["archive", "transfer", "--year", "2026", "--out", str(tmp_path / "t"), "--by", "archivist"])
    assert transferred.exit_code == 0, transferred.output
    work_outbox(app)
    assert lines(app)[-1]["reason"] == "transfer 2026"
    clock.advance(days=DAYS_TO_2030)
    with app.app_context():
        s = services()
        archivist = actor_of(app, "archivist")
        listed = disposal.propose(s.db, s.clock, s.zone, archivist, [doomed], "到期销毁")
        disposal.decide(s.db, s.clock, actor_of(app, "admin"), listed.id, approve=True)
        witness(app, listed.id)
        disposal.execute(s.db, s.clock, s.zone, archivist, listed.id, disposal_hooks(s.db, s.clock, s.zone))
    destroyed_at = last_seq_of(app, "disposal.execute")
    work_outbox(app)
    written = lines(app)[-1]
    assert written["reason"].startswith(f"destruction DL-{listed.id} ") and written["keyed"] is True
    assert written["seq"] >= destroyed_at and written["at"].startswith("2030-01-01")
    result = verify(app)
    assert result.exit_code == 0 and f"{len(lines(app))} checkpoint(s) agree" in result.output
    cut_tail(app, keep=destroyed_at - 1)  # the destruction's own event and everything after
    result = verify(app)
    assert result.exit_code == 1 and f"recorded seq {written['seq']}" in result.output
