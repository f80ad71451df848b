"""``flask --app wsgi outbox run|status|retry`` and the handler registry packages add to."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from core.outbox import queue
from core.outbox.worker import Handler, OutboxWorker, RunReport
from core.web import services

HANDLERS = "dossier.outbox_handlers"

outbox_cli = AppGroup("outbox", help="After-commit work: archival PDFs, later the search index.")


def register_handler(app: Flask, topic: str, handler: Handler) -> None:
    """Called by a package's ``init_app``; the handler runs inside an app context."""
    app.extensions.setdefault(HANDLERS, {})[topic] = handler


def app_worker() -> OutboxWorker:
    return OutboxWorker(services().db, services().clock, current_app.extensions.get(HANDLERS, {}))


@outbox_cli.command("run")
@click.option("--once", is_flag=True, help="Work off what is due now, then exit (for cron).")
@click.option("--interval", type=click.FloatRange(min=0.1, max=3600), default=2.0, show_default=True,
              help="Seconds between polls.")
def run_command(once: bool, interval: float) -> None:
    """Run the outbox worker (in production next to the web server, as its own service)."""
    worker = app_worker()
    if once:
        report = worker.run_once()
        _echo_report(report)
        sys.exit(1 if report.failed else 0)
    stop = threading.Event()

    def _stop(*_args: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo(f"Outbox worker {worker.name}: polling every {interval:g} s (topics: "
               f"{', '.join(sorted(worker.handlers)) or 'none'}). Ctrl-C stops.", err=True)
    worker.run_forever(interval=interval, stop=stop, on_report=_echo_report)


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


def _echo_report(report: RunReport) -> None:
    click.echo(f"Outbox: {report.done} done, {report.failed} failed.", err=True)
    for error in report.errors:
        click.echo(f"  failed: {error}", err=True)
