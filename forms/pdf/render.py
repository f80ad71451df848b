"""HTML string in, PDF bytes out.

Fonts come from our :class:`~forms.pdf.fonts.FontSet` through ``@font-face`` and a
:class:`FontConfiguration`; the font family is set on ``html`` *and* in ``@page`` so page
margin boxes (headers, footers) do not pull in other fonts. Every URL goes through
:class:`~forms.pdf.fetcher.AssetFetcher`. The layouts' stylesheet (``static/pdf/print.css``) and
those font rules are parsed once per renderer and given to every document, which therefore does
not link them: parsing them for each document took about a tenth of a warm render.

WeasyPrint is imported when the first renderer is made, not with this module: it takes about
half a second and tens of megabytes, and most processes that import the forms package (every CLI
command, a web worker until its first PDF) never render.
"""

from __future__ import annotations

import io
import shutil
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.config import PROJECT_ROOT
from forms.pdf.compact_fonts import compacting
from forms.pdf.fonts import FontSet, PdfSetupError

if TYPE_CHECKING:
    from weasyprint import CSS, Attachment
    from weasyprint.text.fonts import FontConfiguration

    from forms.pdf.fetcher import AssetFetcher
    from forms.pdf.images import Image

ASSET_ROOT = PROJECT_ROOT / "static" / "pdf"
FONT_FAMILY = '"Dossier Sans"'
#: The stylesheet every layout in templates/pdf/ is laid out with (``print.css`` under
#: ``asset_root``, through the fetcher's asset scheme; the fetcher module imports WeasyPrint).
LAYOUT_CSS = "dossier-asset:print.css"
BASE_CSS = f"""
@font-face {{ font-family: {FONT_FAMILY}; src: url(dossier-font:regular); }}
@font-face {{ font-family: {FONT_FAMILY}; font-weight: bold; src: url(dossier-font:bold); }}
html {{ font-family: {FONT_FAMILY}; }}
@page {{ font-family: {FONT_FAMILY}; }}
"""


#: The archival profile. PDF/A-3 because only part 3 may embed a non-PDF file (the record's data
#: as JSON); level "u" so that every glyph maps to Unicode and the Chinese text stays searchable
#: and extractable in thirty years.
ARCHIVAL_PROFILE = "PDF/A-3u"
_WEASYPRINT_VARIANT = "pdf/a-3u"


@dataclass(frozen=True)
class Attached:
    """A file embedded in an archival PDF. ``when`` is fixed by the caller: same input, same bytes."""

    name: str
    data: bytes
    description: str
    when: datetime
    relationship: str = "Source"


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    refused: tuple[str, ...]  # URLs the document asked for and did not get
    pages: int = 0


class Renderer:
    """One per process: keeps the font configuration between documents."""

    def __init__(self, fonts: FontSet, asset_root: Path = ASSET_ROOT, logo: Path | None = None) -> None:
        self.fonts = fonts
        self.asset_root = asset_root
        self.logo = logo
        try:
            from weasyprint.text.fonts import FontConfiguration
        except (ImportError, OSError) as exc:  # Pango or its libraries missing: say so, as a 503
            raise PdfSetupError(f"WeasyPrint cannot be loaded ({exc}); install its system "
                                "libraries with ./bootstrap.sh setup") from exc
        self.font_config = FontConfiguration()
        self._stylesheets: list[CSS] | None = None
        self._cleanup: weakref.finalize | None = None

    def close(self) -> None:
        """Delete WeasyPrint's copies of our fonts (≈ 38 MB in the temp folder per renderer).

        WeasyPrint removes them only when the font configuration is garbage-collected, which a
        process leaving through ``os._exit`` (a recycled pool worker) never does; pool workers
        call this from their exit hook, other processes get it at interpreter exit.
        """
        if self._cleanup is not None:
            self._cleanup()

    def render(self, html: str, *, archival: bool = False,
               attachments: Sequence[Attached] = ()) -> Rendered:
        """``archival`` makes a PDF/A-3u with ``attachments`` embedded.

        Metadata (title, author, dates) comes from the document's ``<title>`` and ``<meta>``
        tags; nothing in the output depends on the time of rendering, so the same HTML and
        attachments give the same bytes (WeasyPrint derives the file identifier from the content).
        """
        return self.render_parts([html], archival=archival, attachments=attachments)

    def render_parts(self, parts: Sequence[str], *, archival: bool = False,
                     attachments: Sequence[Attached] | Callable[[int], Sequence[Attached]] = (),
                     images: Mapping[str, Image] | None = None) -> Rendered:
        """Several HTML documents laid out one by one and bound into one PDF (metadata from the
        first): each part numbers its own pages ("第 1 页，共 1 页" on both parts of a two-part
        form), which one document cannot do, as CSS has only the whole document's ``pages``.
        ``images``: by SHA-256, what the documents may show as ``dossier-image:<sha256>``.
        ``attachments`` may be a function of the page count, called after layout (the filing
        stamp's 页数 is in the attached JSON: one layout, not two)."""
        from weasyprint import HTML

        from forms.pdf.fetcher import AssetFetcher

        fetcher = AssetFetcher(self.asset_root, self.fonts, self.logo, images)
        options = {"pdf_variant": _WEASYPRINT_VARIANT} if archival else {}
        early = [] if callable(attachments) else [_attachment(item) for item in attachments]
        arguments = {"stylesheets": self._prepared(fetcher), "attachments": early, **options}
        documents = [HTML(string=html, url_fetcher=fetcher).render(font_config=self.font_config, **arguments)
                     for html in parts]
        document = documents[0] if len(documents) == 1 else documents[0].copy(
            [page for part in documents for page in part.pages])
        if callable(attachments):
            arguments["attachments"] = [_attachment(item) for item in attachments(len(document.pages))]
        with compacting() as finisher:  # CJK font subsets without WeasyPrint's 63,000 empty slots
            pdf = document.write_pdf(finisher=finisher, **arguments)
        self._watch_font_folder()
        return Rendered(pdf, tuple(fetcher.refused), len(document.pages))

    def _prepared(self, fetcher: AssetFetcher) -> list[CSS]:
        """The layouts' stylesheet, then our font rules (so they win), parsed on first use."""
        if self._stylesheets is None:
            from weasyprint import CSS

            self._stylesheets = [
                CSS(url=LAYOUT_CSS, url_fetcher=fetcher, font_config=self.font_config),
                CSS(string=BASE_CSS, url_fetcher=fetcher, font_config=self.font_config)]
        return self._stylesheets

    def _watch_font_folder(self) -> None:
        folder = getattr(self.font_config, "_folder", None)  # created by the first render
        if self._cleanup is None and folder is not None:
            self._cleanup = weakref.finalize(self, _remove_font_copies, self.font_config)


def _remove_font_copies(font_config: FontConfiguration) -> None:
    """Delete the folder and tell WeasyPrint so: its own ``__del__`` would delete it again, and
    at interpreter exit, when its module may be torn down first, fail ("Exception ignored")."""
    folder, font_config._folder = font_config._folder, None
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _attachment(item: Attached) -> Attachment:
    from weasyprint import Attachment

    return Attachment(file_obj=io.BytesIO(item.data), name=item.name, description=item.description,
                      created=item.when, modified=item.when, relationship=item.relationship)
