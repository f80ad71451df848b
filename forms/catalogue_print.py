"""The printed catalogue (案卷目录) of the archive: one form's filed records of one code year
(one volume if chosen), in code order, with the lines where whoever compiled the volume and
whoever checked it sign. Printed in Chinese, as the office files it.

The archive's catalogue page asks for it through ``ArchivePorts.catalogue_printer``
(:mod:`archive.ports`, wired in ``core.app``): only the forms package has the renderer and the
forms' names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import current_app

from archive.catalogue import CatalogueEntry, CatalogueHeading, PrintUnavailable
from archive.retention import list_classes
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
        class_names = {c.code: c.name_zh for c in list_classes(self.db)}
        html = LAYOUTS.get_template("archive_catalogue.html").render(
            **catalogue_context(heading, entries, spec.title["zh"] if spec else heading.form_code,
                                self.company, class_names), has_logo=renderer.logo is not None)
        return renderer.render(html).pdf


def catalogue_context(heading: CatalogueHeading, entries: Sequence[CatalogueEntry], form_title: str,
                      company: str, class_names: Mapping[str, str]) -> dict[str, Any]:
    """Everything the layout shows, as plain data. Retention is printed by the class's Chinese
    name (a class no longer defined, by its code)."""
    return {
        "company": company, "form_title": form_title, "form_code": heading.form_code, "year": heading.year,
        "volume": heading.volume or "", "printed_at": heading.printed_at.strftime("%Y-%m-%d %H:%M"),
        "pages": sum(e.pages or 0 for e in entries),
        "entries": [{"number": e.number, "code": e.code, "title": e.title, "pages": e.pages or "—",
                     "formed": e.formed.isoformat(), "volume": e.volume,
                     "retention": _retention(e, class_names)} for e in entries],
    }


def _retention(entry: CatalogueEntry, class_names: Mapping[str, str]) -> str:
    name = class_names.get(entry.retention_class, entry.retention_class)
    return f"{name} · 至 {entry.retention_until.isoformat()}" if entry.retention_until else f"{name} · 永久"


def app_catalogue_printer(db: Database) -> CataloguePrint:
    """The printer for this app: the thread's renderer, created on first use."""
    config, instance = current_app.config, Path(current_app.instance_path)
    return CataloguePrint(db, lambda: thread_renderer(config, instance), config["COMPANY_NAME"])
