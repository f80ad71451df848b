"""Every uploaded file is checked here, by its content, before anything keeps it.

The API (callers: the ``file`` field, attachments, signatures, the legacy import)::

    limits = Limits(kinds=frozenset({Kind.IMAGE, Kind.PDF}), max_bytes=20 * MB, max_files=10)
    data = read_capped(storage.stream, limits.max_bytes, storage.filename)  # never reads past the cap
    checked = check_upload(storage.filename, data, limits)     # CheckedFile, or UploadRefused
    checked_all = check_uploads([(name, data), ...], limits)   # list, or UploadsRefused (all of them)
    small = thumbnail(checked)                                  # JPEG bytes, or None

- The type comes from the bytes (magic numbers), never from the name or the browser's content
  type: JPEG, PNG, WebP, HEIC (ISO-BMFF ``ftyp`` with a HEIC brand) and PDF (``%PDF-`` at the
  very start; a file that only has it later is refused, so a picture cannot pose as a PDF). The
  name's extension may be wrong: the file is taken for what it is and its stored name gets the
  right extension.
- Images: see :mod:`archive.upload_images` (pixel limit before decoding, one decode, orientation
  applied, every metadata block dropped, HEIC stored as JPEG). PDFs: see
  :mod:`archive.upload_pdfs` (stored unchanged once opened and found free of encryption, damage,
  JavaScript, outside actions, attachments and XFA, with at most 100,000 objects).
- :class:`UploadRefused` carries the name as sent and a lazy reason; ``message()`` puts both into
  the current language. :func:`check_uploads` checks every file and raises :class:`UploadsRefused`
  with all refusals at once (a form shows every message together and keeps what was typed: it
  saves nothing when this raises, so nothing is half saved). Too many files is one refusal
  without a file name, raised before any file is decoded.
- Names are for display only: storage is by SHA-256, never by name. :func:`safe_name` keeps the
  base name (after ``/`` or ``\\``), drops control and format characters (NUL, bidi overrides)
  and leading/trailing dots and spaces, replaces Windows' reserved characters with ``_`` (and
  puts one before its device names: ``_con.jpg``), trims it to 100 characters, and sets the
  extension; a name with nothing left is refused.
- Body size: ``MAX_CONTENT_LENGTH`` (core.config, 1 MiB) caps every request and is answered with
  a 413 page or JSON in the user's language (core.errors). A view that takes files raises the cap
  for its own request with ``request.max_content_length = request_cap(limits)`` (Flask ≥ 3.1)
  before it touches ``request.files``, and reads each file with :func:`read_capped`.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from archive import upload_refusals as reasons
from archive.upload_images import STORED_TYPES, clean_image, image_thumbnail
from archive.upload_pdfs import check_pdf, pdf_thumbnail
from archive.upload_refusals import MB, UploadRefused, UploadsRefused

__all__ = ["MB", "CheckedFile", "Kind", "Limits", "UploadRefused", "UploadsRefused", "check_upload",
           "check_uploads", "read_capped", "request_cap", "safe_name", "sniff", "thumbnail"]


class Kind(StrEnum):
    """What a field accepts."""

    IMAGE = "image"
    PDF = "pdf"


@dataclass(frozen=True)
class Limits:
    kinds: frozenset[Kind]
    max_bytes: int
    max_files: int
    max_pixels: int = 40_000_000


@dataclass(frozen=True)
class CheckedFile:
    name: str  # safe display name, extension of the detected type
    data: bytes  # what is stored: images re-encoded bare and upright, PDFs unchanged
    media_type: str  # image/jpeg, image/png, image/webp, application/pdf
    sha256: str  # of data
    width: int | None = None
    height: int | None = None
    pages: int | None = None


EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}
KIND_OF = {"image/jpeg": Kind.IMAGE, "image/png": Kind.IMAGE, "image/webp": Kind.IMAGE,
           "image/heic": Kind.IMAGE, "application/pdf": Kind.PDF}
HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
NAME_CHARS = 100  # of the stem: the extension comes on top
#: Characters Windows refuses in names (a download's name must work there too).
RESERVED = re.compile(r'[<>:"|?*]')
#: Device names Windows will not save a file under, whatever its extension.
DEVICE_NAMES = re.compile(r"(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])", re.IGNORECASE)
READ_CHUNK = 64 * 1024


def sniff(data: bytes) -> str | None:
    """The media type the bytes are, or None. HEIC's is image/heic (stored as JPEG)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data[4:8] == b"ftyp" and _heic_brand(data):
        return "image/heic"
    return None


def _heic_brand(data: bytes) -> bool:
    """The ``ftyp`` box's major brand, or one of its compatible brands, is a HEIC one (iPhones
    write ``heic``; ``mif1`` alone could be AVIF, which is not accepted)."""
    box_size = int.from_bytes(data[:4], "big")
    brands = [data[8:12]] + [data[i:i + 4] for i in range(16, min(box_size, 64), 4)]
    return any(brand in HEIC_BRANDS for brand in brands)


