"""Hostile uploads, made by code: one function per file, each returning ``(name, data)`` as a
browser would send them (the 200 MB upload is a stream that makes its bytes as they are read).

For tests/archive/test_uploads*.py and for the attachment, signature and browser tests that
check the same refusals through their own pages. Good files are in upload_samples.py.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Callable

import pikepdf
from PIL import Image

from tests.support.upload_samples import clean_pdf, heic_photo, photo_jpeg

BOMB_SIDE = 30_000
MB = 1024 * 1024


def empty_file() -> tuple[str, bytes]:
    return "empty.jpg", b""


def program_named_jpg() -> tuple[str, bytes]:
    """A Windows program under a photo's name (wrong extension: the content is not an image)."""
    stub = b"This program cannot be run in DOS mode."
    return "photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + stub


def html_named_pdf() -> tuple[str, bytes]:
    """A web page with a script, named as a PDF."""
    return "invoice.pdf", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def pdf_header_later() -> tuple[str, bytes]:
    """``%PDF-`` after some junk: readers accept it within 1 KB, which polyglots use; we don't."""
    return "scan.pdf", b"GIF89a" + b"\x00" * 32 + clean_pdf()[1]


def traversal_name() -> tuple[str, bytes]:
    """A good photo whose name climbs out of any folder."""
    return "../../../etc/cron.d/evil.jpg", photo_jpeg()[1]


def nothing_but_traversal() -> tuple[str, bytes]:
    return "../..", photo_jpeg()[1]


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@functools.cache
def decompression_bomb_png() -> tuple[str, bytes]:
    """A 30000 × 30000 one-bit PNG of about 110 KB that would decode to 900 million pixels
    (900 MB in Pillow's memory). Written chunk by chunk: Pillow itself would need the pixels."""
    row = b"\x00" * (1 + BOMB_SIDE // 8 + 1)  # filter byte + packed bits, rounded up
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(BOMB_SIDE)) + packer.flush()
    header = struct.pack(">IIBBBBB", BOMB_SIDE, BOMB_SIDE, 1, 0, 0, 0, 0)  # 1-bit greyscale
    data = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body)
            + _png_chunk(b"IEND", b""))
    return "bomb.png", data


def huge_jpeg_header() -> tuple[str, bytes]:
    """A small JPEG whose frame header claims 60000 × 60000 pixels."""
    data = bytearray(photo_jpeg()[1])
    start = data.find(b"\xff\xc0")  # SOF0: marker, length(2), precision(1), height(2), width(2)
    data[start + 5:start + 9] = struct.pack(">HH", 60_000, 60_000)
    return "huge.jpg", bytes(data)


def truncated_jpeg() -> tuple[str, bytes]:
    data = photo_jpeg()[1]
    return "cut.jpg", data[: len(data) // 2]


def heic_lying_size() -> tuple[str, bytes]:
    """A HEIC whose image spatial extent box (ispe) claims 50331712 pixels across: libheif
    refuses to decode it (found by the property test; pillow-heif raises RuntimeError)."""
    data = bytearray(heic_photo()[1])
    width = data.find(b"ispe") + 8  # box type, version and flags, then width and height
    data[width:width + 4] = struct.pack(">I", 0x03000040)
    return "lying.heic", bytes(data)


def animated_png() -> tuple[str, bytes]:
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "blue", "green")]
    out = io.BytesIO()
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return "moving.png", out.getvalue()


def animated_webp() -> tuple[str, bytes]:
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return "moving.webp", out.getvalue()


def jpeg_with_appended_zip() -> tuple[str, bytes]:
    """A photo with a ZIP archive (a script inside) after its end: viewers show the photo,
    unzip tools open the archive. Accepted: only the re-encoded pixels are stored."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("run.js", "WScript.Shell.Run('calc')")
    return "holiday.jpg", photo_jpeg()[1] + archive.getvalue()


def _saved(pdf: pikepdf.Pdf, **options: object) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def _one_page_pdf() -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(clean_pdf(pages=1)[1]))


def _javascript(code: str = "app.alert('hi')") -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(code))


def pdf_open_action_javascript() -> tuple[str, bytes]:
    pdf = _one_page_pdf()
    pdf.Root.OpenAction = _javascript()
    return "open-action.pdf", _saved(pdf)


def pdf_annotation_javascript() -> tuple[str, bytes]:
    """JavaScript in a link annotation's additional actions (/AA /E: on mouse enter), as direct
    objects inside the page's annotation."""
    pdf = _one_page_pdf()
    pdf.pages[0].Annots[0].AA = pikepdf.Dictionary(E=_javascript())
    return "annotation.pdf", _saved(pdf)


