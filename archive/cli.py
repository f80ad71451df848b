"""The ``archive`` command group: the filing, integrity and portability commands attach to
:data:`archive_cli` from their own modules (``forms/cli.py``, ``archive/integrity_cli.py``);
executing an approved destruction list (``archive dispose``) is here."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from archive import disposal
from archive.ports import archive_ports
from core.auth import accounts
from core.auth.roles import NotFound, PermissionDenied
from core.web import services

archive_cli = AppGroup("archive", help="The archive: filing, retention, disposal, integrity, export.")


@archive_cli.command("dispose")
@click.argument("list_id", type=click.IntRange(min=1))
@click.option("--by", "username", required=True, help="The archivist (or admin) executing it; audited.")
def dispose_command(list_id: int, username: str) -> None:
    """Execute the approved destruction list LIST_ID, as its page does: each record is destroyed
    unless a hold or a changed schedule spares it; the destruction register is filed."""
    s = services()
    actor = accounts.actor_named(s.db, username)
    if actor is None:
        raise click.BadParameter(f"no active user {username!r}", param_hint="--by")
    try:
        done = disposal.execute(s.db, s.clock, s.zone, actor, list_id,
                                archive_ports().disposal_hooks())
    except (NotFound, PermissionDenied) as exc:
        raise click.ClickException(f"{username}: {exc}") from exc
    except disposal.DisposalRefused as refused:
        raise click.ClickException("; ".join(refused.errors.values())) from refused
    for code, outcome in done.items:
        click.echo(f"{code}  {outcome}")
    click.echo(f"Destruction list {list_id} executed; the destruction register is {done.register_code}.")
