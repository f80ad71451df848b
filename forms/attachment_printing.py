"""A record's files on paper: the images a layout prints, and the originals the archival copy embeds.

The layout names an image as ``dossier-image:<sha256 of the original>`` and the renderer serves
only the bytes handed to it (:class:`forms.pdf.fetcher.Image`), so a document can never make the
renderer read the store. Printed images are the originals scaled down to :data:`PRINT_SIDE`
pixels on their longest side (a 4,000-pixel phone photo printed 8 cm wide needs no more; six of
them at full size made a handout of tens of megabytes); the archival copy embeds each original
unchanged beside the JSON (:func:`originals`), with its SHA-256 in the description.
Scaling is deterministic (same Pillow, same bytes), so the archival copy still renders to the
same bytes every time.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from PIL import Image as PillowImage

from archive.files import FileStore, content_key
from forms.fields import REGISTRY
from forms.pdf.images import Image
from forms.pdf.render import Attached
from forms.spec.model import FormSpec

#: Longest side of a printed image, in pixels (about 300 dpi across a 10 cm block).
PRINT_SIDE = 1200


def printed_images(store: FileStore, fields: Iterable[dict[str, Any]]) -> dict[str, Image]:
    """For the printed fields that show their images (``print = "images"``), each image's
    printable bytes by the original's SHA-256; withheld files are not there to print."""
    images: dict[str, Image] = {}
    for field in fields:
        if not field.get("print_images"):
            continue
        for item in field.get("files", ()):
            if item.get("image") and item["sha256"] not in images:
                images[item["sha256"]] = Image("image/jpeg", scaled(store.get(content_key(item["sha256"]))))
    return images


def scaled(data: bytes) -> bytes:
    """A JPEG no larger than :data:`PRINT_SIDE` on its longest side (upright already: the upload
    check applied the camera's orientation and made it sRGB)."""
    with PillowImage.open(io.BytesIO(data)) as image:
        image.draft("RGB", (PRINT_SIDE, PRINT_SIDE))
        picture = image.convert("RGB")
        picture.thumbnail((PRINT_SIDE, PRINT_SIDE))
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def originals(store: FileStore, spec: FormSpec, code: str, revision: int, data: dict[str, Any],
              when: datetime) -> list[Attached]:
    """Every file ``data`` names, unchanged, to embed in the archival PDF/A-3 as an associated
    file (``AFRelationship /Source``: they are what the record shows), named uniquely within it
    and described with the field, the name it was sent with and its SHA-256."""
    attached = []
    for field in spec.fields:
        kind, value = REGISTRY[field.type], data.get(field.name)
        for number, ref in enumerate(kind.files(field, value) if value else (), start=1):
            attached.append(Attached(
                name=f"{code}.r{revision}.{field.name}.{number}.{ref.name}",
                data=store.get(content_key(ref.sha256)),
                description=f"{code} revision {revision}, {field.name} #{number}: {ref.name} "
                            f"({ref.media_type}, {ref.size} bytes) SHA-256 {ref.sha256}",
                when=when))
    return attached
