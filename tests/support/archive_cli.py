"""Run `flask archive …` in a test, asking the commands that speak for English output.

The portability commands (export, import, backup, restore, verify) speak the instance's
language, Chinese by default; tests that read their messages ask for English, so the
wording they check is the one the assertions are written in.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

SPEAKING_COMMANDS = frozenset({"export", "import", "backup", "restore", "verify"})


def archive_cli(app: Flask, *args: str) -> Any:
    """Invoke `archive ARGS…` with `--lang en` added to the commands that take it."""
    command, *rest = args
    language = ["--lang", "en"] if command in SPEAKING_COMMANDS and "--lang" not in rest else []
    return app.test_cli_runner().invoke(args=["archive", command, *language, *rest])
