"""One renderer per thread, created on first use: a missing CJK font then fails the print with
a clear message instead of stopping the whole app at start-up."""

from __future__ import annotations

import threading
from typing import Any

from forms.pdf.fonts import find_fonts
from forms.pdf.render import Renderer

_local = threading.local()


def thread_renderer(config: dict[str, Any]) -> Renderer:
    """WeasyPrint's font configuration is not shared between threads, so each has its own."""
    renderer = getattr(_local, "renderer", None)
    if renderer is None:
        renderer = Renderer(find_fonts(config.get("PDF_FONT_REGULAR"), config.get("PDF_FONT_BOLD")))
        _local.renderer = renderer
    return renderer
