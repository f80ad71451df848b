"""A person's stamp image and its upload on /profile, shared by the profile tests
(tests/archive/test_profile_marks.py, test_profile_page_words.py)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from tests.support.instance import csrf_token

EN = {"Accept-Language": "en"}
STAMP_SIZE = (180, 180)


def stamp_png() -> bytes:
    """A red round stamp on a transparent background."""
    image = Image.new("RGBA", STAMP_SIZE, (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((10, 10, 170, 170), outline=(200, 0, 0, 255), width=12)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def upload(client, name: str, data: bytes, kind: str = "stamp"):  # type: ignore[no-untyped-def]
    """Post ``data`` as the user's signature or stamp image from the profile page."""
    page = client.get("/profile", headers=EN)
    return client.post("/profile", headers=EN, content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(page.text), "kind": kind, "action": "save",
                             "image": (io.BytesIO(data), name)})
