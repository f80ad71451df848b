"""``flask --app wsgi outbox run|status|retry``, ``flask --app wsgi jobs``, and the handler
registry packages add to (their periodic jobs: core.outbox.jobs.register_job)."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Collection
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from core.config import ConfigError
from core.outbox import queue
from core.outbox.jobs import Job, JobRun, Jobs, Outcome, register_job, schedule, statuses
from core.outbox.queue import Task
from core.outbox.worker import KEEP_DONE, BatchHandler, Handler, OutboxWorker, RunReport, TopicHandler
from core.ports import Registry, registry
from core.web import services

outbox_cli = AppGroup("outbox", help="After-commit work: archival PDFs, later the search index.")


class OutboxHandlers(Registry[TopicHandler]):
    """The handler of each outbox topic (:func:`register_handler`, :func:`register_batch_handler`);
    a topic has one handler."""

    entry_kind = "outbox topic"


def register_handler(app: Flask, topic: str, handler: Handler) -> None:
    """Called by a package's ``init_app``; the handler runs inside an app context."""
    registry(OutboxHandlers, app).add(topic, handler)


def register_batch_handler(app: Flask, topic: str, handle: Callable[[list[Task]], None], *,
                           size: int) -> None:
    """Register a handler that takes up to ``size`` due tasks of ``topic`` at once (claimed and
    settled together; core.outbox.worker.BatchHandler)."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"batch size of outbox topic {topic!r} must be a whole number of 1 or more")
    registry(OutboxHandlers, app).add(topic, BatchHandler(handle, size))


def init_app(app: Flask) -> None:
    """The outbox's own periodic job (pruning done rows) and the ``jobs`` command."""
    register_job(app, "outbox_prune", _prune, every=3600,
                 description=f"delete outbox rows done more than {KEEP_DONE.days} days ago")
    app.cli.add_command(jobs_command)


def _prune() -> Outcome:
    return Outcome(True, f"{queue.prune(services().db, services().clock, KEEP_DONE)} done row(s) deleted")


def _jobs_and_schedule() -> tuple[dict[str, Job], dict[str, int]]:
    registered = dict(registry(Jobs))
    try:
        return registered, schedule(current_app.config, registered)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def app_worker(*, topics: Collection[str] | None = None, skip_topics: Collection[str] = (),
               with_jobs: bool = True) -> OutboxWorker:
    """The app's worker: its handlers, the topics it claims, and its periodic jobs unless
    ``with_jobs`` is False (a worker of one busy topic leaves them to another)."""
    registered, every = _jobs_and_schedule()
    return OutboxWorker(services().db, services().clock, registry(OutboxHandlers),
                        jobs=registered if with_jobs else {}, every=every, topics=topics,
                        skip_topics=skip_topics)


def _topic_names(option: str, values: tuple[str, ...]) -> frozenset[str] | None:
    """``--topics a,b --topics c`` as a set of registered topic names (None when not given);
    a name no package registered is refused with the names that are."""
    if not values:
        return None
    names = frozenset(name.strip() for value in values for name in value.split(",") if name.strip())
    known = registry(OutboxHandlers)
    unknown = sorted(names - set(known))
    if unknown or not names:
        wrong = ", ".join(map(repr, unknown)) or "(none given)"
        raise click.BadParameter(f"no such topic {wrong}; the registered topics are: "
                                 f"{', '.join(sorted(known))}", param_hint=option)
    return names


def _describe(worker: OutboxWorker, known: Collection[str]) -> str:
    """The topics a worker claims, batched ones with their size, for its first line."""
    taken = [name for name in sorted(known) if worker.takes(name)]
    described = [f"{name} (batches of {worker.batches[name].size})" if name in worker.batches
                 else name for name in taken]
    if worker.topics is None:
        described.append("any other")
    return ", ".join(described) or "none"


@outbox_cli.command("run")
@click.option("--once", is_flag=True, help="Work off what is due now, then exit (for cron).")
@click.option("--interval", type=click.FloatRange(min=0.1, max=3600), default=2.0, show_default=True,
              help="Seconds between polls.")
@click.option("--topics", "topic_values", multiple=True, metavar="TOPIC[,TOPIC]",
              help="Claim only these topics (repeatable); default: every topic.")
