"""``archive transfer --year`` and ``archive verify-transfer``: thin adapters over
archive/transfer.py and archive/transfer_package.py. Progress bars go to stderr, the report to
stdout; a refusal is one clear line and exit 1, never a traceback, in the instance's language
(``--lang`` to choose), as ``records import`` and ``audit verify`` speak."""

from __future__ import annotations

import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask_babel import gettext as _

from archive import transfer
from archive.cli import archive_cli
from archive.disclosure import shown_titles
from archive.file_catalogue import CatalogueItem
from archive.files import StoreUnavailable
from archive.ports import archive_ports
from archive.stores import file_store
from archive.transfer_package import PackageProblem, verify_package
from core.auth import accounts
from core.auth.names import load_names
from core.auth.roles import Actor, PermissionDenied
from core.cli_language import LANG, speaking
from core.web import services

#: Years a transfer may name (as the catalogue's filters).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _year(typed: str) -> int:
    """``--year`` as typed, checked here rather than by click: click's own refusal is English
    whatever the instance speaks, and comes with three lines of usage."""
    year = int(typed) if re.fullmatch(r"\s*\d{4}\s*", typed, re.ASCII) else 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise click.ClickException(f"--year {typed!r}: " + _("The year must be a number from 2000 to 2100."))
    return year


def _actor(username: str | None) -> Actor | None:
    if username is None:
        return None
    actor = accounts.actor_named(services().db, username)
    if actor is None:
        raise click.ClickException("--by: " + _("no active user %(name)s", name=repr(username)))
    return actor


def _default_out(year: int, now: datetime) -> Path:
    """``<instance>/transfers/<fonds>-<year>-<UTC time>``: a new folder every run."""
    name = f"{current_app.config['ARCHIVAL_FONDS']}-{year}-{now.strftime('%Y%m%dT%H%M%S%fZ')}"
    return Path(current_app.instance_path) / "transfers" / name


def _tools() -> transfer.TransferTools:
    s = services()

    def masked(reader: Actor, items: list[CatalogueItem]) -> list[CatalogueItem]:
        return shown_titles(s.db, reader, items)

    return transfer.TransferTools(current_app.config["ARCHIVAL_FONDS"], archive_ports().catalogue_printer(),
                                  load_names(s.db), masked)


@archive_cli.command("transfer")
@click.option("--year", "typed", required=True, help="The year (the 档号's 年度) to transfer, e.g. 2026.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="A new or empty folder (default: a new one under the instance's transfers/).")
@click.option("--by", "username", default=None, help="The archivist or admin transferring it (audited).")
@LANG
def transfer_command(typed: str, out: Path | None, username: str | None, lang: str | None) -> None:
    """Write the year's transfer package for the archives service centre (every filed item as
    PDF/A with its data, the 归档文件目录 as PDF/CSV/JSON, a manifest of SHA-256s), read it back
    to verify it, and record the transfer."""
    with speaking(lang):
        _transfer(_year(typed), out, username)


def _transfer(year: int, out: Path | None, username: str | None) -> None:
    s = services()
    actor = _actor(username)
    target = out or _default_out(year, s.clock.now())
    writing, verifying = _Bar(_("Writing records")), _Bar(_("Verifying files"))
    try:
        done = transfer.transfer_year(s.db, s.clock, s.zone, file_store(), actor, year, target, _tools(),
                                      progress=writing, verifying=verifying)
    except (transfer.TransferRefused, PackageProblem, PermissionDenied, StoreUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        writing.close()
        verifying.close()
    click.echo(_("Transfer %(id)d of %(year)d: %(records)d record(s), %(files)d file(s), %(bytes)d bytes in "
                 "%(out)s", id=done.transfer_id, year=done.year, records=done.records, files=done.files,
                 bytes=done.bytes, out=done.out))
    click.echo(_("Verified. Manifest SHA-256 %(digest)s", digest=done.manifest_sha256))


@archive_cli.command("verify-transfer")
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@LANG
def verify_transfer_command(folder: Path, lang: str | None) -> None:
    """Re-read a transfer package: every file against its manifest, every PDF opened."""
    with speaking(lang):
        try:
            verified = verify_package(folder)
        except PackageProblem as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(_("%(folder)s: %(files)d file(s) match the manifest; %(pdfs)d PDF(s) open.",
                     folder=folder, files=verified.files, pdfs=verified.pdfs))


class _Bar:
    """A progress bar on stderr, opened at the first step, when the service knows the total."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def __call__(self, step: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, show_pos=True, show_eta=True,
                                         file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(step)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
