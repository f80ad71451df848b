"""The printed catalogue (案卷目录) of the archive: one form's filed records of one code year
(one volume if chosen), in code order, with the lines where whoever compiled the volume and
whoever checked it sign. Printed in Chinese, as the office files it.

The archive's catalogue page asks for it through :data:`archive.office_views.CATALOGUE_PRINTER`:
only the forms package has the renderer and the forms' names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from flask import current_app

from archive.catalogue import CatalogueEntry, CatalogueHeading, PrintUnavailable
from core.db import Database
from forms import versions
from forms.pdf.fonts import PdfSetupError
from forms.pdf.render import Renderer
from forms.pdf.service import thread_renderer
from forms.printing import LAYOUTS


class CataloguePrint:
    """:class:`archive.catalogue.CataloguePrinter` with the app's renderer and company name."""

    def __init__(self, db: Database, renderer: Callable[[], Renderer], company: str) -> None:
        self.db, self.renderer, self.company = db, renderer, company

    def __call__(self, heading: CatalogueHeading, entries: Sequence[CatalogueEntry]) -> bytes:
        try:
            renderer = self.renderer()
        except PdfSetupError as exc:
            raise PrintUnavailable(str(exc)) from exc
        spec = versions.current_specs(self.db).get(heading.form_code)
        html = LAYOUTS.get_template("archive_catalogue.html").render(
            **catalogue_context(heading, entries, spec.title["zh"] if spec else heading.form_code,
                                self.company), has_logo=renderer.logo is not None)
        return renderer.render(html).pdf


def catalogue_context(heading: CatalogueHeading, entries: Sequence[CatalogueEntry], form_title: str,
                      company: str) -> dict[str, Any]:
    """Everything the layout shows, as plain data."""
    return {
        "company": company, "form_title": form_title, "form_code": heading.form_code, "year": heading.year,
        "volume": heading.volume or "", "printed_at": heading.printed_at.strftime("%Y-%m-%d %H:%M"),
        "pages": sum(e.pages or 0 for e in entries),
        "entries": [{"number": e.number, "code": e.code, "title": e.title, "pages": e.pages or "—",
                     "formed": e.formed.isoformat(), "volume": e.volume,
                     "retention": f"{e.retention_class} · 至 {e.retention_until.isoformat()}"
                     if e.retention_until else f"{e.retention_class} · 永久"} for e in entries],
    }


def app_catalogue_printer(db: Database) -> CataloguePrint:
    """The printer for this app: the thread's renderer, created on first use."""
    config, instance = current_app.config, Path(current_app.instance_path)
    return CataloguePrint(db, lambda: thread_renderer(config, instance), config["COMPANY_NAME"])
