"""``forms check|list|approve``, ``workflow tick``, ``pdf export`` and ``demo``."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from archive import records
from archive.cli import archive_cli
from archive.filing_stamp import queue_missing_stamps
from core.auth import accounts
from core.auth.roles import NotFound, PermissionDenied
from core.config import InstancePaths
from core.web import services
from forms import deadlines, demo, privacy_notices, versions
from forms.filing_rules import file_all_ready, give_missing_references
from forms.pdf import export
from forms.spec.library import SPEC_DIR, load_directory

forms_cli = AppGroup("forms", help="Form specs and versions.")
workflow_cli = AppGroup("workflow", help="Workflow deadlines.")


@workflow_cli.command("tick")
def workflow_tick() -> None:
    """Mark records whose response deadline has passed as overdue (safe from cron every minute)."""
    report = deadlines.tick(services().db, services().clock)
    if report.scheduled:
        click.echo(f"Deadline set for {len(report.scheduled)} record(s): {', '.join(report.scheduled)}.")
    if report.marked:
        click.echo(f"Marked {len(report.marked)} record(s) overdue: {', '.join(report.marked)}.")
    click.echo(f"{report.overdue} record(s) overdue in all.")


@forms_cli.command("check")
def forms_check() -> None:
    """Validate every spec file; list all problems at once, exit 1 if there are any."""
    specs, problems = load_directory(current_app.config.get("SPEC_DIR", SPEC_DIR))
    notices, notice_problems = privacy_notices.checked_files()
    problems += notice_problems
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    listed = ", ".join(f"{s.code} v{s.version}" for s in sorted(specs.values(), key=lambda s: s.code))
    click.echo(f"OK: {len(specs)} specs ({listed}).")
    click.echo(f"OK: {len(notices)} privacy notice(s) ({', '.join(n.label for n in notices.values())}).")


@forms_cli.command("list")
def forms_list() -> None:
    """Every registered version and whether it is approved."""
    for info in versions.list_versions(services().db):
        click.echo(f"{info.form_code} v{info.version}\t{info.status}\t"
                   f"registered {info.registered_at:%Y-%m-%d %H:%M} UTC")


@forms_cli.command("approve")
@click.argument("form_code")
@click.argument("version", type=int)
@click.option("--by", "username", required=True, help="The approving administrator.")
def forms_approve(form_code: str, version: int, username: str) -> None:
    """Approve FORM_CODE VERSION so it can be filled."""
    actor = accounts.actor_named(services().db, username)
    if actor is None:
        raise click.ClickException(f"user {username!r} does not exist")
    try:
        versions.approve(services().db, services().clock, actor, form_code.upper(), version)
    except (NotFound, PermissionDenied) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{form_code.upper()} v{version} approved.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Demo users (one per role, passwords printed) and a few sample records of each form."""
    for username, role, password in demo.ensure_demo_users(services().db, services().clock):
        click.echo(f"  {role:<10} {username:<12} password: {password}")
    approved = demo.approve_pending(services().db, services().clock)
    if approved:
        click.echo(f"Form versions approved by the demo admin: {', '.join(approved)}.")
    created = demo.create_sample_records(services().db, services().clock, services().zone)
    click.echo(f"Sample records: {created} created." if created
               else "Sample records: already present.")
    config_file = InstancePaths(Path(current_app.instance_path)).config_file
    if demo.name_the_anonymiser(config_file):
        click.echo(f"Daily anonymisation runs as the demo archivist (personal_anonymise_by, {config_file}).")


pdf_cli = AppGroup("pdf", help="Printed PDFs in bulk.")


@pdf_cli.command("export")
@click.option("--form", "form_code", required=True, help="Form code, e.g. CP.")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="Code year, e.g. 2026.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the PDFs and manifest.csv (created if missing).")
@click.option("--by", "username", required=True, help="Export as this user (their scope; audited).")
@click.option("--variant", default=None, help="A print variant of the form, e.g. receipt.")
@click.option("--processes", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default=True,
              help="Worker processes (default: every core).")
def pdf_export(form_code: str, year: int, out: Path, username: str, variant: str | None,
               processes: int) -> None:
    """Print every record of FORM and YEAR that --by may see into OUT, with a progress bar."""
    s = services()
    actor = accounts.actor_named(s.db, username)
    if actor is None:
        raise click.BadParameter(f"no active user {username!r}", param_hint="--by")
    try:
        spec = versions.current_spec(s.db, form_code.upper())
    except NotFound as exc:
        raise click.BadParameter(f"unknown form {form_code!r} ({exc})", param_hint="--form") from exc
    declared = spec.print_layout.get("variants", [])
    if variant is not None and variant not in declared:
        raise click.BadParameter(f"{spec.code} has no print variant {variant!r} "
                                 f"(variants: {', '.join(declared) or 'none'})", param_hint="--variant")
    codes = records.codes_of(s.db, actor, spec.code, year)
    job = export.ExportJob(actor, out, variant)
    started = time.monotonic()
    with click.progressbar(length=len(codes), label=f"Printing {spec.code} {year}", show_pos=True,
                           show_eta=True, file=sys.stderr) as bar:
        results = export.run_export(current_app, job, codes, processes, lambda _result: bar.update(1))
    seconds = time.monotonic() - started
    failed = [r for r in results if r.error]
    click.echo(f"Exported {len(results) - len(failed)} of {len(codes)} record(s) to {out} in "
               f"{seconds:.1f} s ({len(results) / seconds if seconds and results else 0:.1f}/s, "
               f"{processes} process(es)); manifest.csv lists them.")
    for result in failed:
        click.echo(f"  failed: {result.code}: {result.error}", err=True)
    sys.exit(1 if failed else 0)


def give_archival_codes() -> None:
    """The filed records without a 档号 (filed before they were minted) get theirs, in filing
    order, once: an init step and part of ``archive file``."""
    s = services()
    given = give_missing_references(s.db, s.clock)
    if given:
        click.echo(f"档号 given to {len(given)} record(s) filed before 档号 were minted: "
                   f"{given[0][0]} {given[0][1]} … {given[-1][0]} {given[-1][1]}.")


@archive_cli.command("file")
def archive_file() -> None:
    """File every record that is ready (final state, countersigned, archival copy stored); for
    records that became ready before their form had filing rules."""
    s = services()
    filed, waiting = file_all_ready(s.db, s.clock, s.zone)
    click.echo(f"Filed {len(filed)} record(s){': ' + ', '.join(filed) if filed else ''}.")
    give_archival_codes()
    stamps = queue_missing_stamps(s.db, s.clock)
    if stamps:
        named = [f"{code} r{revision}" for code, revision in stamps]
        click.echo(f"归档章 queued for {len(stamps)} filed archival copy(ies) without one "
                   "(run `outbox run`): "
                   + ", ".join(named[:10]) + (" …" if len(named) > 10 else "") + ".")
    if waiting:
        click.echo(f"{len(waiting)} ready record(s) wait for their archival copy (run `outbox run`): "
                   f"{', '.join(waiting)}.")
