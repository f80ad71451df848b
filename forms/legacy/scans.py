"""Scans of the paper forms, matched to rows by the file name the ``scan`` column gives.

The folder (``--scans DIR``) is listed once; a row names a file in it by its name alone. A
name with a path in it (``/``, ``\\``, ``..``), a hidden name, a name no file in the folder has,
a link leading out of the folder, an empty file or one whose content is no scan are each a
problem of that row. Content is checked by its bytes, not its name: the first bytes must be a
PDF's, a JPEG's, a PNG's or a TIFF's, and a name's extension must agree with them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from archive.files import FileStore, StoredFile, key_for

#: The largest scan taken (a multi-page colour PDF of one form is a few MB).
MAX_SCAN_BYTES = 50 * 1024 * 1024
#: Media types by their first bytes, and the extensions each may carry.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"),
)
EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",),
              "image/tiff": (".tif", ".tiff")}


class ScanProblem(ValueError):
    """Why a row's scan cannot be taken; the message names the file."""


@dataclass(frozen=True)
class Scan:
    name: str
    data: bytes
    media_type: str

    def stored_as(self, stored: StoredFile) -> dict[str, object]:
        """What ``records.legacy_scan`` keeps of it."""
        return {"name": self.name, "key": stored.key, "sha256": stored.sha256, "size": stored.size,
                "media_type": self.media_type}


class ScanFolder:
    """The folder of scans, listed once (name → path)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder.resolve() if folder is not None else None
        self.names: dict[str, Path] = {}
        if self.folder is not None:
            with os.scandir(self.folder) as entries:
                self.names = {entry.name: Path(entry.path) for entry in entries}

    def read(self, name: str) -> Scan:
        """The scan called ``name``, checked; :class:`ScanProblem` saying what is wrong."""
        if not name or "/" in name or "\\" in name or ".." in name or name.startswith(".") or "\x00" in name:
            raise ScanProblem(_("“%(name)s” is not a file name: give the name alone, without a folder.",
                                name=name[:80]))
        if self.folder is None:
            raise ScanProblem(_("“%(name)s”: give the folder of scans with --scans.", name=name))
        path = self.names.get(name)
        if path is None:
            raise ScanProblem(_("“%(name)s” is not in the folder of scans.", name=name))
        real = path.resolve()
        if real.parent != self.folder or not real.is_file():
            raise ScanProblem(_("“%(name)s” is not a file in the folder of scans.", name=name))
        size = real.stat().st_size
        if size == 0:
            raise ScanProblem(_("“%(name)s” is empty (0 bytes).", name=name))
        if size > MAX_SCAN_BYTES:
            raise ScanProblem(_("“%(name)s” is larger than %(mb)d MB.", name=name, mb=MAX_SCAN_BYTES >> 20))
        data = real.read_bytes()
        return Scan(name, data, media_type(name, data))


def media_type(name: str, data: bytes) -> str:
    """The scan's media type from its bytes; :class:`ScanProblem` when they are no PDF or image,
    or the name's extension says another kind."""
    found = next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)
    if found is None:
        raise ScanProblem(_("“%(name)s” is not a scan: only PDF, JPEG, PNG and TIFF files are taken.",
                            name=name))
    suffix = Path(name).suffix.lower()
    if suffix and suffix not in EXTENSIONS[found]:
        raise ScanProblem(_("“%(name)s” is named %(suffix)s but holds a %(kind)s file.", name=name,
                            suffix=suffix, kind=found))
    return found


class StoredScans:
    """Scans put in the file store by one import, so a failed import can take back the ones it
    added (a scan already stored, by the same bytes elsewhere, is left alone)."""

    def __init__(self, store: FileStore) -> None:
        self.store = store
        self.added: list[str] = []

    def put(self, scan: Scan) -> StoredFile:
        expected = key_for(scan.data)
        existed = self.store.exists(expected.key)
        stored = self.store.put(scan.data)
        if not existed:
            self.added.append(stored.key)
        return stored

    def take_back(self) -> None:
        for key in self.added:
            self.store.delete(key)
        self.added.clear()
