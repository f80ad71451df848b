"""``forms check|list|approve`` and ``demo``."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from core.auth.models import User
from core.auth.roles import NotFound, PermissionDenied
from core.web import services
from forms import demo, versions
from forms.spec.library import SPEC_DIR, load_directory

forms_cli = AppGroup("forms", help="Form specs and versions.")


@forms_cli.command("check")
def forms_check() -> None:
    """Validate every spec file; list all problems at once, exit 1 if there are any."""
    specs, problems = load_directory(current_app.extensions.get("dossier.spec_dir", SPEC_DIR))
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    listed = ", ".join(f"{s.code} v{s.version}" for s in sorted(specs.values(), key=lambda s: s.code))
    click.echo(f"OK: {len(specs)} specs ({listed}).")


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
    with services().db.reading() as session:
        user = session.scalar(select(User).filter_by(username=username))
        actor = user.actor() if user else None
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
