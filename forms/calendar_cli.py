"""``flask --app wsgi calendar import FILE``: load a year's official schedule (docs/calendar.md).

A dry run by default: it reads the file, names every problem by line and field in the chosen
language, and says what would change; ``--apply --by ADMIN`` writes it (audited) and
recomputes the deadlines of open records counting working time.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from core.auth.accounts import actor_named
from core.cli_language import LANG, speaking
from core.web import services
from forms import office_calendar
from forms.calendar_file import parse_schedule

calendar_cli = AppGroup("calendar", help="The office calendar (working hours, holidays).")


@calendar_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--apply", "apply_", is_flag=True, help="Write the rows (default: a dry run).")
@click.option("--by", "username", default="", help="The administrator importing (with --apply).")
@LANG
def import_command(file: Path, apply_: bool, username: str, lang: str | None) -> None:
    """Check (and with --apply load) a schedule file."""
    with speaking(lang):
        try:
            text = file.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError) as error:
            raise click.ClickException(_("The file cannot be read as UTF-8 text: %(error)s",
                                         error=type(error).__name__)) from None
        days, problems = parse_schedule(text)
        for problem in problems:
            click.echo(str(problem), err=True)
        if problems:
            raise click.ClickException(_("%(count)s problem(s); nothing was imported.",
                                         count=len(problems)))
        if not apply_:
            click.echo(_("Dry run: %(count)s day(s) would be set. Add --apply --by ADMIN to write them.",
                         count=len(days)))
            return
        actor = actor_named(services().db, username) if username else None
        if actor is None or not actor.is_admin:
            raise click.ClickException(_("--by must name an active administrator."))
        changed = office_calendar.apply(services().db, services().clock, actor, days, via="import")
        click.echo(_("%(count)s day(s) set; %(records)s open record(s) got a new deadline.",
                     count=len(days), records=len(changed)))
