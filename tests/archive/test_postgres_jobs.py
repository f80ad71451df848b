"""The periodic jobs and read-time overdue on a real PostgreSQL server (issue 15, item 3): of
workers racing for one due job exactly one runs it; a complaint 11 days late is overdue in the
inbox, the statistics and the API with no tick run."""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask

from core.outbox import jobs
from core.outbox.jobs import Job, Outcome
from core.outbox.worker import OutboxWorker
from core.web import services
from forms.statistics import complaint_stats
from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of, login


def test_of_racing_workers_one_runs_a_due_job(pg_app: Flask) -> None:
    ran: list[str] = []
    lock = threading.Lock()
    gate = threading.Barrier(4)

    def counted(name: str) -> Outcome:
        with lock:
            ran.append(name)
        return Outcome(True, name)

    with pg_app.app_context():
        s = services()

        def work(name: str) -> None:
            job = Job("race", 60, lambda: counted(name), "test job")
            worker = OutboxWorker(s.db, s.clock, {}, name=name, jobs={"race": job}, every={"race": 60})
            gate.wait()
            with pg_app.app_context():
                worker.run_jobs()

        threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        [status] = jobs.statuses(s.db, {"race": Job("race", 60, lambda: Outcome(True, ""), "")},
                                 {"race": 60})
    assert len(ran) == 1 and status.last_ok is True and status.last_result == ran[0]


def test_overdue_is_read_at_read_time_on_postgresql(pg_app: Flask) -> None:
    with pg_app.app_context():
        s = services()
        received = (s.clock.now() - timedelta(days=11)).isoformat()
        late = submit(s.db, s.clock, s.zone, actor_of(pg_app, "clerk"), "CP",
                      {**VALID_CP, "received_at": received}).code
        submit(s.db, s.clock, s.zone, actor_of(pg_app, "clerk"), "CP", VALID_CP)
        stats = complaint_stats(s.db, s.clock, s.zone, actor_of(pg_app, "supervisor"), weeks=4, locale="en")
        assert (stats.total, stats.overdue) == (2, 1)
    client = pg_app.test_client()
    login(client, "supervisor")
    inbox = client.get("/inbox").text
    assert inbox.index(late) < inbox.index("tag--overdue") < inbox.index("CP-2026-000002")
