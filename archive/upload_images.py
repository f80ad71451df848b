"""Uploaded images: decoded once under a pixel limit, turned upright, re-encoded bare.

What is stored is never the sent file but a new encoding of its pixels: the orientation the
camera wrote into EXIF is applied to the pixels, colours are converted to sRGB when the file
carries an ICC profile, and nothing else of the file survives (EXIF with GPS and camera, XMP,
IPTC, comments, PNG text chunks, bytes appended after the image). HEIC becomes JPEG because no
browser and no PDF renderer shows HEIC. The pixel count is checked from the header before any
pixel is decoded, so a 30000 × 30000 image of a few kilobytes costs nothing. Pillow is only
ever asked for the one format the bytes were sniffed as, so none of its other plugins (EPS, which
runs Ghostscript; TIFF; ICO…) ever sees an upload.

Animated PNG and WebP are refused: a re-encoding keeps one frame, so what the archive kept would
silently differ from what the user saw, and a record needs a photo or a scan, not a clip. JPEG
(MPO) and HEIC files holding several images (a preview, a depth map) keep the primary one, as
every viewer shows it.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from archive import upload_refusals as reasons
from archive.upload_refusals import UploadRefused

try:  # HEIC is read where the pillow-heif wheel (libheif) is installed; else refused clearly.
    import pillow_heif

    pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
    HEIC_READABLE = True
except ImportError:  # pragma: no cover - the project installs it; this is for a broken install
    HEIC_READABLE = False

#: Pillow's format names for what we accept, by the type sniffed from the bytes.
PILLOW_FORMATS = {"image/jpeg": {"JPEG", "MPO"}, "image/png": {"PNG"}, "image/webp": {"WEBP"},
                  "image/heic": {"HEIF"}}
#: What each sniffed type is stored as (HEIC as JPEG).
STORED_TYPES = {"image/jpeg": "image/jpeg", "image/png": "image/png", "image/webp": "image/webp",
                "image/heic": "image/jpeg"}
JPEG_QUALITY = 90
ORIENTATION = 0x0112  # the EXIF tag
#: Modes the encoders take as they are (the rest become RGB or RGBA).
STORABLE_MODES = frozenset({"1", "L", "LA", "RGB", "RGBA", "P"})
#: Everything Pillow raises on a hostile or broken file (truncated data, bad headers, bad
#: chunk lengths, zlib errors, a decoder refusing a size).
#: pillow-heif raises RuntimeError for libheif's refusals (also its own security limit, 1 G
#: pixels, when a damaged file decodes to another size than its header said).
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error, IndexError,
                 TypeError, KeyError, RuntimeError, Image.DecompressionBombError, MemoryError)
SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    media_type: str
    width: int
    height: int


def clean_image(file_name: str, data: bytes, sniffed_type: str, max_pixels: int) -> CleanImage:
    """The image's pixels upright and bare, re-encoded; :class:`UploadRefused` otherwise."""
    if sniffed_type == "image/heic" and not HEIC_READABLE:
        raise UploadRefused(file_name, reasons.heic_unreadable())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # damaged EXIF, which is dropped anyway
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        stored_type = STORED_TYPES[sniffed_type]
        try:
            image = _decoded(file_name, data, sniffed_type, max_pixels)
            return CleanImage(_encoded(image, stored_type), stored_type, image.width, image.height)
        except UploadRefused:
            raise
        except DECODE_ERRORS as error:
            raise UploadRefused(file_name, reasons.broken_image()) from error


def _decoded(file_name: str, data: bytes, sniffed_type: str, max_pixels: int) -> Image.Image:
    """Open (header only), check the format and the pixel count, then decode once."""
    try:
        image = Image.open(io.BytesIO(data), formats=sorted(PILLOW_FORMATS[sniffed_type]))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:  # Pillow's limit
        raise UploadRefused(file_name, reasons.too_many_pixels(max_pixels)) from error
    except UnidentifiedImageError as error:
        raise UploadRefused(file_name, reasons.broken_image()) from error
    width, height = image.size
    if width * height > max_pixels:
        raise UploadRefused(file_name, reasons.too_many_pixels(max_pixels, width, height))
    if sniffed_type in ("image/png", "image/webp") and getattr(image, "is_animated", False):
        raise UploadRefused(file_name, reasons.animated())
    image.load()
    if image.width * image.height > max_pixels:  # a HEIC's boxes can change the size on decoding
        raise UploadRefused(file_name, reasons.too_many_pixels(max_pixels, image.width, image.height))
    return _upright_srgb(image)


def _upright_srgb(image: Image.Image) -> Image.Image:
    """Orientation applied to the pixels, 8 bits per channel, colours in sRGB, and an ``info``
    holding nothing the encoders could write back (Pillow writes ``exif``, ``xmp``, ``comment``
    and ``icc_profile`` from ``info`` when saving)."""
    profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    turned = image.getexif().get(ORIENTATION, 1) in range(2, 9)  # else a copy would cost memory
    upright = _eight_bit((ImageOps.exif_transpose(image) or image) if turned else image)
    if profile and upright.mode in ("RGB", "RGBA", "CMYK"):
        upright = _to_srgb(upright, profile)
    if upright.mode not in STORABLE_MODES:
        upright = upright.convert("RGBA" if "A" in upright.mode else "RGB")
    upright.info = {"transparency": transparency} if transparency is not None else {}
    return upright


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit greyscale (PNG) scaled to 8 bits: a plain conversion clips every value above 255
    to white."""
    if image.mode.startswith("I"):
        return image.convert("I").point(lambda value: value / 256).convert("L")
    return image


def _to_srgb(image: Image.Image, profile: bytes) -> Image.Image:
    """Convert from the file's ICC profile to sRGB, so the stored file needs no profile; a
    profile littleCMS cannot use is ignored (the pixels are taken as sRGB)."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted or image


def _encoded(image: Image.Image, media_type: str) -> bytes:
    out = io.BytesIO()
    if media_type == "image/jpeg":
        if image.mode not in ("L", "RGB"):
            image = _flattened(image) if _has_alpha(image) else image.convert("RGB")
        image.save(out, "JPEG", quality=JPEG_QUALITY)
    elif media_type == "image/png":
        image.save(out, "PNG")
    else:
        image.save(out, "WEBP", quality=JPEG_QUALITY, method=4)
    return out.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    return "A" in image.mode or (image.mode == "P" and "transparency" in image.info)


def _flattened(image: Image.Image) -> Image.Image:
    """Transparent parts over white (JPEG has no alpha; a HEIC with alpha is rare)."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def image_thumbnail(data: bytes, longest_side: int) -> bytes | None:
    """A small JPEG of an image already checked and stored (so its size is known to be sane):
    JPEG's draft mode decodes it at a reduced scale when it can. None if it cannot be read."""
    try:
        image = Image.open(io.BytesIO(data), formats=["JPEG", "PNG", "WEBP"])
        image.draft("RGB", (longest_side, longest_side))
        image.thumbnail((longest_side, longest_side))
        image = _flattened(image) if _has_alpha(image) else image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
    except DECODE_ERRORS:  # UnidentifiedImageError is an OSError
        return None
    return out.getvalue()
