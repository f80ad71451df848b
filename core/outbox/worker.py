"""Working off the outbox: claim, run the topic's handler, settle; repeat. Each pass also runs
the periodic jobs that are due (core.outbox.jobs), so a worker ``serve`` starts is the
office's scheduler too: no cron needed.

A worker may take only some topics (``outbox run --topics search.index``), so indexing never
waits behind archival rendering in another worker's queue; several workers share the rows
through their leases. A topic's handler takes one task, or a batch (:class:`BatchHandler`):
up to ``size`` due rows of its topic claimed together and settled together."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from core.clock import Clock
from core.db import Database
from core.outbox import queue
from core.outbox.jobs import Job, JobRun, run_due
from core.outbox.queue import Task

log = logging.getLogger(__name__)

Handler = Callable[[Task], None]


@dataclass(frozen=True)
class BatchHandler:
    """A topic's handler that takes its due tasks up to ``size`` at a time (one claim, one
    settle): for work whose cost is mostly per commit, as indexing's. It must be idempotent for
    each task as a single handler is; if it raises, every task of the batch fails with its own
    back-off."""

    handle: Callable[[list[Task]], None]
    size: int


TopicHandler = Handler | BatchHandler
#: Done rows are kept this long for ``outbox status``, then pruned (the ``outbox_prune`` job).
KEEP_DONE = timedelta(days=7)


@dataclass
class RunReport:
    done: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def tried(self) -> int:
        return self.done + self.failed


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class OutboxWorker:
    """Runs handlers for due rows; a handler's exception fails that row (or that batch) only,
    never the worker.

    ``topics``: the only topics it claims (None: all of them), ``skip_topics``: topics it
    leaves to other workers. Without either it claims every row, a topic without a handler
    included (that row fails visibly, naming the topic)."""

    def __init__(self, db: Database, clock: Clock, handlers: Mapping[str, TopicHandler],
                 name: str | None = None, *, jobs: Mapping[str, Job] | None = None,
                 every: Mapping[str, int] | None = None, topics: Collection[str] | None = None,
                 skip_topics: Collection[str] = ()) -> None:
        self.db, self.clock, self.handlers = db, clock, dict(handlers)
        self.name = name or worker_name()
        self.jobs, self.every = dict(jobs or {}), dict(every or {})
        self.topics = None if topics is None else frozenset(topics)
        self.skip_topics = frozenset(skip_topics)
        self.batches = {topic: handler for topic, handler in sorted(self.handlers.items())
                        if isinstance(handler, BatchHandler) and self.takes(topic)}

    def takes(self, topic: str) -> bool:
        """Whether this worker claims rows of ``topic``."""
        return (self.topics is None or topic in self.topics) and topic not in self.skip_topics

    def run_jobs(self) -> list[JobRun]:
        """Run the periodic jobs that are due and that no other worker holds."""
        return run_due(self.db, self.clock, self.jobs, self.every, self.name)

    def run_once(self, *, limit: int | None = None) -> RunReport:
        """Work until nothing is due (or ``limit`` rows were tried): each round a batch of each
        batched topic, then one row of the others, so neither kind starves the other."""
        report = RunReport()
        while limit is None or report.tried < limit:
            tried = report.tried
            for topic, batch in self.batches.items():
                room = batch.size if limit is None else min(batch.size, limit - report.tried)
                tasks = queue.claim_batch(self.db, self.clock, self.name, [topic], room)
                if tasks:
                    self._run_batch(batch, tasks, report)
            if limit is None or report.tried < limit:
                task = self._claim_one()
                if task is not None:
                    self._run(task, report)
            if report.tried == tried:
                break
        return report

    def _claim_one(self) -> Task | None:
        """The oldest due row of this worker's topics that are not batched."""
        if self.topics is None:
            return queue.claim(self.db, self.clock, self.name,
                               skip_topics=self.skip_topics | set(self.batches))
        single = self.topics - self.skip_topics - set(self.batches)
        return queue.claim(self.db, self.clock, self.name, topics=single) if single else None

    def run_forever(self, *, interval: float, stop: threading.Event,
                    on_report: Callable[[RunReport], None] | None = None,
                    on_jobs: Callable[[list[JobRun]], None] | None = None) -> None:
        """Poll every ``interval`` seconds until ``stop`` is set: due rows, then due jobs."""
        while not stop.is_set():
            report = self.run_once()
            if on_report and report.tried:
                on_report(report)
            ran = self.run_jobs()
            if on_jobs and ran:
                on_jobs(ran)
            stop.wait(interval)

    def _run(self, task: Task, report: RunReport) -> None:
        handler = self.handlers.get(task.topic)
        try:
            if handler is None or isinstance(handler, BatchHandler):
                raise LookupError(f"no handler for topic {task.topic!r} in this worker")
            handler(task)
        except Exception as exc:  # the row records it and is retried; the worker goes on
            self._failed([task], exc, report)
        else:
            queue.complete(self.db, self.clock, task)
            report.done += 1

    def _run_batch(self, batch: BatchHandler, tasks: list[Task], report: RunReport) -> None:
        try:
            batch.handle(tasks)
        except Exception as exc:  # every row of the batch records it and is retried
            self._failed(tasks, exc, report)
        else:
            queue.complete_many(self.db, self.clock, tasks)
            report.done += len(tasks)

    def _failed(self, tasks: list[Task], exc: Exception, report: RunReport) -> None:
        message = f"{type(exc).__name__}: {exc}"
        retry_at = queue.fail_many(self.db, self.clock, tasks, message)
        first = tasks[0]
        log.exception("outbox %s %s %s failed (attempt %d%s), retry at %s", first.id, first.topic,
                      first.subject, first.attempt,
                      f"; with {len(tasks) - 1} more of its batch" if len(tasks) > 1 else "",
                      retry_at[first.id].isoformat())
        report.failed += len(tasks)
        report.errors.extend(f"{task.topic} {task.subject}: {message}" for task in tasks)
