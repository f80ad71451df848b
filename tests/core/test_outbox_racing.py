"""Several workers at once (issue 18), on PostgreSQL and on SQLite: two workers claiming
batches at the same moment never claim a row twice and leave none; two workers racing for the
periodic jobs run each due job once, in threads on a frozen clock and in two worker processes
as ``./bootstrap.sh serve`` starts them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from itertools import pairwise
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.clock import FrozenClock
from core.outbox import queue
from core.outbox.cli import app_worker
from core.outbox.jobs import Outcome, register_job
from core.outbox.queue import Task
from core.web import services
from tests.support.outbox import enqueue_rows, pending_subjects

PROJECT = Path(__file__).resolve().parents[2]
ROWS = 300
ROUNDS = 12


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_app(request: pytest.FixtureRequest) -> Flask:
    """The populated instance on SQLite, then on its own PostgreSQL database."""
    found: Flask = request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")
    return found


def race(workers: int, work: object) -> None:
    """Run ``work(name)`` in ``workers`` threads released together; re-raise a thread's error."""
    gate, errors = threading.Barrier(workers), []

    def run(name: str) -> None:
        try:
            gate.wait()
            work(name)  # type: ignore[operator]
        except BaseException as exc:  # handed to the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"w{n}",)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]


def test_two_workers_claiming_batches_never_share_a_row(db_app: Flask) -> None:
    enqueue_rows(db_app, "batched", [f"S{n:03d}" for n in range(ROWS)])
    claimed: dict[str, list[Task]] = {}

    def work(name: str) -> None:
        with db_app.app_context():
            s, mine = services(), claimed.setdefault(name, [])
            while batch := queue.claim_batch(s.db, s.clock, name, ["batched"], 7):
                mine.extend(batch)
                queue.complete_many(s.db, s.clock, batch)

    race(2, work)
    subjects = sorted(task.subject for tasks in claimed.values() for task in tasks)
    assert subjects == [f"S{n:03d}" for n in range(ROWS)]  # every row, none twice
    assert all(claimed.values()), "one worker took everything: the two never raced"
    assert {task.attempt for tasks in claimed.values() for task in tasks} == {1}
    assert pending_subjects(db_app) == []


def test_two_workers_racing_for_a_due_job_run_it_once(db_app: Flask, clock: FrozenClock) -> None:
    runs: list[str] = []
    register_job(db_app, "probe", lambda: Outcome(True, str(len(runs))), every=60,
                 description="counts its runs")
    rounds = threading.Barrier(3, timeout=60)

    def work(name: str) -> None:
        with db_app.app_context():
            worker = app_worker()
            worker.name, worker.jobs = name, {"probe": worker.jobs["probe"]}
            for _ in range(ROUNDS):
                runs.extend(f"{run.name} by {name}" for run in worker.run_jobs())
                rounds.wait()  # both have tried this round
                rounds.wait()  # the clock has moved on

    def referee() -> None:
        for n in range(ROUNDS):
            rounds.wait()
            assert len(runs) == n + 1, runs  # exactly one of the two ran it this round
            clock.advance(seconds=60, microseconds=1)
            rounds.wait()

    thread = threading.Thread(target=referee)
    thread.start()
    race(2, work)
    thread.join(timeout=60)
    assert len(runs) == ROUNDS


def test_two_worker_processes_run_each_due_job_once(db_app: Flask, tmp_path: Path) -> None:
    """Two ``outbox run`` processes polling every 0.1 s, the fixity check due every second:
    it ran several times and never twice at once (two starts are a second apart, less the
    spread of when a run writes its event)."""
    (Path(db_app.instance_path) / "config.toml").write_text("jobs = { fixity_verify = 1 }\n")
    env = {**os.environ, "DOSSIER_INSTANCE": db_app.instance_path,
           "DOSSIER_DATABASE_URL": db_app.config["DATABASE_URL"]}
    logs = [tmp_path / f"worker{n}.log" for n in (1, 2)]
    workers = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "run",
                                 "--interval", "0.1"], cwd=PROJECT, env=env,
                                stdout=subprocess.DEVNULL, stderr=log.open("w")) for log in logs]
    try:
        deadline = time.monotonic() + 90
        while len(verified_at(db_app)) < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
    times = verified_at(db_app)
    assert len(times) >= 4, [log.read_text() for log in logs]
    gaps = [(later - earlier).total_seconds() for earlier, later in pairwise(times)]
    assert min(gaps) > 0.5, gaps
    said = [log.read_text() for log in logs]
    assert all("polling every 0.1 s" in text for text in said), said  # both were running
    assert sum(text.count("Job fixity_verify: ok") for text in said) == len(times)
    assert sum(text.count("Job deadline_tick: ok") for text in said) == 1


def verified_at(app: Flask) -> list:  # type: ignore[type-arg]
    with app.app_context(), services().db.reading() as session:
        return list(session.scalars(select(AuditEvent.at).where(AuditEvent.action == "archive.verify")
                                    .order_by(AuditEvent.seq)))
