"""The only way a PDF being rendered can load anything: our assets and our fonts.

Four private schemes are served, ``dossier-asset:NAME`` (files under ``static/pdf/``),
``dossier-font:regular|bold``, ``dossier-logo:`` (the one logo file the instance configures) and
``dossier-image:SHA256`` (images the caller hands over with the document, by their SHA-256: a
person's signature or stamp from the file store, already checked as an image when uploaded).
Everything else — ``file:``, ``http(s):``, ``data:``, ``ftp:``,
any path that leaves the asset folder — is refused before anything is opened, so a record's
text can never make the server read a file or call a URL, and no redirect is ever followed.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

from weasyprint.urls import URLFetcher, URLFetcherResponse

from forms.pdf.fonts import FontSet
from forms.pdf.images import IMAGE_SCHEME, Image

log = logging.getLogger(__name__)

ASSET_SCHEME = "dossier-asset:"
FONT_SCHEME = "dossier-font:"
LOGO_URL = "dossier-logo:"


class RefusedURL(ValueError):
    """WeasyPrint treats this as a missing resource and renders on without it."""


class AssetFetcher(URLFetcher):
    def __init__(self, asset_root: Path, fonts: FontSet, logo: Path | None = None,
                 images: Mapping[str, Image] | None = None) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False, timeout=1)
        self.asset_root = asset_root.resolve()
        self.fonts = fonts
        self.logo = logo
        self.images = dict(images or {})
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        image = self.images.get(url.removeprefix(IMAGE_SCHEME)) if url.startswith(IMAGE_SCHEME) else None
        if image is not None:
            return URLFetcherResponse(url, body=image.data, headers={"Content-Type": image.media_type})
        path = self._resolve(url)
        if path is None:
            self.refused.append(url)
            log.warning("PDF rendering refused to fetch %r", url[:200])
            raise RefusedURL(f"refused to fetch {url[:200]!r}: only our own assets and fonts")
        mime, _encoding = mimetypes.guess_type(path.name)
        return URLFetcherResponse(url, body=path.read_bytes(),
                                  headers={"Content-Type": mime or "application/octet-stream"})

    def _resolve(self, url: str) -> Path | None:
        if url == LOGO_URL:
            return self.logo
        if url.startswith(FONT_SCHEME):
            return self.fonts.file(url.removeprefix(FONT_SCHEME))
        if url.startswith(ASSET_SCHEME):
            name = unquote(url.removeprefix(ASSET_SCHEME)).split("?", 1)[0].split("#", 1)[0]
            candidate = (self.asset_root / name).resolve()
            if candidate.is_relative_to(self.asset_root) and candidate.is_file():
                return candidate
        return None
