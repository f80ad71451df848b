"""Good files to upload, made by code (no binary fixtures in the repository).

Each function returns ``(name, data)`` as a browser would send them. The bad ones are in
tests/support/hostile_files.py. Used by tests/archive/test_uploads*.py and meant for the
attachment, signature and browser tests too.
"""

from __future__ import annotations

import io

import pikepdf
import pillow_heif
from PIL import Image
from PIL.ExifTags import GPS, IFD, Base
from PIL.PngImagePlugin import PngInfo

#: The photo's two halves before the camera's rotation: left red, right blue. Orientation 6
#: means "rotate 90° clockwise to view", so upright the red half is on top.
PHOTO_SIZE = (64, 48)
CAMERA_MODEL = "DossierCam X100"
XMP_SECRET = "XMP-SECRET-LOCATION"


def photo_pixels() -> Image.Image:
    image = Image.new("RGB", PHOTO_SIZE, (220, 30, 30))
    image.paste((30, 30, 220), (PHOTO_SIZE[0] // 2, 0, PHOTO_SIZE[0], PHOTO_SIZE[1]))
    return image


def photo_exif() -> Image.Exif:
    """EXIF as a phone writes it: orientation 6, camera make and model, GPS position."""
    exif = Image.Exif()
    exif[Base.Orientation] = 6
    exif[Base.Make] = "Dossier"
    exif[Base.Model] = CAMERA_MODEL
    gps = exif.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSLatitudeRef] = "N"
    gps[GPS.GPSLatitude] = (31.0, 13.0, 42.5)
    gps[GPS.GPSLongitudeRef] = "E"
    gps[GPS.GPSLongitude] = (121.0, 28.0, 11.25)
    return exif


def photo_jpeg() -> tuple[str, bytes]:
    """A phone photo: EXIF (orientation 6, camera, GPS), XMP and a comment."""
    out = io.BytesIO()
    xmp = f"<x:xmpmeta xmlns:x='adobe:ns:meta/'>{XMP_SECRET}</x:xmpmeta>".encode()
    photo_pixels().save(out, "JPEG", quality=95, exif=photo_exif(), xmp=xmp, comment=b"taken at home")
    return "IMG_0001.JPG", out.getvalue()


def png_with_text() -> tuple[str, bytes]:
    """A PNG with tEXt/iTXt chunks (author, a comment) and EXIF."""
    info = PngInfo()
    info.add_text("Author", "Zhang San")
    info.add_text("Comment", "PNG-SECRET-TEXT")
    info.add_itxt("Description", "说明：家里")
    out = io.BytesIO()
    photo_pixels().save(out, "PNG", pnginfo=info, exif=photo_exif())
    return "scan.png", out.getvalue()


def webp_photo() -> tuple[str, bytes]:
    out = io.BytesIO()
    photo_pixels().save(out, "WEBP", quality=90, exif=photo_exif())
    return "damage.webp", out.getvalue()


def heic_photo() -> tuple[str, bytes]:
    """A HEIC as iPhones send them (pillow-heif's encoder), with EXIF."""
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    photo_pixels().save(out, "HEIF", quality=90, exif=photo_exif())
    return "IMG_0002.HEIC", out.getvalue()


def clean_pdf(pages: int = 2) -> tuple[str, bytes]:
    """A plain PDF with a drawn rectangle on each page and an ordinary link."""
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    for page in pdf.pages:
        page.Contents = pdf.make_stream(b"0 0 1 rg 50 50 200 300 re f")
        page.Annots = pdf.make_indirect(pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[50, 50, 250, 350],
            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.com/")))]))
    out = io.BytesIO()
    pdf.save(out)
    return "signed form.pdf", out.getvalue()