@click.option("--skip-topics", "skip_values", multiple=True, metavar="TOPIC[,TOPIC]",
              help="Claim every topic but these (left to workers started with --topics).")
@click.option("--jobs/--no-jobs", "with_jobs", default=None,
              help="Run the periodic jobs that are due (default: yes, except with --once); "
                   "--no-jobs for a worker of one busy topic.")
def run_command(once: bool, interval: float, topic_values: tuple[str, ...],
                skip_values: tuple[str, ...], with_jobs: bool | None) -> None:
    """Run the outbox worker (in production next to the web server, as its own service); each
    pass also runs the periodic jobs that are due (``flask --app wsgi jobs`` lists them).
    Several workers may run at once, here or on other machines: each row is worked once and
    each due job runs once."""
    topics, skip_topics = _topic_names("--topics", topic_values), _topic_names("--skip-topics", skip_values)
    if topics is not None and skip_topics is not None:
        raise click.UsageError("give --topics or --skip-topics, not both")
    with_jobs = not once if with_jobs is None else with_jobs
    worker = app_worker(topics=topics, skip_topics=skip_topics or (), with_jobs=with_jobs)
    if once:
        report = worker.run_once()
        _echo_report(report)
        ran = worker.run_jobs() if with_jobs else []
        _echo_jobs(ran)
        sys.exit(1 if report.failed or any(not r.outcome.ok for r in ran) else 0)
    stop = threading.Event()

    def _stop(*_args: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    scheduled = ", ".join(f"{name} every {worker.every[name]} s" for name in sorted(worker.jobs)
                          if worker.every.get(name)) or ("none" if with_jobs else "none (--no-jobs)")
    click.echo(f"Outbox worker {worker.name}: polling every {interval:g} s (topics: "
               f"{_describe(worker, registry(OutboxHandlers))}; jobs: {scheduled}). Ctrl-C stops.", err=True)
    worker.run_forever(interval=interval, stop=stop, on_report=_echo_report, on_jobs=_echo_jobs)


@outbox_cli.command("status")
def status_command() -> None:
    """Counts per topic and every row still pending; exit 1 if any row has failed."""
    counts = queue.counts(services().db)
    if not counts:
        click.echo("Outbox is empty.")
    for topic, bucket in sorted(counts.items()):
        click.echo(f"{topic}: {bucket['waiting']} waiting, {bucket['failing']} failing, "
                   f"{bucket['done']} done")
    failing = [item for item in queue.pending(services().db) if item.attempts]
    for item in failing:
        click.echo(f"  #{item.id} {item.topic} {item.subject}: {item.attempts} attempt(s), next "
                   f"{item.available_at:%Y-%m-%d %H:%M:%S} UTC — {item.last_error}")
    sys.exit(1 if failing else 0)


@outbox_cli.command("retry")
def retry_command() -> None:
    """Make every failed row due now (after fixing what made it fail)."""
    click.echo(f"{queue.retry_now(services().db, services().clock)} row(s) due again.")


@click.command("jobs")
@with_appcontext
def jobs_command() -> None:
    """The periodic jobs the outbox worker runs: how often, the last run and its result."""
    registered, every = _jobs_and_schedule()
    for job in statuses(services().db, registered, every):
        often = f"every {job.every} s" if job.every else "off"
        if job.last_started_at is None:
            last = "never run"
        elif job.last_finished_at is None or job.last_finished_at < job.last_started_at:
            last = f"running since {job.last_started_at:%Y-%m-%d %H:%M:%S} UTC ({job.lease_holder})"
        else:
            last = (f"last run {job.last_started_at:%Y-%m-%d %H:%M:%S} UTC, "
                    f"{'ok' if job.last_ok else 'FAILED'}: {job.last_result}")
        click.echo(f"{job.name:<20} {often:<16} {last}")
        click.echo(f"{'':<20} {job.description}")


def _echo_jobs(ran: list[JobRun]) -> None:
    for run in ran:
        click.echo(f"Job {run.name}: {'ok' if run.outcome.ok else 'FAILED'}: {run.outcome.summary}", err=True)


def _echo_report(report: RunReport) -> None:
    click.echo(f"Outbox: {report.done} done, {report.failed} failed.", err=True)
    for error in report.errors:
        click.echo(f"  failed: {error}", err=True)