def pdf_names_tree_javascript() -> tuple[str, bytes]:
    """Document-level JavaScript in the names tree, saved into compressed object streams so no
    ``/JavaScript`` appears in the file's plain bytes."""
    pdf = _one_page_pdf()
    script = pdf.make_indirect(_javascript("this.submitForm('https://example.com')"))
    pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(
        Names=pikepdf.Array([pikepdf.String("start"), script])))
    return "names.pdf", _saved(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def pdf_launch_action() -> tuple[str, bytes]:
    pdf = _one_page_pdf()
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"),
                                             Win=pikepdf.Dictionary(F=pikepdf.String("cmd.exe")))
    return "launch.pdf", _saved(pdf)


def pdf_embedded_file() -> tuple[str, bytes]:
    pdf = _one_page_pdf()
    pdf.attachments["setup.exe"] = pikepdf.AttachedFileSpec(pdf, program_named_jpg()[1], filename="setup.exe")
    return "with-attachment.pdf", _saved(pdf)


def pdf_xfa_form() -> tuple[str, bytes]:
    pdf = _one_page_pdf()
    xfa = pdf.make_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'><script>app.alert(1)</script></xdp:xdp>")
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=xfa)
    return "xfa.pdf", _saved(pdf)


def pdf_encrypted() -> tuple[str, bytes]:
    """Needs a password to open."""
    return "locked.pdf", _saved(_one_page_pdf(), encryption=pikepdf.Encryption(user="secret", owner="secret"))


def pdf_owner_password_only() -> tuple[str, bytes]:
    """Opens without a password but is encrypted with restrictions (no printing)."""
    encryption = pikepdf.Encryption(user="", owner="owner", allow=pikepdf.Permissions(print_highres=False,
                                                                                       print_lowres=False))
    return "restricted.pdf", _saved(_one_page_pdf(), encryption=encryption)


def raw_pdf(*objects: bytes) -> bytes:
    """A PDF written byte by byte (object 1 the catalogue, 2 the pages, 3 a page, then yours),
    with a correct cross-reference table, so qpdf needs no repair and reads exactly these bytes."""
    body = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << >> >>", *objects]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, content in enumerate(body, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, xref)
    return bytes(out)


def pdf_too_many_objects() -> tuple[str, bytes]:
    """100,001 tiny objects (5 MB): more than archive.upload_pdfs.MAX_OBJECTS."""
    return "many-objects.pdf", raw_pdf(*[b"<< /A 1 >>"] * 100_001)


def pdf_truncated() -> tuple[str, bytes]:
    data = clean_pdf(pages=3)[1]
    return "truncated.pdf", data[: len(data) - 80]


def pdf_half() -> tuple[str, bytes]:
    data = clean_pdf(pages=3)[1]
    return "half.pdf", data[: len(data) // 2]


class EndlessUpload(io.RawIOBase):
    """A ``size``-byte upload (a JPEG's first bytes, then zeros) made as it is read, counting the
    bytes handed out: a test can prove a reader stopped early without 200 MB in memory."""

    def __init__(self, size: int = 200 * MB) -> None:
        self.size = size
        self.handed_out = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self.size - self.handed_out)
        start = b"\xff\xd8\xff\xe0"[self.handed_out:self.handed_out + count]
        buffer[:count] = start + b"\x00" * (count - len(start))
        self.handed_out += count
        return count


#: Every hostile file that fits in memory, by function name (the 200 MB one is EndlessUpload).
HOSTILE: dict[str, Callable[[], tuple[str, bytes]]] = {
    function.__name__: function for function in (
        empty_file, program_named_jpg, html_named_pdf, pdf_header_later, nothing_but_traversal,
        traversal_name, decompression_bomb_png, huge_jpeg_header, truncated_jpeg, heic_lying_size,
        animated_png, animated_webp,
        pdf_open_action_javascript, pdf_annotation_javascript, pdf_names_tree_javascript,
        pdf_launch_action, pdf_embedded_file, pdf_xfa_form, pdf_encrypted, pdf_owner_password_only,
        pdf_too_many_objects,
        pdf_truncated, pdf_half)
}
