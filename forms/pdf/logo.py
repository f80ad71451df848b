"""The company logo printed in every PDF's header, chosen by the instance's configuration.

``pdf_logo`` in ``instance/config.toml``: a PNG, JPEG or SVG file (a path relative to the instance
folder, or absolute), or ``""`` for no logo. Unset, the neutral mark in ``static/pdf/logo.svg``
is used. A wrong setting is a clear error when printing, naming the setting and the problem.
"""

from __future__ import annotations

from pathlib import Path

from core.config import PROJECT_ROOT
from forms.pdf.fonts import PdfSetupError

DEFAULT_LOGO = PROJECT_ROOT / "static" / "pdf" / "logo.svg"
LOGO_TYPES = (".png", ".jpg", ".jpeg", ".svg")
LOGO_MAX_BYTES = 1024 * 1024


class LogoError(PdfSetupError):
    """The configured logo cannot be used; the message says why and what to set."""


def find_logo(configured: str | None, instance: Path) -> Path | None:
    if configured is None:
        return DEFAULT_LOGO
    if not configured.strip():
        return None
    path = Path(configured)
    path = path if path.is_absolute() else instance / path
    problem = None
    if path.suffix.lower() not in LOGO_TYPES:
        problem = f"must be a {', '.join(LOGO_TYPES)} file"
    elif not path.is_file():
        problem = "no such file"
    elif path.stat().st_size > LOGO_MAX_BYTES:
        problem = f"larger than {LOGO_MAX_BYTES // 1024} KB"
    if problem:
        raise LogoError(f"pdf_logo = {configured!r} ({path}): {problem}; fix instance/config.toml "
                        f"or set pdf_logo = \"\" for no logo")
    return path
