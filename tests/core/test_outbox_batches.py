"""Batch handlers (issue 18): up to ``size`` due rows of a topic claimed together in one
transaction, handed over as one list and settled together; a batch that raises fails every
row with its own back-off; the other topics keep the one-row path. The search index's handler
is one: a burst of submissions goes into the index with one commit per batch."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Flask

from core.clock import FrozenClock
from core.outbox import queue
from core.outbox.cli import register_batch_handler, register_handler
from core.outbox.queue import Task
from core.outbox.worker import BatchHandler, OutboxWorker
from core.ports import DuplicateName
from core.web import services
from forms.search_documents import RecordDocuments
from search.backends import current_backend
from tests.support.lifecycle import submit_cp
from tests.support.outbox import enqueue_rows, pending_subjects


def subjects(tasks: list[Task]) -> list[str]:
    return [task.subject for task in tasks]


def test_claim_batch_leases_the_oldest_due_rows_of_its_topics(app: Flask, clock: FrozenClock) -> None:
    enqueue_rows(app, "a", ["a1", "a2"])
    enqueue_rows(app, "b", ["b1"])
    enqueue_rows(app, "a", ["a3", "a4"])
    with app.app_context():
        s = services()
        first = queue.claim_batch(s.db, s.clock, "w1", ["a"], 3)
        assert subjects(first) == ["a1", "a2", "a3"] and {t.attempt for t in first} == {1}
        assert subjects(queue.claim_batch(s.db, s.clock, "w2", ["a", "b"], 10)) == ["b1", "a4"]
        assert queue.claim_batch(s.db, s.clock, "w3", ["a", "b"], 10) == []  # all leased
        assert queue.claim_batch(s.db, s.clock, "w3", [], 10) == []
        queue.complete_many(s.db, s.clock, first)
        clock.advance(seconds=queue.DEFAULT_LEASE.total_seconds(), microseconds=1)
        again = queue.claim_batch(s.db, s.clock, "w3", ["a", "b"], 10)  # w2 died: its lease ran out
        assert [(t.subject, t.attempt) for t in again] == [("b1", 2), ("a4", 2)]
    assert pending_subjects(app) == [("b", "b1"), ("a", "a4")]


def test_a_worker_hands_batches_over_and_keeps_single_rows_single(app: Flask) -> None:
    enqueue_rows(app, "batched", [f"x{n}" for n in range(7)])
    enqueue_rows(app, "single", ["s1", "s2"])
    calls: list[list[str]] = []
    with app.app_context():
        handlers = {"batched": BatchHandler(lambda tasks: calls.append(subjects(tasks)), 3),
                    "single": lambda task: calls.append([task.subject])}
        report = OutboxWorker(services().db, services().clock, handlers).run_once()
    assert (report.done, report.failed) == (9, 0)
    # each round: a batch, then one single row, so neither kind waits for the other to drain
    assert calls == [["x0", "x1", "x2"], ["s1"], ["x3", "x4", "x5"], ["s2"], ["x6"]]
    assert pending_subjects(app) == []


def test_a_limit_stops_within_a_batch(app: Flask) -> None:
    enqueue_rows(app, "batched", [f"x{n}" for n in range(7)])
    with app.app_context():
        worker = OutboxWorker(services().db, services().clock, {"batched": BatchHandler(len, 3)})
        assert worker.run_once(limit=5).done == 5
    assert pending_subjects(app) == [("batched", "x5"), ("batched", "x6")]


def test_a_failing_batch_fails_each_row_with_its_own_back_off(app: Flask, clock: FrozenClock) -> None:
    outcome: list[Exception] = [OSError("index locked")]

    def handle(tasks: list[Task]) -> None:
        if outcome:
            raise outcome[0]

    enqueue_rows(app, "batched", ["old"])
    with app.app_context():
        worker = OutboxWorker(services().db, services().clock, {"batched": BatchHandler(handle, 10)})
        assert worker.run_once().failed == 1
        clock.advance(seconds=30)
        enqueue_rows(app, "batched", ["new"])
        report = worker.run_once()  # old's second attempt and new's first, in one batch
        assert (report.done, report.failed) == (0, 2)
        assert report.errors == ["batched old: OSError: index locked",
                                 "batched new: OSError: index locked"]
        items = queue.pending(services().db)
        assert [(i.subject, i.attempts, i.available_at - clock.now(), i.last_error)
                for i in items] == [
            ("old", 2, timedelta(seconds=60), "OSError: index locked"),
            ("new", 1, timedelta(seconds=30), "OSError: index locked")]
        outcome.clear()
        clock.advance(seconds=60)
        assert worker.run_once().done == 2
    assert pending_subjects(app) == []


def test_a_batch_topic_is_registered_once_with_a_sensible_size(app: Flask) -> None:
    with pytest.raises(DuplicateName, match=r"outbox topic 'search\.index' is registered already"):
        register_handler(app, "search.index", lambda task: None)
    with pytest.raises(DuplicateName, match=r"'pdf\.archival' is registered already"):
        register_batch_handler(app, "pdf.archival", len, size=10)
    for size in (0, -1, True, 2.5):
        with pytest.raises(ValueError, match="batch size of outbox topic 'x' must be a whole number"):
            register_batch_handler(app, "x", len, size=size)  # type: ignore[arg-type]


def test_indexing_a_burst_takes_one_commit_per_batch(app: Flask) -> None:
    """Three complaints and a code whose record is gone (queued twice) in one batch: the three
    are found, the gone one is taken out, with one commit for the three."""
    with app.app_context():
        backend = current_backend()
        backend.build([])
        codes = [submit_cp(app) for _ in range(3)]
        [first] = RecordDocuments(services().db).documents(codes[:1])
        backend.put([replace(first, code="CP-2026-999999")])
        assert backend.indexed_revisions() == {"CP-2026-999999": 1}
        enqueue_rows(app, "search.index", ["CP-2026-999999", codes[0], "CP-2026-999999"])
        store = backend.store  # type: ignore[attr-defined]
        generation = store.open().latest_generation()
        result = app.test_cli_runner().invoke(args=["outbox", "run", "--once",
                                                    "--topics", "search.index"])
        assert "Outbox: 6 done, 0 failed." in result.output, result.output
        assert backend.indexed_revisions() == {code: 1 for code in codes}
        assert store.open().latest_generation() == generation + 2  # one put, one remove
    assert [topic for topic, _ in pending_subjects(app)] == ["pdf.archival"] * 3

