"""``flask --app wsgi search rebuild|check [--repair]``."""

from __future__ import annotations

import os
import sys

import click
from flask.cli import AppGroup

from search import consistency
from search.backend import BackendUnavailable
from search.backends import current_backend
from search.ports import DocumentSource, search_ports

search_cli = AppGroup("search", help="The search index.")


def source() -> DocumentSource:
    return search_ports().documents()


def ensure_index() -> None:
    """``flask init`` step: build the index when there is none usable (new instance, or a new
    schema version), so search works before the first submission."""
    problem = current_backend().problem()
    if problem is None:
        click.echo("Search index is up to date.")
        return
    click.echo(f"Search index: {problem}; building it.")
    rebuild(os.cpu_count() or 1)


@search_cli.command("rebuild")
@click.option("--processes", type=click.IntRange(1, 64), default=os.cpu_count() or 1, show_default=True,
              help="Writer processes (default: every core).")
def rebuild_command(processes: int) -> None:
    """Build a new index from the database beside the old one, then switch to it atomically."""
    rebuild(processes)


def rebuild(processes: int = 1) -> None:
    records, backend = source(), current_backend()
    total = len(records.revisions())
    with click.progressbar(length=total, label="Indexing records", show_pos=True, show_eta=True,
                           file=sys.stderr) as bar:
        count = backend.build(records.documents(), bar.update, processes=processes)
    # Records submitted while the build ran were indexed into the old index; bring them over.
    changed = consistency.repair(backend, records, consistency.check(backend, records))
    click.echo(f"Search index rebuilt: {count} record(s), {changed} caught up after the switch.")


@search_cli.command("check")
@click.option("--repair", is_flag=True, help="Index what is missing or stale, drop orphans.")
def check_command(repair: bool) -> None:
    """Compare the database with the index; exit 1 listing every difference (unless repaired)."""
    records, backend = source(), current_backend()
    try:
        report = consistency.check(backend, records)
    except BackendUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    for label, codes in (("missing", report.missing), ("stale", report.stale),
                         ("orphaned", report.orphaned)):
        click.echo(f"{label}: {len(codes)}" + (f" ({', '.join(codes[:20])}"
                                               f"{', …' if len(codes) > 20 else ''})" if codes else ""))
    if report.clean:
        click.echo("The index matches the database.")
        return
    if not repair:
        sys.exit(1)
    changed = consistency.repair(backend, records, report)
    after = consistency.check(backend, records)
    outcome = "matches" if after.clean else "still differs from"
    click.echo(f"Repaired: {changed} change(s); the index {outcome} the database.")
    sys.exit(0 if after.clean else 1)
