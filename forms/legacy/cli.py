"""``flask --app wsgi records import FILE``: legacy registers into the archive (issue 19).

A dry run is the default and ``--commit`` writes. The safer default because an import cannot
be taken back (records are never deleted but through disposal, and codes are never reused): a
command typed without thinking only reads the file and reports. The report goes to stdout (one
line per problem, sheet, row and column, then a summary), progress to stderr; the exit code
is 1 when the file has problems or cannot be read, so a script can run the dry run first.
A file that cannot be read is one line (``Error: …``), never a traceback.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup

from archive.files import StoreUnavailable
from archive.stores import file_store
from core.auth import accounts
from core.auth.roles import Actor, PermissionDenied
from core.cli_language import LANG, cli_locale_of, speaking
from core.web import services
from forms.legacy.report import report_lines
from forms.legacy.service import ImportFailed, ImportReport, Options, import_file
from forms.legacy.sheets import BadFile

records_cli = AppGroup("records", help="Records in bulk: importing legacy registers.")


def init_app(app: Flask) -> None:
    app.cli.add_command(records_cli)


@records_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "username", required=True, help="The archivist (or admin) importing; audited.")
@click.option("--scans", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="The folder of scans the scan column names.")
@click.option("--commit", is_flag=True, help="Write the records (without it: a dry run, nothing changes).")
@click.option("--dry-run", "dry_run", is_flag=True, help="Check only (the default), even with --commit.")
@LANG
@click.option("--encoding", default=None, help="A CSV file's encoding (default: UTF-8, else GB18030).")
def import_command(file: Path, username: str, scans: Path | None, commit: bool, dry_run: bool,
                   lang: str | None, encoding: str | None) -> None:
    """Import FILE (CSV or XLSX; a sheet per form, or a form column). See docs/import.md."""
    s = services()
    actor = accounts.actor_named(s.db, username)
    if actor is None:
        raise click.BadParameter(f"no active user {username!r}", param_hint="--by")
    options = Options(scans=scans, commit=commit and not dry_run, encoding=encoding,
                      locale=cli_locale_of(lang))
    with speaking(lang):
        report = _run(file, options, actor)
        for line in report_lines(report, committed=options.commit):
            click.echo(line)
    sys.exit(1 if report.problems else 0)


def _run(file: Path, options: Options, actor: Actor) -> ImportReport:
    """The import with its progress on stderr: rows counted while checked, a bar while written."""
    s, counter = services(), _Counter()
    with ExitStack() as stack:
        bars: list[Any] = []

        def start_writing(total: int) -> None:
            counter.finish()
            bars.append(stack.enter_context(click.progressbar(
                length=total, label="Importing", show_pos=True, show_eta=True, file=sys.stderr)))

        try:
            return import_file(s.db, s.clock, s.zone, actor, file_store(), file, options,
                               checked=counter.step, writing=start_writing,
                               written=lambda n: bars[0].update(n))
        except (BadFile, ImportFailed, PermissionDenied, StoreUnavailable) as exc:
            raise click.ClickException(str(exc)) from exc
        finally:
            counter.finish()


class _Counter:
    """Rows checked, on stderr every 1,000 (their number is not known before they are read)."""

    def __init__(self) -> None:
        self.count = 0
        self.shown = False

    def step(self, n: int) -> None:
        self.count += n
        if self.count % 1000 == 0:
            click.echo(f"\rChecking: {self.count} rows", nl=False, err=True)
            self.shown = True

    def finish(self) -> None:
        if self.shown:
            click.echo(f"\rChecked: {self.count} rows", err=True)
            self.shown = False
