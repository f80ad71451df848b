"""Bringing a kept searcher up to date, reusing the readers of segments that have not changed.

Whoosh's own ``Searcher.refresh`` (whoosh-reloaded 2.7.5, ``FileIndex._reader``) reuses an open
segment reader whenever its segment is still named in the index, and even keeps readers of
segments that are no longer named. Both are wrong for a live index: updating a record deletes
its old version *inside an existing segment* (same segment id, new deleted set), so the reused
reader kept finding a corrected record's old revision; and a segment merged away has had its
files removed, so its kept reader failed or answered from the past. Here a reader is reused
only when its segment is in the new table of contents with exactly the same deleted documents;
every other segment gets a new reader (which shares the old reader's column lists, see
:func:`search.columns.share`: a segment's documents never change, only which are deleted).
"""

from __future__ import annotations

import time

from whoosh.index import FileIndex
from whoosh.reading import EmptyReader, IndexReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from search.columns import share
from search.whoosh_internals import read_toc

#: A writer may remove a merged segment's files while we open it: read the contents again.
ATTEMPTS = 10


def reopened(ix: FileIndex, old: Searcher | None) -> Searcher:
    """A searcher on the index's latest generation; ``old`` (then unusable) lends its readers."""
    for attempt in range(ATTEMPTS):
        try:
            return Searcher(_reader(ix, old), fromindex=ix)
        except OSError:
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def _reader(ix: FileIndex, old: Searcher | None) -> IndexReader:
    toc = read_toc(ix)
    # an empty index's searcher has one EmptyReader, of no segment: nothing to lend
    kept = {r.segment().segment_id(): r for r, _offset in old.reader().leaf_readers()
            if r.segment() is not None} if old else {}
    readers: list[IndexReader] = []
    try:
        for segment in toc.segments:
            previous = kept.get(segment.segment_id())
            if previous is not None and _deleted(previous) == frozenset(segment.deleted_docs()):
                readers.append(kept.pop(segment.segment_id()))
                continue
            reader = SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
            if previous is not None:
                share(previous, reader)
            readers.append(reader)
    except BaseException:
        for reader in readers:
            if not _is_kept(reader, old):
                reader.close()
        raise
    for unused in kept.values():
        unused.close()
    if not readers:
        return EmptyReader(toc.schema)
    return readers[0] if len(readers) == 1 else MultiReader(readers, generation=toc.generation)


def _deleted(reader: IndexReader) -> frozenset[int]:
    segment = reader.segment()
    return frozenset(segment.deleted_docs()) if segment is not None else frozenset()


def _is_kept(reader: IndexReader, old: Searcher | None) -> bool:
    return old is not None and any(reader is r for r, _offset in old.reader().leaf_readers())
