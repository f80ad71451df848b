"""Images are stored upright and bare: the orientation applied to the pixels, every metadata block
gone (proved by walking the files' own structure and by searching the bytes), HEIC as JPEG,
and a decompression bomb refused without its pixels ever being allocated."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageCms

from archive.uploads import MB, Kind, Limits, check_upload
from tests.support import hostile_files, upload_samples
from tests.support.image_metadata import jpeg_markers, png_chunks, webp_chunks

ROOT = Path(__file__).resolve().parents[2]
IMAGES = Limits(kinds=frozenset({Kind.IMAGE}), max_bytes=20 * MB, max_files=1)
RED, BLUE = (220, 30, 30), (30, 30, 220)
APP1, APP13, COMMENT = 0xE1, 0xED, 0xFE
#: The EXIF entry pointing at the GPS data: tag 0x8825, type LONG, count 1 (Pillow writes "MM").
GPS_ENTRY = b"\x88\x25\x00\x04\x00\x00\x00\x01"


def near(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel[:3], colour, strict=True))


def test_sent_photo_really_carries_what_must_be_removed():
    data = upload_samples.photo_jpeg()[1]
    exif = Image.open(io.BytesIO(data)).getexif()
    assert exif[0x0112] == 6 and exif[0x0110] == upload_samples.CAMERA_MODEL and 0x8825 in exif
    assert APP1 in jpeg_markers(data) and COMMENT in jpeg_markers(data)
    assert GPS_ENTRY in data


def test_photo_comes_out_rotated_with_no_exif_gps_camera_xmp_or_comment():
    checked = check_upload(*upload_samples.photo_jpeg(), IMAGES)
    image = Image.open(io.BytesIO(checked.data))
    assert (checked.width, checked.height) == image.size == (48, 64)  # 64 × 48 turned a quarter
    assert near(image.getpixel((24, 5)), RED) and near(image.getpixel((24, 58)), BLUE)  # red on top
    assert not image.getexif() and not {"exif", "xmp", "comment", "icc_profile"} & set(image.info)
    assert {APP1, APP13, COMMENT}.isdisjoint(jpeg_markers(checked.data))
    for trace in (b"Exif", GPS_ENTRY, upload_samples.CAMERA_MODEL.encode(),
                  upload_samples.XMP_SECRET.encode(), b"taken at home"):
        assert trace not in checked.data, trace


def test_png_text_chunks_and_exif_are_stripped():
    sent = upload_samples.png_with_text()[1]
    assert {b"tEXt", b"iTXt", b"eXIf"} <= set(png_chunks(sent))
    checked = check_upload("scan.png", sent, IMAGES)
    assert set(png_chunks(checked.data)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
    assert b"PNG-SECRET-TEXT" not in checked.data and b"Zhang" not in checked.data
    assert Image.open(io.BytesIO(checked.data)).size == (48, 64)


def test_webp_is_kept_as_webp_without_exif_or_xmp():
    sent = upload_samples.webp_photo()[1]
    assert b"EXIF" in webp_chunks(sent)
    checked = check_upload("damage.webp", sent, IMAGES)
    assert checked.media_type == "image/webp" and checked.name == "damage.webp"
    assert set(webp_chunks(checked.data)).isdisjoint({b"EXIF", b"XMP ", b"ICCP"})
    assert Image.open(io.BytesIO(checked.data)).size == (48, 64)


def test_heic_is_stored_as_jpeg_without_metadata():
    name, sent = upload_samples.heic_photo()
    assert sent[4:12] == b"ftypheic" and b"Exif" in sent
    checked = check_upload(name, sent, IMAGES)
    assert (checked.media_type, checked.name) == ("image/jpeg", "IMG_0002.jpg")
    image = Image.open(io.BytesIO(checked.data))
    assert image.format == "JPEG" and image.size == (checked.width, checked.height)
    # pillow-heif applies the file's own transformation boxes (irot/imir; this file has none)
    # and resets EXIF orientation, so the stored pixels are the decoded ones, not turned twice.
    assert image.size == (64, 48)
    assert near(image.getpixel((5, 24)), RED) and near(image.getpixel((58, 24)), BLUE)
    assert {APP1, APP13, COMMENT}.isdisjoint(jpeg_markers(checked.data))


def test_an_icc_profile_is_applied_and_dropped():
    """The colours are converted to sRGB (here from sRGB: unchanged) and the profile, which may
    name the device, is not stored."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    upload_samples.photo_pixels().save(out, "JPEG", quality=95, icc_profile=profile)
    assert 0xE2 in jpeg_markers(out.getvalue())  # APP2 carries the profile
    checked = check_upload("profiled.jpg", out.getvalue(), IMAGES)
    image = Image.open(io.BytesIO(checked.data))
    assert "icc_profile" not in image.info and 0xE2 not in jpeg_markers(checked.data)
    assert near(image.getpixel((5, 5)), RED) and near(image.getpixel((60, 5)), BLUE)


