"""Core commands: ``init``, ``users create|unlock``, ``tokens create`` (``audit``: core/audit/cli.py).

Packages add their own commands and *init steps* (e.g. registering form specs) through the app
factory; ``init`` runs the migrations and then each step, and is safe to run again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from core import db_schema
from core.auth import accounts, throttle
from core.auth.roles import Role
from core.outbox.cli import outbox_cli
from core.ports import registry
from core.web import services

InitStep = Callable[[], None]


class InitSteps:
    """What ``init`` runs after the migrations, in the order the packages added them."""

    def __init__(self) -> None:
        self.steps: list[InitStep] = []


def add_init_step(app: Flask, step: InitStep) -> None:
    registry(InitSteps, app).steps.append(step)


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the instance: schema, default departments, form specs. Idempotent."""
    click.echo(f"Instance: {current_app.instance_path}")
    db_schema.upgrade(services().db)
    click.echo("Schema is up to date.")
    for step in registry(InitSteps).steps:
        step()


users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--department", "department", default=None,
              help="Department code, e.g. CS (required for clerk and supervisor).")
@click.option("--name", "display_name", default=None, help="Display name (defaults to USERNAME).")
def users_create(username: str, role: str, department: str | None, display_name: str | None) -> None:
    """Create a user; the password is read from a prompt, or from stdin when piped."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        accounts.create_user(services().db, services().clock, username=username,
                             password=password, role=role, department_code=department,
                             display_name=display_name)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {role} {username!r}.")


@users_cli.command("unlock")
@click.argument("username", required=False, default="")
@click.option("--address", default="", help="Client address whose delays to lift (all accounts).")
def users_unlock(username: str, address: str) -> None:
    """Lift the sign-in delays of USERNAME (from every address), of --address, or of the pair."""
    try:
        removed = throttle.unlock(services().db, services().clock, None, username=username, address=address)
    except throttle.UnlockError as exc:
        raise click.UsageError(f"{exc}: give USERNAME, --address, or both") from exc
    click.echo(f"Unlocked {' from '.join(filter(None, (username, address)))}: {removed} count(s) cleared.")


tokens_cli = AppGroup("tokens", help="Manage API tokens.")


@tokens_cli.command("create")
@click.argument("username")
@click.option("--label", default="cli", help="What the token is for.")
def tokens_create(username: str, label: str) -> None:
    """Print a new API token for USERNAME (shown once; only its hash is stored)."""
    try:
        token = accounts.create_token(services().db, services().clock, username, label)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(token)


def register_core_commands(app: Flask) -> None:
    for command in (init_command, users_cli, tokens_cli, outbox_cli):  # audit: core/audit/wiring.py
        app.cli.add_command(command)
