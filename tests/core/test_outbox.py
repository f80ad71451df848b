"""The outbox: rows exist exactly when their transaction commits; failures are kept and retried
with back-off; a claimed row whose worker died comes back when its lease runs out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from core.clock import FrozenClock
from core.outbox import queue
from core.outbox.queue import Task
from core.outbox.worker import OutboxWorker
from core.web import services


def enqueue_one(app: Flask, subject: str = "CP-2026-000001", *, commit: bool = True) -> None:
    class Rollback(Exception):
        pass

    with app.app_context():
        s = services()
        try:
            with s.db.transaction() as session:
                queue.enqueue(session, topic="test.topic", subject=subject, at=s.clock.now(),
                              payload={"revision": 1})
                if not commit:
                    raise Rollback
        except Rollback:
            pass


def worker(app: Flask, handler, name: str = "w1") -> OutboxWorker:  # type: ignore[no-untyped-def]
    return OutboxWorker(services().db, services().clock, {"test.topic": handler}, name=name)


def test_a_row_exists_only_if_its_transaction_commits(app: Flask) -> None:
    enqueue_one(app, "rolled-back", commit=False)
    enqueue_one(app, "committed")
    with app.app_context():
        assert [item.subject for item in queue.pending(services().db)] == ["committed"]


def test_a_failure_is_recorded_backed_off_and_retried_until_it_succeeds(
        app: Flask, clock: FrozenClock) -> None:
    enqueue_one(app)
    calls: list[int] = []

    def flaky(task: Task) -> None:
        calls.append(task.attempt)
        if task.attempt == 1:
            raise OSError("disk full")

    with app.app_context():
        w = worker(app, flaky)
        report = w.run_once()
        assert (report.done, report.failed) == (0, 1)
        [item] = queue.pending(services().db)
        assert item.attempts == 1 and item.last_error == "OSError: disk full"
        assert item.available_at == clock.now() + timedelta(seconds=30)
        assert w.run_once().failed == 0 and calls == [1]  # not due yet: no hammering
        clock.advance(seconds=30)
        assert w.run_once().done == 1 and calls == [1, 2]
        assert queue.pending(services().db) == []
        assert queue.counts(services().db) == {"test.topic": {"waiting": 0, "failing": 0, "done": 1}}


def test_back_off_doubles_and_is_capped_at_an_hour() -> None:
    assert [queue.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert queue.backoff(30) == timedelta(hours=1)


def test_a_row_whose_worker_died_returns_after_its_lease(app: Flask, clock: FrozenClock) -> None:
    enqueue_one(app)
    with app.app_context():
        s = services()
        claimed = queue.claim(s.db, s.clock, "killed-worker", lease=timedelta(minutes=5))
        assert claimed is not None and claimed.attempt == 1
        # The worker is gone without settling the row: nobody else may take it within the lease…
        assert queue.claim(s.db, s.clock, "other") is None
        clock.advance(minutes=5, seconds=1)
        # …and afterwards the next worker does, as a second attempt.
        done: list[Task] = []
        assert worker(app, done.append, "other").run_once().done == 1
        assert [(t.subject, t.attempt) for t in done] == [("CP-2026-000001", 2)]


def test_rows_are_worked_oldest_first(app: Flask) -> None:
    for subject in ("first", "second", "third"):
        enqueue_one(app, subject)
    seen: list[str] = []
    with app.app_context():
        assert worker(app, lambda task: seen.append(task.subject)).run_once().done == 3
    assert seen == ["first", "second", "third"]


def test_a_topic_without_handler_fails_visibly(app: Flask) -> None:
    enqueue_one(app)
    with app.app_context():
        report = OutboxWorker(services().db, services().clock, {}).run_once()
        assert report.failed == 1 and "no handler for topic 'test.topic'" in report.errors[0]


def test_status_lists_failures_and_retry_makes_them_due(app: Flask, clock: FrozenClock) -> None:
    enqueue_one(app)

    def broken(task: Task) -> None:
        raise ValueError("bad font")

    with app.app_context():
        worker(app, broken).run_once()
    runner = app.test_cli_runner()
    status = runner.invoke(args=["outbox", "status"])
    assert status.exit_code == 1
    assert "test.topic: 0 waiting, 1 failing, 0 done" in status.output
    assert "CP-2026-000001: 1 attempt(s)" in status.output and "ValueError: bad font" in status.output
    assert "1 row(s) due again." in runner.invoke(args=["outbox", "retry"]).output
    with app.app_context():
        [item] = queue.pending(services().db)
        assert item.available_at == clock.now()


def test_prune_removes_only_old_done_rows(app: Flask, clock: FrozenClock) -> None:
    enqueue_one(app, "old")
    with app.app_context():
        worker(app, lambda task: None).run_once()
    clock.advance(days=8)
    enqueue_one(app, "waiting")
    with app.app_context():
        assert queue.prune(services().db, services().clock, timedelta(days=7)) == 1
        assert [i.subject for i in queue.pending(services().db)] == ["waiting"]


@pytest.mark.parametrize("args", [["outbox", "run", "--interval", "0"], ["outbox", "run", "--interval", "x"]])
def test_run_refuses_a_bad_interval(app: Flask, args: list[str]) -> None:
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 2 and "--interval" in result.output