def test_bytes_after_the_image_are_not_stored():
    name, sent = hostile_files.jpeg_with_appended_zip()
    assert b"PK\x03\x04" in sent and b"run.js" in sent
    checked = check_upload(name, sent, IMAGES)
    assert b"PK\x03\x04" not in checked.data and b"run.js" not in checked.data
    assert checked.data.endswith(b"\xff\xd9")  # the stored file ends where its image ends


def test_the_same_photo_gives_the_same_stored_bytes():
    first = check_upload(*upload_samples.photo_jpeg(), IMAGES)
    again = check_upload(*upload_samples.photo_jpeg(), IMAGES)
    assert first.data == again.data and first.sha256 == again.sha256


BOMB_PROBE = """
import json, resource, time
from archive.uploads import MB, Kind, Limits, UploadRefused, check_upload
from tests.support.hostile_files import decompression_bomb_png
name, data = decompression_bomb_png()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    check_upload(name, data, Limits(kinds=frozenset(Kind), max_bytes=20 * MB, max_files=1))
    outcome = "accepted"
except UploadRefused as refused:
    outcome = str(refused.reason)
print(json.dumps({"outcome": outcome, "size": len(data), "seconds": time.perf_counter() - start,
                  "grew_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before}))
"""


def test_decompression_bomb_is_refused_without_allocating_its_pixels():
    """In a fresh process, so its peak memory is the bomb's alone: 900 million pixels would be
    900 MB in Pillow's memory; the check reads the header and stops."""
    result = subprocess.run([sys.executable, "-c", BOMB_PROBE], cwd=ROOT, capture_output=True, text=True,
                            check=True, timeout=120)
    probe = json.loads(result.stdout)
    assert probe["outcome"] == "the image has more than the 40 million pixels allowed."
    assert probe["size"] < 200_000
    assert probe["grew_kb"] < 20_000, probe  # peak memory grew by under 20 MB while checking
    assert probe["seconds"] < 2, probe


def saved(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def test_sixteen_bit_greyscale_is_scaled_not_clipped():
    grey = Image.new("I;16", (8, 8), 1000)
    grey.putpixel((1, 1), 40000)
    image = Image.open(io.BytesIO(check_upload("g.png", saved(grey, "PNG"), IMAGES).data))
    assert image.mode == "L" and image.getpixel((1, 1)) == 156 and image.getpixel((0, 0)) == 3


def test_cmyk_jpeg_is_stored_as_rgb():
    cmyk = Image.new("CMYK", (8, 8), (0, 255, 255, 0))  # full magenta and yellow: red
    image = Image.open(io.BytesIO(check_upload("scan.jpg", saved(cmyk, "JPEG"), IMAGES).data))
    assert image.mode == "RGB" and near(image.getpixel((4, 4)), (255, 0, 0))


def test_a_multi_picture_jpeg_keeps_its_primary_image_only():
    """Phones write MPO (a preview or a second eye after the photo): every viewer shows the first."""
    red, blue = Image.new("RGB", (20, 10), "red"), Image.new("RGB", (20, 10), "blue")
    sent = saved(red, "MPO", save_all=True, append_images=[blue])
    assert Image.open(io.BytesIO(sent)).n_frames == 2
    checked = check_upload("pair.jpg", sent, IMAGES)
    image = Image.open(io.BytesIO(checked.data))
    assert image.format == "JPEG" and near(image.getpixel((5, 5)), (255, 0, 0))
    assert 0xE2 not in jpeg_markers(checked.data)  # no MPF index pointing past the image


def test_a_palette_png_keeps_its_transparency():
    palette = Image.new("P", (4, 4))
    palette.putpalette([255, 0, 0, 0, 0, 255])
    checked = check_upload("icon.png", saved(palette, "PNG", transparency=0), IMAGES)
    image = Image.open(io.BytesIO(checked.data))
    assert image.mode == "P" and image.info.get("transparency") == 0
