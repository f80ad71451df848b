"""Stored files in a folder (``FILE_STORE = "folder"``, the default): ``<instance>/renditions``.

The folder keeps its old name, ``renditions``, and keys are paths under it: rows written before
the stores had content keys name ``CP/2026/CP-2026-000001.r1.archival.pdf`` and that file is
still there, so an upgraded instance reads, verifies and disposes of its old files without a
migration moving them. New files go under their content key (``sha256/ab/cd/abcd…``).

A write goes to a temporary name (``.writing-…``) in the target's own folder, is fsynced, made
read-only (mode 0444) and then hard-linked to its key. A link never replaces an existing name, so
a key is written once even when two workers on two machines store the same file at the same
moment, and link and rename are atomic within one directory on local file systems and on NFS
alike. Where hard links are not supported the temporary file is renamed into place instead
(checked for first; for a content key a racing writer brings the very same bytes).

Keys are checked (:func:`archive.files.check_key`) and the resolved path must stay under the
resolved root, so a tampered row or a symlink planted in the folder never reads or deletes a
file elsewhere.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from archive.files import (
    CHUNK,
    BadKey,
    FileMissing,
    StoredFile,
    StoreUnavailable,
    WriteOnceViolation,
    check_key,
    key_for,
)

#: What a temporary file's name starts with (``archive verify`` reports them as *temp*).
TEMP_PREFIX = ".writing-"
#: link() failures that mean "this file system has no hard links", not "the name is taken".
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}


class FolderStore:
    """One instance's stored files: the files under ``root``."""

    name = "folder"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        return str(self.root)

    def put(self, data: bytes) -> StoredFile:
        stored = key_for(data)
        path = self._path(stored.key)
        if not path.is_file():
            self._write(path, data)  # a racing writer's link wins: the same bytes
        return stored

    def put_at(self, key: str, data: bytes) -> None:
        """Write once: the same bytes again change nothing, different ones are refused."""
        path = self._path(key)
        if not path.is_file() and self._write(path, data):
            return
        if _sha256(path) != hashlib.sha256(data).hexdigest():
            raise WriteOnceViolation(f"{key} in {self.describe()} already holds other bytes; "
                                     "stored files are never rewritten")

    def get(self, key: str) -> bytes:
        return b"".join(self.chunks(key))

    def chunks(self, key: str) -> Iterator[bytes]:
        path = self._path(key)
        with self._reading(key):
            handle = path.open("rb")
        with handle, self._reading(key):
            while block := handle.read(CHUNK):
                yield block

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except IsADirectoryError:
            pass  # a folder of keys is no stored file
        except PermissionError as exc:
            raise StoreUnavailable(f"deleting {key} failed in {self.describe()}: {exc}") from exc

    def keys(self) -> Iterator[str]:
        """Every file but the temporaries, as POSIX paths under the root, in a stable order."""
        return (key for key in self._files() if not _is_temporary(key))

    def leftovers(self) -> Iterator[str]:
        """The ``.writing-*`` files interrupted writes left (safe to delete)."""
        return (key for key in self._files() if _is_temporary(key))

    def is_empty(self) -> bool:
        return next(self.keys(), None) is None

    # -- the folder ----------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        """The file of ``key``, refused (BadKey) if it would resolve outside the root."""
        root = self.root.resolve()
        path = (root / check_key(key)).resolve()
        if not path.is_relative_to(root):
            raise BadKey(f"stored file {key!r} leaves {self.describe()} (a symbolic link?)")
        return path

    def _write(self, target: Path, data: bytes) -> bool:
        """Write ``data`` at ``target`` unless the name exists; True if this call made it."""
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX)
        except OSError as exc:
            raise StoreUnavailable(f"storing a file failed in {self.describe()}: {exc}") from exc
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o444)
            made = _place(temporary, target)
        except OSError as exc:
            raise StoreUnavailable(f"storing {target.name} failed in {self.describe()}: {exc}") from exc
        finally:
            Path(temporary).unlink(missing_ok=True)
        _sync_folder(target.parent)
        return made

    def _files(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for folder, directories, files in os.walk(self.root):
            directories.sort()
            for name in sorted(files):
                yield Path(folder, name).relative_to(self.root).as_posix()

    @contextlib.contextmanager
    def _reading(self, key: str) -> Iterator[None]:
        try:
            yield
        except (FileNotFoundError, IsADirectoryError):
            raise FileMissing(f"no stored file {key} in {self.describe()}") from None
        except PermissionError as exc:
            raise StoreUnavailable(f"reading {key} failed in {self.describe()}: {exc}") from exc


def _place(temporary: str, target: Path) -> bool:
    """Give the written file its name without ever replacing one: True if it was free."""
    try:
        os.link(temporary, target)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
    if target.exists():
        return False
    os.replace(temporary, target)
    return True


def _sync_folder(folder: Path) -> None:
    """Make the new name durable (some file systems refuse fsync on a directory: then the
    file's own fsync is what there is)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _is_temporary(key: str) -> bool:
    return key.rpartition("/")[2].startswith(TEMP_PREFIX)
