"""The application for WSGI servers and ``flask --app wsgi``.

A setting the app cannot use (an unknown time zone, an unknown search backend or file store)
stops it with one line naming the setting, not a traceback: whoever edited ``config.toml``
reads what to fix."""

import sys

from core.app import create_app
from core.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    sys.exit(f"Dossier cannot start: {exc}")