#: A ``..`` path segment: no browser sends one (they send the base name, old ones a whole path
#: such as ``C:\\Users\\me\\photo.jpg``, reduced to its base name by :func:`safe_name`), so a name
#: with one was made by hand to climb out of a folder, and is refused rather than quietly cut.
CLIMBING = re.compile(r"(^|[/\\])\.\.($|[/\\])")


def safe_name(sent: str, media_type: str) -> str | None:
    """A display name from the sent one, with the extension of ``media_type``; None if nothing
    usable is left."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", sent))[-1]
    base = "".join(char for char in base if unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    stem, extension = os.path.splitext(base.strip(" ."))
    if not re.fullmatch(r"\.(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,5}", extension or "-"):
        stem = stem + extension  # not an extension ("report.2026", "a.b c"): part of the name
    stem = RESERVED.sub("_", stem)[:NAME_CHARS].strip(" .")
    if not stem.strip("_"):
        return None
    if DEVICE_NAMES.fullmatch(stem):
        stem = "_" + stem
    return stem + EXTENSIONS.get(media_type, "")


def allowed_types(kinds: frozenset[Kind]) -> LazyString:
    if kinds == {Kind.IMAGE}:
        return _l("JPEG, PNG, WebP or HEIC")
    if kinds == {Kind.PDF}:
        return _l("PDF")
    return _l("JPEG, PNG, WebP, HEIC or PDF")


def check_upload(file_name: str, data: bytes, limits: Limits) -> CheckedFile:
    """The file as it may be stored, or :class:`UploadRefused` saying why not. The cheap checks
    (size, type, name) come before any decoding."""
    if not data:
        raise UploadRefused(file_name, reasons.empty())
    if len(data) > limits.max_bytes:
        raise UploadRefused(file_name, reasons.too_large(limits.max_bytes))
    sniffed = sniff(data)
    if sniffed is None or KIND_OF[sniffed] not in limits.kinds:
        raise UploadRefused(file_name, reasons.not_allowed(allowed_types(limits.kinds)))
    if CLIMBING.search(file_name):
        raise UploadRefused(file_name, reasons.climbing_name())
    name = safe_name(file_name, STORED_TYPES.get(sniffed, sniffed))
    if name is None:
        raise UploadRefused(file_name, reasons.no_name())
    if sniffed == "application/pdf":
        return _checked(name, data, sniffed, pages=check_pdf(file_name, data).pages)
    image = clean_image(file_name, data, sniffed, limits.max_pixels)
    return _checked(name, image.data, image.media_type, width=image.width, height=image.height)


def _checked(name: str, data: bytes, media_type: str, **facts: int) -> CheckedFile:
    return CheckedFile(name=name, data=data, media_type=media_type,
                       sha256=hashlib.sha256(data).hexdigest(), **facts)


def check_uploads(files: Sequence[tuple[str, bytes]], limits: Limits) -> list[CheckedFile]:
    """Every file checked; :class:`UploadsRefused` with every refusal if any is refused (a
    count over the limit is refused before any file is decoded)."""
    if len(files) > limits.max_files:
        raise UploadsRefused([UploadRefused(None, reasons.too_many(len(files), limits.max_files))])
    checked: list[CheckedFile] = []
    refusals: list[UploadRefused] = []
    for name, data in files:
        try:
            checked.append(check_upload(name, data, limits))
        except UploadRefused as refusal:
            refusals.append(refusal)
    if refusals:
        raise UploadsRefused(refusals)
    return checked


def read_capped(stream: BinaryIO, max_bytes: int, file_name: str = "") -> bytes:
    """The stream's bytes, read in chunks; :class:`UploadRefused` (too large) as soon as more than
    ``max_bytes`` have come, so a 200 MB upload costs at most ``max_bytes`` + one chunk."""
    parts: list[bytes] = []
    size = 0
    while chunk := stream.read(min(READ_CHUNK, max_bytes + 1 - size)):
        size += len(chunk)
        if size > max_bytes:
            raise UploadRefused(file_name, reasons.too_large(max_bytes))
        parts.append(chunk)
    return b"".join(parts)


def request_cap(limits: Limits) -> int:
    """A request body limit for a form taking up to ``limits`` files: all of them at full size
    plus 1 MiB for the other fields and the multipart framing."""
    return limits.max_files * limits.max_bytes + MB


def thumbnail(checked: CheckedFile, longest_side: int = 320) -> bytes | None:
    """A small JPEG of an image, or of a PDF's first page (pdftoppm, in a subprocess with a
    time limit); None when there is none to be had cheaply."""
    if checked.media_type.startswith("image/"):
        return image_thumbnail(checked.data, longest_side)
    return pdf_thumbnail(checked.data, longest_side)
