"""A term's postings in one index segment as numpy arrays; the large ones kept per process.

Reading a term's postings decodes every block of it (~8 µs a block of 128 postings). The terms
searches name most are the large ones: every code search names a form code and a year (in
30,000 and 19,000 of 50,000 records of a segment at 100,000 records), a clerk's scope names
their department, a common word is in thousands of records. Read per search, they cost
milliseconds each and grow with the archive.

A segment's postings never change once written: updating a record deletes its old document
inside the segment (matching leaves deleted documents out at the end; they are in these
arrays) and adds the new one to a new segment, and a merge writes a new segment under a new id.
So postings read once are right for as long as that segment is searched, and the large ones
are kept, by index folder and segment id, in one store per process, least recently used first
out, bounded in bytes (:data:`KEPT_BYTES`; nothing is ever invalidated: a merged-away or
rebuilt-away segment's postings are simply no longer asked for and age out). Small terms are
read every time: that is as cheap as keeping them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh.reading import IndexReader, TermNotFound

from search.whoosh_internals import in_blocks, term_blocks, without_deletions

#: Bytes of postings a process keeps (16 per posting: 1,000,000 postings).
KEPT_BYTES = 16 * 2**20
#: Terms with fewer postings than this are read every time (at most a few blocks).
KEPT_FROM = 1024


@dataclass(frozen=True)
class Postings:
    """One term's postings in one segment, deleted documents included. Read-only arrays:
    the same ones are handed to every search."""

    ids: np.ndarray  # document numbers, ascending
    weights: np.ndarray  # float64

    @property
    def nbytes(self) -> int:
        return int(self.ids.nbytes + self.weights.nbytes)


NO_POSTINGS = Postings(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
SegmentKey = tuple[str, str]


class KeptPostings:
    """Postings by (index folder, segment id, field, term), least recently used dropped first
    once more than ``limit`` bytes are kept. Shared by the threads of a process."""

    def __init__(self, limit: int = KEPT_BYTES) -> None:
        self.limit = limit
        self.size = 0
        self._kept: OrderedDict[tuple[str, str, str, bytes], Postings] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str, bytes]) -> Postings | None:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def put(self, key: tuple[str, str, str, bytes], postings: Postings) -> None:
        if postings.nbytes > self.limit:
            return
        with self._lock:
            if key in self._kept:
                return
            self._kept[key] = postings
            self.size += postings.nbytes
            while self.size > self.limit:
                self.size -= self._kept.popitem(last=False)[1].nbytes

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self.size = 0


KEPT = KeptPostings()


def read_postings(reader: IndexReader, field: str, text: str | bytes) -> Postings:
    """The postings of ``text`` in ``field`` of the one segment ``reader`` reads: kept ones
    from :data:`KEPT`, others read (and kept when large)."""
    segment = segment_key(reader)
    if segment is None:
        return _read(reader, field, text)
    key = (*segment, field, text.encode() if isinstance(text, str) else text)
    found = KEPT.get(key)
    if found is None:
        found = _read(reader, field, text)
        if len(found.ids) >= KEPT_FROM:
            KEPT.put(key, found)
    return found


def segment_key(reader: IndexReader) -> SegmentKey | None:
    """What names a segment's files for good: its index folder and its (random) segment id;
    None for a reader of no segment or of an index not in a folder (nothing kept then)."""
    segment = reader.segment()
    folder = getattr(reader.storage(), "folder", None)
    if segment is None or not isinstance(folder, str):
        return None
    return folder, segment.segment_id()


def _read(reader: IndexReader, field: str, text: str | bytes) -> Postings:
    """A term's postings a block at a time, each block's data taken whole instead of a posting
    per call: that is what makes matching fast (:func:`search.whoosh_internals.term_blocks`;
    tests/search/test_matching.py checks the result against Whoosh's own matchers). Deleted
    documents are in them (Whoosh filters those in a wrapper, unwrapped here)."""
    try:
        matcher = reader.postings(field, text)
    except TermNotFound:
        return NO_POSTINGS
    leaf = without_deletions(matcher)
    if not in_blocks(leaf):  # inlined in the term entry: a posting at a time
        ids: list[int] = []
        weights: list[float] = []
        while leaf.is_active():
            ids.append(leaf.id())
            weights.append(leaf.weight())
            leaf.next()
        return _frozen(np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64))
    id_blocks: list[np.ndarray] = []
    weight_blocks: list[np.ndarray] = []
    for ids, weights in term_blocks(leaf):
        id_blocks.append(ids)
        weight_blocks.append(weights)
    if not id_blocks:
        return NO_POSTINGS
    return _frozen(np.concatenate(id_blocks), np.concatenate(weight_blocks))


def _frozen(ids: np.ndarray, weights: np.ndarray) -> Postings:
    ids.flags.writeable = weights.flags.writeable = False
    return Postings(ids, weights)
