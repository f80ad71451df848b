"""The printed catalogues of the archive, in Chinese as the office files them: the 案卷目录 (one
form's filed records of one code year, one volume if chosen, in code order, with the lines where
whoever compiled the volume and whoever checked it sign) and the 归档文件目录 (a year's items in
档号 order, grouped by retention and organisation, the columns of DA/T 22).

The archive's catalogue page asks for it through ``ArchivePorts.catalogue_printer``
(:mod:`archive.ports`, wired in ``core.app``): only the forms package has the renderer and the
forms' names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import current_app

from archive.archival_codes import ArchivalReference, retention_label
from archive.catalogue import CatalogueEntry, CatalogueHeading, PrintUnavailable
from archive.file_catalogue import CatalogueItem, ItemHeading
from archive.retention import list_classes
from core.auth.names import Names, load_names
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

    def items(self, heading: ItemHeading, items: Sequence[CatalogueItem]) -> bytes:
        """The 归档文件目录 (:mod:`archive.file_catalogue`) in the archivists' layout."""
        try:
            renderer = self.renderer()
        except PdfSetupError as exc:
            raise PrintUnavailable(str(exc)) from exc
        html = LAYOUTS.get_template("archive_file_catalogue.html").render(
            **item_context(heading, items, self.company, load_names(self.db)),
            has_logo=renderer.logo is not None)
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


#: The remarks (备注) of an item, as printed.
REMARKS_ZH = {"corrected": "归档后更正", "imported": "历史档案导入", "on_hold": "冻结中"}


def item_context(heading: ItemHeading, items: Sequence[CatalogueItem], company: str,
                 names: Names) -> dict[str, Any]:
    """The 归档文件目录 as plain data: items grouped by their 档号 without the 件号 (the item
    number runs per retention and organisation), dates as DA/T 22 writes them (20260302)."""
    groups: dict[str, dict[str, Any]] = {}
    for item in items:
        reference = ArchivalReference.parse(item.archival_code)
        prefix = item.archival_code.rsplit("-", 1)[0]
        group = groups.setdefault(prefix, {
            "prefix": prefix, "retention": retention_label(reference.retention, "zh"),
            "organisation": reference.organisation, "rows": []})
        group["rows"].append({
            "item": f"{item.item:04d}", "responsible": names.department(item.department) or company,
            "code": item.code, "title": item.title, "date": item.formed.strftime("%Y%m%d"),
            "pages": item.pages or "—", "remarks": "；".join(REMARKS_ZH[r] for r in item.remarks)})
    wanted = heading.wanted
    return {"company": company, "fonds": heading.fonds, "year": wanted.year,
            "retention": retention_label(wanted.retention, "zh") if wanted.retention else "",
            "organisation": wanted.organisation or "", "count": len(items),
            "pages": sum(i.pages or 0 for i in items), "groups": list(groups.values()),
            "printed_at": heading.printed_at.strftime("%Y-%m-%d %H:%M") if heading.printed_at else ""}


def app_catalogue_printer(db: Database) -> CataloguePrint:
    """The printer for this app: the thread's renderer, created on first use."""
    config, instance = current_app.config, Path(current_app.instance_path)
    return CataloguePrint(db, lambda: thread_renderer(config, instance), config["COMPANY_NAME"])
