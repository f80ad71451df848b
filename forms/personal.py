"""Personal data (issue 6): the ``personal`` commands and the reveal API (see
:mod:`forms.masking`, :mod:`forms.spec_disclosure`, :mod:`forms.anonymise`). The masking reaches the
archive's adapters and search through their ports (:mod:`forms.adapters`, wired in ``core.app``)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from core.auth import accounts
from core.auth.roles import PermissionDenied
from core.clock import local
from core.web import services
from forms import anonymise, reveal, reveal_api

personal_cli = AppGroup("personal", help="Personal data: anonymising records kept past their period.")


def init_app(app: Flask) -> None:
    app.cli.add_command(personal_cli)
    reveal_api.init_api(app)


@personal_cli.command("anonymise")
@click.option("--by", "username", required=True, help="The archivist (or administrator) running it; audited.")
@click.option("--dry-run", is_flag=True, help="List the records due (and those held) without changing them.")
def anonymise_command(username: str, dry_run: bool) -> None:
    """Anonymise the personal fields of filed records kept past their spec's [personal] years."""
    s = services()
    actor = accounts.actor_named(s.db, username)
    if actor is None:
        raise click.BadParameter(f"no active user {username!r}", param_hint="--by")
    try:
        outcome = anonymise.anonymise_due(s.db, s.clock, s.zone, actor, dry_run=dry_run)
    except PermissionDenied as exc:
        raise click.ClickException(str(exc)) from exc
    for due in outcome.due:
        filed = local(due.filed_at, s.zone).strftime("%Y-%m-%d")
        done = "would be anonymised" if dry_run else (
            "anonymised" if due.code in outcome.done else "skipped (changed meanwhile)")
        click.echo(f"{due.code}  filed {filed}  {done}")
    for code in outcome.held:
        click.echo(f"{code}  under a legal hold: left intact")
    verb = "due" if dry_run else "anonymised"
    count = len(outcome.due) if dry_run else len(outcome.done)
    click.echo(f"{count} record(s) {verb}, {len(outcome.held)} held.")


@personal_cli.command("reveals")
@click.option("--by", "username", required=True, help="The auditor asking (only auditors review reveals).")
@click.option("--limit", type=click.IntRange(1, reveal.MAX_LISTED), default=50, show_default=True,
              help="How many of the newest reveals to list.")
def reveals_command(username: str, limit: int) -> None:
    """List who revealed which record's personal data, when and why (newest first)."""
    s = services()
    actor = accounts.actor_named(s.db, username)
    if actor is None:
        raise click.BadParameter(f"no active user {username!r}", param_hint="--by")
    try:
        found = reveal.list_reveals(s.db, actor, limit=limit)
    except PermissionDenied as exc:
        raise click.ClickException(str(exc)) from exc
    for entry in found:
        at = local(entry.at, s.zone).strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{at}  {entry.username}  {entry.code}  {entry.via}  {entry.reason}")
    click.echo(f"{len(found)} reveal(s).")
