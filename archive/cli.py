"""The ``archive`` command group: filing, disposal, integrity and portability commands attach
to :data:`archive_cli` from their own modules (``archive/integrity_cli.py`` and this one)."""

from __future__ import annotations

from flask.cli import AppGroup

archive_cli = AppGroup("archive", help="The archive: filing, retention, disposal, integrity, export.")
