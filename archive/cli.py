"""The ``archive`` command group: the filing, integrity and portability commands attach to
:data:`archive_cli` from their own modules (``forms/cli.py``, ``archive/integrity_cli.py``);
executing an approved destruction list (``archive dispose``) and moving the stored files into
the configured store (``archive move-files``) are here."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from archive import disposal, moving
from archive.files import StoreUnavailable
from archive.ports import archive_ports
from archive.stores import file_store
from core.auth import accounts
from core.auth.roles import NotFound, PermissionDenied
from core.web import services

archive_cli = AppGroup("archive", help="The archive: filing, retention, disposal, integrity, export.")


@archive_cli.command("dispose")
@click.argument("list_id", type=click.IntRange(min=1))
@click.option("--by", "username", required=True, help="The archivist (or admin) executing it; audited.")
def dispose_command(list_id: int, username: str) -> None:
    """Execute the approved destruction list LIST_ID, as its page does, once both its witnesses
    (监销人) have confirmed in the app (there is no console command to confirm for them; --by
    may not be a witness): each record is destroyed unless a hold or a changed schedule spares
    it; the destruction register is filed."""
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


@archive_cli.command("move-files")
@click.option("--from", "folder", required=True, type=click.Path(path_type=Path),
              help="The old folder store, e.g. the instance's renditions folder.")
@click.option("--by", "username", default=None, help="The admin or archivist answering for it (audited).")
def move_files_command(folder: Path, username: str | None) -> None:
    """Copy every file of FOLDER into the configured store (FILE_STORE) under its own key, each
    read back and checked; files already there with the same SHA-256 are skipped, so it can be
    run again. The database does not change; FOLDER is left as it was. Exit 1 on any failure."""
    s, target = services(), file_store()
    actor = accounts.actor_named(s.db, username) if username else None
    if username and actor is None:
        raise click.BadParameter(f"no active user {username!r}", param_hint="--by")
    try:
        source = moving.source_folder(folder, target)
        keys = list(source.keys())
        click.echo(f"Copying {len(keys)} file(s) from {source.describe()} to {target.describe()}.", err=True)
        with click.progressbar(length=len(keys), label="Copying files", show_pos=True, show_eta=True,
                               file=sys.stderr) as bar:
            report = moving.move_files(s.db, s.clock, source, target, actor=actor, keys=keys,
                                       progress=bar.update)
    except (moving.MoveRefused, StoreUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    for key, why in report.failed:
        click.echo(f"FAILED {key}: {why}")
    click.echo(f"{report.summary()}.")
    if report.clean:
        click.echo("Run `flask --app wsgi archive verify` to check every file in the new store.")
    sys.exit(0 if report.clean else 1)
