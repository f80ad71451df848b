"""The language of the command-line tools' messages: the instance's (``DEFAULT_LOCALE``) unless
``--lang`` chooses. An archivist at a Chinese office reads progress labels, refusals and reports
in Chinese, as the pages speak; the same ``--lang`` on every command that talks to people."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app
from flask_babel import force_locale

from core.i18n import SUPPORTED_LOCALES

#: ``@LANG`` on a command adds ``--lang zh|en`` (passed as ``lang``).
LANG = click.option("--lang", type=click.Choice(SUPPORTED_LOCALES), default=None,
                    help="The messages' language (default: the instance's).")


def cli_locale_of(lang: str | None) -> str:
    """``--lang`` as given, else the instance's language."""
    return lang or current_app.config.get("DEFAULT_LOCALE", "zh")


@contextmanager
def speaking(lang: str | None) -> Iterator[str]:
    """Everything translated inside speaks ``--lang`` (or the instance's language)."""
    locale = cli_locale_of(lang)
    with force_locale(locale):
        yield locale
