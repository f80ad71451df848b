"""``flask --app wsgi search rebuild|check [--repair]``."""

from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from search import consistency
from search.indexing import build
from search.ports import DocumentSource, search_ports
from search.store import IndexUnavailable, SearchStore, instance_search_store

search_cli = AppGroup("search", help="The search index.")


def store() -> SearchStore:
    return instance_search_store(current_app.instance_path)


def source() -> DocumentSource:
    return search_ports().documents()


def ensure_index() -> None:
    """``flask init`` step: build the index when there is none usable (new instance, or a new
    schema version), so search works before the first submission."""
    problem = store().problem()
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
    records = source()
    total = len(records.revisions())
    with click.progressbar(length=total, label="Indexing records", show_pos=True, show_eta=True,
                           file=sys.stderr) as bar:
        count = build(store(), records.documents(), bar.update,
                      processes=processes)
    # Records submitted while the build ran were indexed into the old folder; bring them over.
    changed = consistency.repair(store().open(), records, consistency.check(store().open(), records))
    click.echo(f"Search index rebuilt: {count} record(s), {changed} caught up after the switch.")


@search_cli.command("check")
@click.option("--repair", is_flag=True, help="Index what is missing or stale, drop orphans.")
def check_command(repair: bool) -> None:
    """Compare the database with the index; exit 1 listing every difference (unless repaired)."""
    try:
        ix = store().open()
    except IndexUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    records = source()
    report = consistency.check(ix, records)
    for label, codes in (("missing", report.missing), ("stale", report.stale),
                         ("orphaned", report.orphaned)):
        click.echo(f"{label}: {len(codes)}" + (f" ({', '.join(codes[:20])}"
                                               f"{', …' if len(codes) > 20 else ''})" if codes else ""))
    if report.clean:
        click.echo("The index matches the database.")
        return
    if not repair:
        sys.exit(1)
    changed = consistency.repair(ix, records, report)
    after = consistency.check(ix, records)
    outcome = "matches" if after.clean else "still differs from"
    click.echo(f"Repaired: {changed} change(s); the index {outcome} the database.")
    sys.exit(0 if after.clean else 1)
