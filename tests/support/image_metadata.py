"""What blocks an image file carries, read from its bytes by walking its structure (JPEG
segments, PNG chunks, RIFF chunks): a test proves metadata gone without trusting Pillow."""

from __future__ import annotations

import struct


def jpeg_markers(data: bytes) -> list[int]:
    """The markers of the segments before the image data (SOS), e.g. 0xE1 for APP1 (EXIF, XMP),
    0xED for APP13 (IPTC), 0xFE for a comment, 0xE2 for APP2 (ICC, MPO)."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    markers, at = [], 2
    while at + 4 <= len(data):
        assert data[at] == 0xFF, f"no marker at {at}"
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the entropy-coded data follows
            break
        (length,) = struct.unpack(">H", data[at + 2:at + 4])
        at += 2 + length
    return markers


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    chunks, at = [], 8
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        chunks.append(kind)
        at += 12 + length
    return chunks


def webp_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", "not a WebP"
    chunks, at = [], 12
    while at + 8 <= len(data):
        kind, length = struct.unpack("<4sI", data[at:at + 8])
        chunks.append(kind)
        at += 8 + length + (length & 1)
    return chunks
