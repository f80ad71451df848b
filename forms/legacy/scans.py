"""Scans of the paper forms, matched to rows by the file name the ``scan`` column gives.

The folder (``--scans DIR``) is listed once; a row names a file in it by its name alone. A
name with a path in it (``/``, ``\\``, ``..``), a hidden name, a name no file in the folder has,
a link leading out of the folder, an empty file or one larger than :data:`MAX_SCAN_BYTES` (told
before it is read) are each a problem of that row. The content is then checked as every
uploaded file is (:func:`archive.uploads.check_upload`: the type from the bytes, PDF or image,
images re-encoded without their metadata, PDFs opened and refused with scripts or
attachments), and what it stores is what the import stores.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from archive.files import FileStore, StoredFile, key_for
from archive.uploads import MB, CheckedFile, Kind, Limits, UploadRefused, check_upload

#: The largest scan taken (a multi-page colour PDF of one form is a few MB).
MAX_SCAN_BYTES = 50 * MB
#: What a scan may be: a PDF or an image, one per row.
SCAN_LIMITS = Limits(kinds=frozenset({Kind.IMAGE, Kind.PDF}), max_bytes=MAX_SCAN_BYTES, max_files=1)
#: The attachments row's field name for a record's scan (no field of the form has it).
SCAN_FIELD = "legacy_scan"


class ScanProblem(ValueError):
    """Why a row's scan cannot be taken; the message names the file."""


@dataclass(frozen=True)
class Scan:
    """A scan as the register names it, checked: what the store keeps is ``checked.data``."""

    name: str
    checked: CheckedFile

    def stored_as(self, stored: StoredFile) -> dict[str, object]:
        """What ``records.legacy_scan`` keeps of it."""
        return {"name": self.name, "key": stored.key, "sha256": stored.sha256, "size": stored.size,
                "media_type": self.checked.media_type, "stored_name": self.checked.name}


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
            raise ScanProblem(_("“%(name)s” is larger than %(mb)d MB.", name=name, mb=MAX_SCAN_BYTES // MB))
        try:
            return Scan(name, check_upload(name, real.read_bytes(), SCAN_LIMITS))
        except UploadRefused as refused:
            raise ScanProblem(refused.message()) from refused


class StoredScans:
    """Scans put in the file store by one import, so a failed import can take back the ones it
    added (a scan already stored, by the same bytes elsewhere, is left alone)."""

    def __init__(self, store: FileStore) -> None:
        self.store = store
        self.added: list[str] = []

    def put(self, scan: Scan) -> StoredFile:
        expected = key_for(scan.checked.data)
        existed = self.store.exists(expected.key)
        stored = self.store.put(scan.checked.data)
        if not existed:
            self.added.append(stored.key)
        return stored

    def take_back(self) -> None:
        for key in self.added:
            self.store.delete(key)
        self.added.clear()
