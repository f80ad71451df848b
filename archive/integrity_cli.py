"""``archive verify | export | import | backup | restore``: thin adapters over archive/fixity.py,
exporting.py, importing.py and backup.py. Progress bars go to stderr, reports to stdout; a
refusal is one clear line and a non-zero exit, never a traceback; all in the instance's language
(``--lang`` to choose), except ``archive verify``'s findings, which are English for now."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask_babel import gettext as _

from archive import backup, exporting, fixity, importing
from archive.cli import archive_cli
from archive.files import FileStore, StoreUnavailable, WriteOnceViolation
from archive.portability import MANIFEST, PortabilityError
from archive.stores import file_store
from core.auth import accounts
from core.auth.roles import Actor, PermissionDenied
from core.cli_language import LANG, speaking
from core.web import services


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
        raise click.BadParameter(_("no active user %(user)r", user=username), param_hint="--by")
    return actor


def _existing_folder(folder: Path) -> Path:
    if not (folder / MANIFEST).is_file():
        raise click.BadParameter(_("%(folder)s has no %(manifest)s: not an export or backup folder",
                                   folder=folder, manifest=MANIFEST), param_hint="DIR")
    return folder


@archive_cli.command("verify")
@LANG
def verify_command(lang: str | None) -> None:
    """Check every stored file's checksum, the audit chain, missing/extra files and code gaps."""
    s = services()
    started = time.monotonic()
    with speaking(lang):
        with _refusals(), _bar(fixity.rendition_count(s.db), _("Checksums")) as progress:
            report = fixity.verify_archive(s.db, s.clock, _store(),
                                           instance_path=Path(current_app.instance_path), progress=progress)
        for problem in report.problems:
            click.echo(str(problem))
        click.echo(_("%(summary)s (%(seconds).1f s)", summary=summary_text(report),
                     seconds=time.monotonic() - started))
    sys.exit(0 if report.clean else 1)


def summary_text(report: fixity.FixityReport) -> str:
    """``archive verify``'s last line, in the current language."""
    checked = _("%(files)d files (%(mb).1f MB), %(events)d audit events, %(codes)d codes",
                files=report.files_checked, mb=report.bytes_checked / 1e6, events=report.events_checked,
                codes=report.codes_checked)
    if report.clean:
        return _("clean: %(checked)s checked, no problems.", checked=checked)
    found = ", ".join(f"{n} {kind}" for kind, n in sorted(report.counts().items()))
    return _("NOT clean: %(count)d problem(s) (%(found)s); %(checked)s checked.",
             count=len(report.problems), found=found, checked=checked)


@archive_cli.command("export")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="A new or empty folder.")
@click.option("--by", "username", default=None, help="Export as this admin or archivist (audited).")
@LANG
def export_command(out: Path, username: str | None, lang: str | None) -> None:
    """Write every archival file, the records as JSON, the archive's tables, the audit extract and
    manifest.json (SHA-256 and size of every file) into OUT."""
    s = services()
    started = time.monotonic()
    with speaking(lang):
        actor = _actor(username)
        with _refusals(), _bar(exporting.record_count(s.db), _("Exporting records")) as progress:
            result = exporting.export_archive(s.db, s.clock, _store(), out, actor=actor, progress=progress)
        click.echo(_("Exported %(records)d record(s), %(files)d file(s) (%(mb).1f MB), %(events)d audit "
                     "event(s) to %(out)s in %(seconds).1f s; manifest SHA-256 %(sha)s.",
                     records=result.records, files=result.files, mb=result.bytes / 1e6,
                     events=result.audit_events, out=out, seconds=time.monotonic() - started,
                     sha=result.manifest_sha256))


@archive_cli.command("import")
@click.argument("folder", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@LANG
def import_command(folder: Path, lang: str | None) -> None:
    """Check DIR's manifest, then restore the export into this empty instance."""
    s = services()
    with speaking(lang):
        files = len(_manifest_files(_existing_folder(folder)))
        with _refusals(), _bar(files, _("Checking files")) as progress:
            result = importing.import_archive(s.db, s.clock, _store(), Path(current_app.instance_path),
                                              folder, progress=progress)
        click.echo(_("Imported %(records)d record(s) and %(files)d file(s); the audit extract is kept in "
                     "%(extract)s.", records=result.records, files=result.files, extract=result.extract))
        if result.users_created:
            click.echo(_("Created inactive, without password: %(users)s.",
                         users=", ".join(result.users_created)))
        if result.classes_changed:
            click.echo(_("Retention classes replaced by the export's values (audited with the import): "
                         "%(classes)s.", classes=", ".join(result.classes_changed)))
        click.echo(_("Run `flask --app wsgi archive verify` to check. %(hint)s", hint=_rebuild_hint()))


def _rebuild_hint() -> str:
    return _("The search index is not part of it: run `flask --app wsgi search rebuild`.")


@archive_cli.command("backup")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="A new or empty folder.")
@LANG
def backup_command(out: Path, lang: str | None) -> None:
    """Copy the SQLite database (online backup API) and the renditions it names into OUT."""
    s = services()
    with speaking(lang):
        with _refusals():
            if s.db.dialect != "sqlite":
                raise PortabilityError(backup.POSTGRES_PROCEDURE)
            with _bar(fixity.rendition_count(s.db), _("Copying files")) as progress:
                result = backup.backup_instance(s.db, s.clock, _store(), out, progress=progress)
        click.echo(_("Backed up the database (%(mb).1f MB) and %(files)d file(s) to %(out)s. The search "
                     "index is not backed up: run `flask --app wsgi search rebuild`.",
                     mb=result.database_bytes / 1e6, files=result.files, out=out))


@archive_cli.command("restore")
@click.argument("folder", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@LANG
def restore_command(folder: Path, lang: str | None) -> None:
    """Check DIR's manifest, then restore the backup into this empty instance."""
    s = services()
    with speaking(lang):
        files = len(_manifest_files(_existing_folder(folder)))
        with _refusals(), _bar(files, _("Checking files")) as progress:
            restored = backup.restore_instance(s.db, s.clock, _store(), folder, progress=progress)
        click.echo(_("Restored the database and %(files)d file(s). Run `flask --app wsgi archive verify`. "
                     "%(hint)s", files=restored, hint=_rebuild_hint()))


def _manifest_files(folder: Path) -> list[object]:
    """The manifest's file list, for the progress bar's length; a list that is not one is left
    for check_manifest to name (this only counts)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(_("%(file)s: cannot be read (%(problem)s)", file=folder / MANIFEST,
                                   problem=exc), param_hint="DIR") from exc
    files = manifest.get("files") if isinstance(manifest, dict) else None
    return list(files) if isinstance(files, list) else []
