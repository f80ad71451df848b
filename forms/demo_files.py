"""Photos for the demo office's sample complaint: drawn here (no file is downloaded or shipped),
then taken in like any upload, checked by content and stored by SHA-256."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageDraw

from archive.files import FileStore
from archive.uploads import Kind, Limits, check_uploads

#: A carton with a torn corner, and a panel with scratches: two "defect photos".
SIZE = (960, 720)


def _carton() -> bytes:
    image = Image.new("RGB", SIZE, (236, 232, 224))
    draw = ImageDraw.Draw(image)
    draw.rectangle((180, 140, 780, 600), fill=(196, 154, 108), outline=(120, 86, 50), width=6)
    draw.polygon([(700, 140), (780, 140), (780, 240)], fill=(236, 232, 224))
    draw.line((700, 140, 780, 240), fill=(90, 60, 30), width=5)
    draw.rectangle((380, 330, 580, 410), fill=(250, 250, 245), outline=(60, 60, 60), width=3)
    return _jpeg(image)


def _scratched_panel() -> bytes:
    image = Image.new("RGB", SIZE, (205, 210, 216))
    draw = ImageDraw.Draw(image)
    for offset in range(0, 240, 48):
        draw.line((220 + offset, 200, 520 + offset, 520), fill=(245, 245, 248), width=4)
    draw.ellipse((600, 420, 700, 520), outline=(200, 40, 40), width=8)
    return _jpeg(image)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def demo_photos(store: FileStore) -> list[dict[str, Any]]:
    """Two photos as a file field holds them, checked and stored (:mod:`archive.uploads`)."""
    limits = Limits(kinds=frozenset({Kind.IMAGE}), max_bytes=10 * 1024 * 1024, max_files=6)
    checked = check_uploads([("外包装破损.jpg", _carton()), ("表面划痕.jpg", _scratched_panel())], limits)
    photos = []
    for item in checked:
        stored = store.put(item.data)
        photos.append({"sha256": stored.sha256, "name": item.name, "type": item.media_type,
                       "size": stored.size})
    return photos
