"""Working off the outbox: claim, run the topic's handler, settle; repeat. Each pass also runs
the periodic jobs that are due (core.outbox.jobs), so the worker ``serve`` starts is the
office's scheduler too: no cron needed."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from core.clock import Clock
from core.db import Database
from core.outbox import queue
from core.outbox.jobs import Job, JobRun, run_due
from core.outbox.queue import Task

log = logging.getLogger(__name__)

Handler = Callable[[Task], None]
#: Done rows are kept this long for ``outbox status``, then pruned (the ``outbox_prune`` job).
KEEP_DONE = timedelta(days=7)


@dataclass
class RunReport:
    done: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class OutboxWorker:
    """Runs handlers for due rows; a handler's exception fails that row only, never the worker."""

    def __init__(self, db: Database, clock: Clock, handlers: Mapping[str, Handler],
                 name: str | None = None, *, jobs: Mapping[str, Job] | None = None,
                 every: Mapping[str, int] | None = None) -> None:
        self.db, self.clock, self.handlers = db, clock, dict(handlers)
        self.name = name or worker_name()
        self.jobs, self.every = dict(jobs or {}), dict(every or {})

    def run_jobs(self) -> list[JobRun]:
        """Run the periodic jobs that are due and that no other worker holds."""
        return run_due(self.db, self.clock, self.jobs, self.every, self.name)

    def run_once(self, *, limit: int | None = None) -> RunReport:
        """Work until nothing is due (or ``limit`` rows were tried)."""
        report = RunReport()
        while limit is None or report.done + report.failed < limit:
            task = queue.claim(self.db, self.clock, self.name)
            if task is None:
                break
            self._run(task, report)
        return report

    def run_forever(self, *, interval: float, stop: threading.Event,
                    on_report: Callable[[RunReport], None] | None = None,
                    on_jobs: Callable[[list[JobRun]], None] | None = None) -> None:
        """Poll every ``interval`` seconds until ``stop`` is set: due rows, then due jobs."""
        while not stop.is_set():
            report = self.run_once()
            if on_report and (report.done or report.failed):
                on_report(report)
            ran = self.run_jobs()
            if on_jobs and ran:
                on_jobs(ran)
            stop.wait(interval)

    def _run(self, task: Task, report: RunReport) -> None:
        handler = self.handlers.get(task.topic)
        try:
            if handler is None:
                raise LookupError(f"no handler for topic {task.topic!r} in this worker")
            handler(task)
        except Exception as exc:  # the row records it and is retried; the worker goes on
            message = f"{type(exc).__name__}: {exc}"
            retry_at = queue.fail(self.db, self.clock, task, message)
            log.exception("outbox %s %s %s failed (attempt %d), retry at %s",
                          task.id, task.topic, task.subject, task.attempt, retry_at.isoformat())
            report.failed += 1
            report.errors.append(f"{task.topic} {task.subject}: {message}")
        else:
            queue.complete(self.db, self.clock, task)
            report.done += 1
