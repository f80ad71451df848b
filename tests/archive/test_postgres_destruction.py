"""The destruction's witnesses on a real PostgreSQL server: both witnesses confirming at the same
moment each get their own confirmation (the list row is locked, one after the other), and two
keepers executing at once destroy once — the second is told the list is executed. The register
filed keeps both confirmations and the tombstone the 档号."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from flask import Flask
from sqlalchemy import select

from archive import disposal, witnesses
from archive.disposal import DisposalRefused
from archive.models import Record, Tombstone
from archive.ports import archive_ports
from core.clock import FrozenClock
from core.web import services
from tests.support.instance import actor_of
from tests.support.lifecycle import DAYS_TO_2030, close_complaint, new_complaint, work_outbox

pytestmark = pytest.mark.postgres


def at_once(app: Flask, calls: dict[str, object]) -> dict[str, object]:
    """Run each call in its own thread and app context, released together; what each returned
    or raised, by name."""
    barrier = Barrier(len(calls))

    def run(call: object) -> object:
        with app.app_context():
            barrier.wait()
            try:
                return call()  # type: ignore[operator]
            except DisposalRefused as refused:
                return refused

    with ThreadPoolExecutor(len(calls)) as pool:
        futures = {name: pool.submit(run, call) for name, call in calls.items()}
        return {name: future.result() for name, future in futures.items()}


def test_witnesses_confirm_and_keepers_execute_at_once(pg_app: Flask, clock: FrozenClock) -> None:
    app = pg_app
    code = new_complaint(app)
    close_complaint(app, code)
    work_outbox(app)
    clock.advance(days=DAYS_TO_2030, microseconds=271828)
    with app.app_context(), services().db.reading() as session:
        reference = session.scalar(select(Record.archival_code).where(Record.code == code))
    with app.app_context():
        s = services()
        listed = disposal.propose(s.db, s.clock, s.zone, actor_of(app, "archivist"), [code],
                                  "期满，经鉴定可销毁")
        disposal.decide(s.db, s.clock, actor_of(app, "admin"), listed.id, approve=True)
        witnesses.name_witnesses(s.db, s.clock, actor_of(app, "archivist"), listed.id,
                                 ("auditor", "admin"))

    def confirm(who: str) -> object:
        s = services()
        return witnesses.confirm(s.db, s.clock, actor_of(app, who), listed.id)

    confirmed = at_once(app, {"auditor": lambda: confirm("auditor"), "admin": lambda: confirm("admin")})
    assert all(isinstance(v, witnesses.WitnessView) and v.confirmed_at for v in confirmed.values()), confirmed

    def execute() -> object:
        s = services()
        return disposal.execute(s.db, s.clock, s.zone, actor_of(app, "archivist"), listed.id,
                                archive_ports().disposal_hooks())

    done = at_once(app, {"first": execute, "second": execute})
    executed = [v for v in done.values() if isinstance(v, disposal.ListView)]
    refused = [v for v in done.values() if isinstance(v, DisposalRefused)]
    assert len(executed) == 1 and len(refused) == 1, done
    assert "已执行" in refused[0].errors["list"]
    work_outbox(app)
    with app.app_context(), services().db.reading() as session:
        data = session.scalar(select(Record.data).where(Record.code == executed[0].register_code))
        tomb = session.scalar(select(Tombstone.archival_code).where(Tombstone.code == code))
    assert [w["name"] for w in data["witnesses"]] == ["Auditor（auditor）", "Admin（admin）"]
    assert all(w["confirmed_at"] for w in data["witnesses"])
    assert reference and tomb == reference and data["items"][0]["archival_code"] == reference
