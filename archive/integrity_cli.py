"""``archive verify | export | import | backup | restore``: thin adapters over archive/fixity.py,
exporting.py, importing.py and backup.py. Progress bars go to stderr, reports to stdout; a
refusal is one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app

from archive import backup, exporting, fixity, importing
from archive.cli import archive_cli
from archive.files import FileStore, StoreUnavailable, WriteOnceViolation
from archive.portability import MANIFEST, PortabilityError
from archive.stores import file_store
from core.auth import accounts
from core.auth.roles import Actor, PermissionDenied
from core.web import services

REBUILD_HINT = "The search index is not part of it: run `flask --app wsgi search rebuild`."


def _store() -> FileStore:
    return file_store()


@contextmanager
def _bar(length: int, label: str) -> Iterator[Callable[[int], None]]:
    with click.progressbar(length=length, label=label, show_pos=True, show_eta=True,
                           file=sys.stderr) as bar:
        yield bar.update


@contextmanager
def _refusals() -> Iterator[None]:
    """Service refusals (and a store that cannot be reached) as one line and exit 1."""
    try:
        yield
    except (PortabilityError, PermissionDenied, StoreUnavailable, WriteOnceViolation) as exc:
        raise click.ClickException(str(exc)) from exc


def _actor(username: str | None) -> Actor | None:
    if username is None:
        return None
    actor = accounts.actor_named(services().db, username)
    if actor is None:
        raise click.BadParameter(f"no active user {username!r}", param_hint="--by")
    return actor


def _existing_folder(folder: Path) -> Path:
    if not (folder / MANIFEST).is_file():
        raise click.BadParameter(f"{folder} has no {MANIFEST}: not an export or backup folder",
                                 param_hint="DIR")
    return folder


@archive_cli.command("verify")
def verify_command() -> None:
    """Check every stored file's checksum, the audit chain, missing/extra files and code gaps."""
    s = services()
    started = time.monotonic()
    with _refusals(), _bar(fixity.rendition_count(s.db), "Checksums") as progress:
        report = fixity.verify_archive(s.db, s.clock, _store(), instance_path=Path(current_app.instance_path),
                                       progress=progress)
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(f"{report.summary()} ({time.monotonic() - started:.1f} s)")
    sys.exit(0 if report.clean else 1)


@archive_cli.command("export")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="A new or empty folder.")
@click.option("--by", "username", default=None, help="Export as this admin or archivist (audited).")
def export_command(out: Path, username: str | None) -> None:
    """Write every archival file, the records as JSON, the archive's tables, the audit extract and
    manifest.json (SHA-256 and size of every file) into OUT."""
    s = services()
    actor = _actor(username)
    started = time.monotonic()
    with _refusals(), _bar(exporting.record_count(s.db), "Exporting records") as progress:
        result = exporting.export_archive(s.db, s.clock, _store(), out, actor=actor, progress=progress)
    seconds = time.monotonic() - started
    click.echo(f"Exported {result.records} record(s), {result.files} file(s) "
               f"({result.bytes / 1e6:.1f} MB), {result.audit_events} audit event(s) to {out} in "
               f"{seconds:.1f} s; manifest SHA-256 {result.manifest_sha256}.")


@archive_cli.command("import")
@click.argument("folder", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_command(folder: Path) -> None:
    """Check DIR's manifest, then restore the export into this empty instance."""
    s = services()
    files = len(_manifest_files(_existing_folder(folder)))
    with _refusals(), _bar(files, "Checking files") as progress:
        result = importing.import_archive(s.db, s.clock, _store(), Path(current_app.instance_path), folder,
                                          progress=progress)
    click.echo(f"Imported {result.records} record(s) and {result.files} file(s); the audit extract is "
               f"kept in {result.extract}.")
    if result.users_created:
        click.echo(f"Created inactive, without password: {', '.join(result.users_created)}.")
    if result.classes_changed:
        click.echo(f"Retention classes replaced by the export's values (audited with the import): "
                   f"{', '.join(result.classes_changed)}.")
    click.echo(f"Run `flask --app wsgi archive verify` to check. {REBUILD_HINT}")


@archive_cli.command("backup")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="A new or empty folder.")
def backup_command(out: Path) -> None:
    """Copy the SQLite database (online backup API) and the renditions it names into OUT."""
    s = services()
    with _refusals():
        if s.db.dialect != "sqlite":
            raise PortabilityError(backup.POSTGRES_PROCEDURE)
        with _bar(fixity.rendition_count(s.db), "Copying files") as progress:
            result = backup.backup_instance(s.db, s.clock, _store(), out, progress=progress)
    click.echo(f"Backed up the database ({result.database_bytes / 1e6:.1f} MB) and {result.files} "
               f"file(s) to {out}. {REBUILD_HINT.replace('part of it', 'backed up')}")


@archive_cli.command("restore")
@click.argument("folder", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(folder: Path) -> None:
    """Check DIR's manifest, then restore the backup into this empty instance."""
    s = services()
    files = len(_manifest_files(_existing_folder(folder)))
    with _refusals(), _bar(files, "Checking files") as progress:
        restored = backup.restore_instance(s.db, s.clock, _store(), folder, progress=progress)
    click.echo(f"Restored the database and {restored} file(s). Run `flask --app wsgi archive verify`. "
               f"{REBUILD_HINT}")


def _manifest_files(folder: Path) -> list[object]:
    try:
        return list(json.loads((folder / MANIFEST).read_text("utf-8"))["files"])
    except (OSError, ValueError, KeyError) as exc:
        raise click.BadParameter(f"{folder / MANIFEST} cannot be read ({exc})", param_hint="DIR") from exc
