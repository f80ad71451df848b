"""HTML string in, PDF bytes out.

Fonts come from our :class:`~forms.pdf.fonts.FontSet` through ``@font-face`` and a
:class:`FontConfiguration`; the font family is set on ``html`` *and* in ``@page`` so page
margin boxes (headers, footers) do not pull in other fonts. Every URL goes through
:class:`~forms.pdf.fetcher.AssetFetcher`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from core.config import PROJECT_ROOT
from forms.pdf.fetcher import AssetFetcher
from forms.pdf.fonts import FontSet

ASSET_ROOT = PROJECT_ROOT / "static" / "pdf"
FONT_FAMILY = '"Dossier Sans"'
BASE_CSS = f"""
@font-face {{ font-family: {FONT_FAMILY}; src: url(dossier-font:regular); }}
@font-face {{ font-family: {FONT_FAMILY}; font-weight: bold; src: url(dossier-font:bold); }}
html {{ font-family: {FONT_FAMILY}; }}
@page {{ font-family: {FONT_FAMILY}; }}
"""


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    refused: tuple[str, ...]  # URLs the document asked for and did not get


class Renderer:
    """One per process: keeps the font configuration between documents."""

    def __init__(self, fonts: FontSet, asset_root: Path = ASSET_ROOT) -> None:
        self.fonts = fonts
        self.asset_root = asset_root
        self.font_config = FontConfiguration()

    def render(self, html: str) -> Rendered:
        fetcher = AssetFetcher(self.asset_root, self.fonts)
        base = CSS(string=BASE_CSS, font_config=self.font_config, url_fetcher=fetcher)
        pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(
            stylesheets=[base], font_config=self.font_config)
        return Rendered(pdf, tuple(fetcher.refused))
