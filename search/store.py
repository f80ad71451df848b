"""Where the index lives: ``<instance>/search/``, one folder per build, a pointer to the current.

A rebuild writes a complete new folder and then replaces the ``CURRENT`` pointer atomically, so
searches never see a half-built index; each folder records the version it was built with (the
schema's and the Whoosh release's, :data:`search.index_schema.INDEX_VERSION`), and an index of
another version counts as missing (it must be rebuilt).

Opening a Whoosh searcher reads every segment's term and column files into memory: about 200 ms
for 100,000 records, more than a whole query. So each thread keeps its searcher per index and
only refreshes it (one look at the table of contents, reusing unchanged segments) per search,
with :func:`search.reopen.reopened` rather than Whoosh's ``refresh`` (which kept stale deletions).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index
from whoosh.index import FileIndex, Index
from whoosh.searching import Searcher

from search.backend import BackendUnavailable
from search.index_schema import INDEX_VERSION, SCHEMA_VERSION, make_schema
from search.reopen import ATTEMPTS, PAUSE_SECONDS, close, reopened

POINTER = "CURRENT"
VERSION_FILE = "SCHEMA_VERSION"


#: Searchers a thread keeps open (one per index root; tests open many instances).
KEPT_SEARCHERS = 4
_kept = threading.local()


@dataclass(frozen=True)
class Kept:
    """A thread's searcher and the index generation it shows."""

    folder: Path
    ix: FileIndex
    generation: int
    searcher: Searcher


class IndexUnavailable(BackendUnavailable):
    """No usable Whoosh index (never built, or built with another schema): the message says what
    to run. Callers catch :class:`search.backend.BackendUnavailable`, whatever the backend."""


def instance_search_store(instance_path: str | Path) -> SearchStore:
    """The index of an instance: ``<instance>/search``."""
    return SearchStore(Path(instance_path) / "search")


def _open_dir(folder: Path) -> FileIndex:
    """The index in ``folder``. Opening reads the latest contents file, which a commit may
    replace (and delete) between Whoosh listing the folder and reading it: then list again."""
    for attempt in range(ATTEMPTS):
        try:
            return index.open_dir(str(folder))
        except FileNotFoundError:
            if attempt == ATTEMPTS - 1 or not folder.is_dir():
                raise
            time.sleep(PAUSE_SECONDS)
    raise AssertionError("unreachable")


class SearchStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def current_dir(self) -> Path | None:
        try:
            name = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        folder = self.root / name
        return folder if name and folder.parent == self.root and folder.is_dir() else None

    def problem(self) -> str | None:
        """Why there is no usable index, or None."""
        folder = self.current_dir()
        if folder is None:
            return "the search index has not been built"
        try:
            version: str | None = (folder / VERSION_FILE).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            version = None
        if version != INDEX_VERSION:
            return (f"the search index was built with schema version {version}, "
                    f"this code uses {INDEX_VERSION}")
        return None

    def open(self) -> Index:
        return self._open_current()[1]

    def _open_current(self) -> tuple[Path, FileIndex]:
        problem = self.problem()
        folder = self.current_dir()
        if problem or folder is None:
            raise IndexUnavailable(f"{problem}: run `flask --app wsgi search rebuild`")
        return folder, _open_dir(folder)

    def searcher(self) -> Searcher:
        """This thread's searcher on the current index, brought up to date. Do not close it."""
        kept: OrderedDict[Path, Kept] = _kept.__dict__.setdefault("searchers", OrderedDict())
        folder = self.current_dir()
        entry = kept.pop(self.root, None)
        if entry is not None and entry.folder == folder and self.problem() is None:
            generation = entry.ix.latest_generation()
            if generation != entry.generation:
                entry = Kept(folder, entry.ix, generation, reopened(entry.ix, entry.searcher))
        else:
            if entry is not None:
                close(entry.searcher)  # an older build, replaced by a rebuild
            folder, ix = self._open_current()
            generation = ix.latest_generation()
            entry = Kept(folder, ix, generation, reopened(ix, None))
        kept[self.root] = entry
        while len(kept) > KEPT_SEARCHERS:
            close(kept.popitem(last=False)[1].searcher)
        return entry.searcher

    def new_build(self) -> tuple[Path, Index]:
        """An empty index in a fresh folder, not yet current."""
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        folder = Path(tempfile.mkdtemp(prefix=f"index-v{SCHEMA_VERSION}-{stamp}-", dir=self.root))
        (folder / VERSION_FILE).write_text(INDEX_VERSION, encoding="utf-8")
        return folder, index.create_in(str(folder), make_schema())

    def make_current(self, folder: Path) -> None:
        """Point searches at ``folder`` (one atomic rename), then remove the older builds."""
        pointer = self.root / f".{POINTER}.tmp"
        pointer.write_text(folder.name, encoding="utf-8")
        os.replace(pointer, self.root / POINTER)
        for other in self.root.glob("index-*"):
            if other != folder and other.is_dir():
                shutil.rmtree(other, ignore_errors=True)
