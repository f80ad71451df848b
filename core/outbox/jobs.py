"""Periodic jobs run by the outbox worker: the deadline tick, fixity verification, personal-data
anonymisation, outbox pruning.

Packages register a job by name with what it does (``register_job``, from their ``init_app``);
the instance config's ``[jobs]`` table says how often each runs (seconds; 0 turns it off). Every
worker pass asks each job whether it is due and takes it with one conditional UPDATE of its row
in ``scheduled_jobs``: due (its last start at least one interval ago, or five minutes after a
failed run) and not leased (no lease,
or one that ran out). Only the worker whose UPDATE changed the row runs the job, so several
workers, on one machine or many, run each job once; a worker killed mid-job delays the next run
until the lease ends rather than blocking it forever. The row keeps the last run: start, end,
whether it went well and a one-line result (``flask --app wsgi jobs``). A job's exception is
its result, never the worker's end.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from core.clock import Clock
from core.config import ConfigError
from core.db import Database
from core.outbox.models import ScheduledJob
from core.ports import Registry, registry

log = logging.getLogger(__name__)

#: How long a job's lease lasts; a run taking longer could be started again by another worker.
LEASE = timedelta(hours=1)
#: A run that failed is due again this soon (or at its interval, if shorter): a daily job that
#: failed for want of a setting would otherwise wait a day after the setting is made.
RETRY_AFTER_FAILURE = timedelta(minutes=5)
RESULT_MAX_LENGTH = 2000


@dataclass(frozen=True)
class Outcome:
    ok: bool
    summary: str  # one line: what the run did or found


@dataclass(frozen=True)
class Job:
    name: str
    every: int  # default seconds between runs (the config's [jobs] table overrides it)
    run: Callable[[], Outcome]
    description: str


@dataclass(frozen=True)
class JobRun:
    name: str
    outcome: Outcome


@dataclass(frozen=True)
class JobStatus:
    name: str
    every: int  # seconds; 0: off
    description: str
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_ok: bool | None
    last_result: str | None
    lease_holder: str | None
    lease_until: datetime | None


class Jobs(Registry[Job]):
    """The app's periodic jobs by name (:func:`register_job`); a name is taken once."""

    entry_kind = "periodic job"


def register_job(app: Flask, name: str, run: Callable[[], Outcome], *, every: int, description: str) -> None:
    """Called by a package's ``init_app``; ``run`` runs inside an app context."""
    registry(Jobs, app).add(name, Job(name, every, run, description))


def schedule(config: Mapping[str, Any], jobs: Mapping[str, Job]) -> dict[str, int]:
    """Seconds between runs per job: the job's default unless ``[jobs]`` sets it (0: off)."""
    table = config.get("JOBS") or {}
    if not isinstance(table, dict):
        raise ConfigError("jobs: must be a table ([jobs]) of job names and seconds")
    unknown = sorted(set(table) - set(jobs))
    if unknown:
        raise ConfigError(f"jobs.{unknown[0]}: no such job (the jobs are {', '.join(sorted(jobs))})")
    every = {}
    for name, job in jobs.items():
        value = table.get(name, job.every)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"jobs.{name}: must be a whole number of seconds, 0 (off) or more, "
                              f"not {value!r}")
        every[name] = value
    return every


def claim(db: Database, clock: Clock, name: str, holder: str, every: int) -> bool:
    """Take ``name``'s lease if it is due and nobody holds it; True when this caller runs it."""
    now = clock.now()
    _ensure_row(db, name)
    with db.transaction() as session:
        taken = session.execute(
            update(ScheduledJob).where(
                ScheduledJob.name == name,
                or_(ScheduledJob.lease_until.is_(None), ScheduledJob.lease_until < now),
                or_(ScheduledJob.last_started_at.is_(None),
                    ScheduledJob.last_started_at <= now - timedelta(seconds=every),
                    and_(ScheduledJob.last_ok.is_(False),
                         ScheduledJob.last_started_at <= now - min(RETRY_AFTER_FAILURE,
                                                                   timedelta(seconds=every)))))
            .values(lease_holder=holder, lease_until=now + LEASE, last_started_at=now))
        return taken.rowcount == 1


def _ensure_row(db: Database, name: str) -> None:
    with db.transaction() as session:
        if session.get(ScheduledJob, name) is not None:
            return
        try:
            with session.begin_nested():  # another worker may insert it at the same moment
                session.add(ScheduledJob(name=name))
        except IntegrityError:
            pass


def finish(db: Database, clock: Clock, name: str, holder: str, outcome: Outcome) -> None:
    """Record the run and release the lease (only if still ours: a lease that ran out may
    have been taken by another worker meanwhile)."""
    with db.transaction() as session:
        session.execute(update(ScheduledJob)
                        .where(ScheduledJob.name == name, ScheduledJob.lease_holder == holder)
                        .values(lease_holder=None, lease_until=None, last_finished_at=clock.now(),
                                last_ok=outcome.ok, last_result=outcome.summary[:RESULT_MAX_LENGTH]))


def run_due(db: Database, clock: Clock, jobs: Mapping[str, Job], every: Mapping[str, int],
            holder: str) -> list[JobRun]:
    """Run each job that is due and not leased by another worker; what ran and how it went."""
    runs = []
    for name, job in sorted(jobs.items()):
        if not every.get(name) or not claim(db, clock, name, holder, every[name]):
            continue
        try:
            outcome = job.run()
        except Exception as exc:  # the job's row records it; the worker goes on
            log.exception("periodic job %s failed", name)
            outcome = Outcome(False, f"{type(exc).__name__}: {exc}")
        finish(db, clock, name, holder, outcome)
        runs.append(JobRun(name, outcome))
    return runs


def statuses(db: Database, jobs: Mapping[str, Job], every: Mapping[str, int]) -> list[JobStatus]:
    """Every registered job with its schedule and its last run (none yet: all None)."""
    with db.reading() as session:
        rows = {row.name: row for row in session.scalars(select(ScheduledJob))}
        never = ScheduledJob()
        return [JobStatus(name, every.get(name, job.every), job.description, row.last_started_at,
                          row.last_finished_at, row.last_ok, row.last_result, row.lease_holder,
                          row.lease_until)
                for name, job in sorted(jobs.items()) for row in [rows.get(name, never)]]
