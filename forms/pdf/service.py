"""Request glue for printing: one renderer per thread, created on first use (a missing CJK font
then fails the print with a clear message instead of stopping the whole app at start-up), and
the PDF response shared by the page and the API."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Response, current_app, request

from core.auth.roles import Actor
from core.web import services
from forms.pdf.fonts import find_fonts
from forms.pdf.logo import find_logo
from forms.pdf.render import Renderer
from forms.printing import print_record

_local = threading.local()


def configured_renderer(config: Mapping[str, Any], instance: Path) -> Renderer:
    """A renderer with the instance's fonts and logo; raises MissingFontError or LogoError."""
    fonts = find_fonts(config.get("PDF_FONT_REGULAR"), config.get("PDF_FONT_BOLD"))
    return Renderer(fonts, logo=find_logo(config.get("PDF_LOGO"), instance))


def thread_renderer(config: Mapping[str, Any], instance: Path) -> Renderer:
    """WeasyPrint's font configuration is not shared between threads, so each has its own,
    kept per configuration (one process may serve several apps, e.g. the tests)."""
    key = (config.get("PDF_FONT_REGULAR"), config.get("PDF_FONT_BOLD"), config.get("PDF_LOGO"), instance)
    renderers: dict[tuple[Any, ...], Renderer] = _local.__dict__.setdefault("renderers", {})
    if key not in renderers:
        renderers[key] = configured_renderer(config, instance)
    return renderers[key]


def printing_url(config: Mapping[str, Any]) -> str:
    """The address a copy printed in this request puts in its QR code: ``public_url`` when the
    instance sets it; otherwise where this request reached the app (its scheme, host and script
    root), so an office serving on another address than the default 127.0.0.1:5000 prints copies
    that scan. Only copies printed from a request: the archival copy keeps ``public_url``, as
    it must not depend on who made the request that caused it."""
    if config.get("PUBLIC_URL_SET", True):
        return str(config["PUBLIC_URL"])
    return request.url_root


def pdf_response(actor: Actor, code: str) -> Response:
    """Print ``code`` for ``actor`` (``?variant=`` from the query) as an inline PDF response.

    Raises what :func:`forms.printing.print_record` raises; each caller answers in its own
    format (an error page, or JSON).
    """
    printout = print_record(services().db, services().clock, services().zone,
                            thread_renderer(current_app.config, Path(current_app.instance_path)),
                            actor, code, current_app.config["COMPANY_NAME"], request.args.get("variant"),
                            public_url=printing_url(current_app.config))
    return Response(printout.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{printout.code}.pdf"'})
