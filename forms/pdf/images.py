"""Images handed to one rendering with the document (a person's signature or stamp, a record's
photos), named in the HTML as ``dossier-image:<sha256>`` and served by the PDF fetcher
(forms/pdf/fetcher.py) from memory: no URL is ever fetched for them.

Kept apart from the fetcher so that building a page's print context (forms/printing.py) does
not import WeasyPrint: every process (the server, the workers, each CLI command) would pay its
half-second import at start-up, though only the renderer needs it.
"""

from __future__ import annotations

from dataclasses import dataclass

IMAGE_SCHEME = "dossier-image:"


@dataclass(frozen=True)
class Image:
    """An image handed to one rendering (served as ``dossier-image:<sha256>``)."""

    media_type: str
    data: bytes
