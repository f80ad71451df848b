"""The ``archive`` command group: the filing, integrity and portability commands attach to
:data:`archive_cli` from their own modules (``forms/cli.py``, ``archive/integrity_cli.py``)."""

from __future__ import annotations

from flask.cli import AppGroup

archive_cli = AppGroup("archive", help="The archive: filing, retention, disposal, integrity, export.")

