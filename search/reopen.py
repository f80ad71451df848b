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

A writer's commit may merge a segment away and delete its files at any moment, also while a
search reads it. A file already open stays readable (POSIX), so every reader made here opens
all its segment's files at once (:class:`search.whoosh_internals.PinnedSegmentReader`; Whoosh's
own opens column files on first read, and a search that first read a merged-away segment's
stored fields answered 500). Opening them can still lose that race, and nothing tells a reader
it did (Whoosh has no read lock; a column file missing from the listing looks like a column the
segment never had). What does tell is the index itself: a commit deletes only the files of
segments its new table of contents no longer names, and a segment never comes back. So once
the files are open, a segment still named by the latest contents had all its files when they
were opened; one that is not may have lost some, and the searcher is made again from the
newer contents (:class:`SegmentGone`). That is the one retry on a changed generation, and it is
exact: it happens only when a commit really removed a segment being opened.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from whoosh.index import TOC, FileIndex
from whoosh.reading import EmptyReader, IndexReader, MultiReader
from whoosh.searching import Searcher

from search.columns import release, share
from search.whoosh_internals import PinnedSegmentReader, read_toc

#: A writer may remove a merged segment's files while we open it: read the contents again.
ATTEMPTS = 10
PAUSE_SECONDS = 0.02


class SegmentGone(Exception):
    """A segment being opened was merged away (its files deleted) before all were open."""


def reopened(ix: FileIndex, old: Searcher | None) -> Searcher:
    """A searcher on the index's latest generation; ``old`` (then unusable) lends its readers.
    Made again when a file named by the contents was removed before it was opened (an
    ``OSError``: the contents or a segment replaced by a commit meanwhile) or a segment was
    merged away while its files were being opened (:class:`SegmentGone`)."""
    for attempt in range(ATTEMPTS):
        try:
            return Searcher(_reader(ix, old), fromindex=ix)
        except (OSError, SegmentGone):
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(PAUSE_SECONDS)
    raise AssertionError("unreachable")


def close(searcher: Searcher) -> None:
    """Close a kept searcher for good, with the column data its readers mapped into memory
    (otherwise held, file and all, until garbage collection)."""
    for reader, _offset in searcher.reader().leaf_readers():
        release(reader)
    searcher.close()


def _reader(ix: FileIndex, old: Searcher | None) -> IndexReader:
    toc = read_toc(ix)
    # an empty index's searcher has one EmptyReader, of no segment: nothing to lend
    kept = {r.segment().segment_id(): r for r, _offset in old.reader().leaf_readers()
            if r.segment() is not None} if old else {}
    readers: list[IndexReader] = []
    fresh: list[IndexReader] = []
    lenders: list[tuple[IndexReader, IndexReader]] = []  # (old reader, new reader) of a segment
    try:
        for segment in toc.segments:
            previous = kept.get(segment.segment_id())
            if previous is not None and _deleted(previous) == frozenset(segment.deleted_docs()):
                readers.append(kept.pop(segment.segment_id()))
                continue
            reader = PinnedSegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
            fresh.append(reader)
            readers.append(reader)
            if previous is not None:
                lenders.append((previous, reader))
        _check_still_named(ix, toc, fresh)
    except BaseException:
        _close(fresh)
        raise
    for previous, reader in lenders:  # only now: a retry lends them again
        share(previous, reader)
    _close(kept.values())
    if not readers:
        return EmptyReader(toc.schema)
    return readers[0] if len(readers) == 1 else MultiReader(readers, generation=toc.generation)


def _check_still_named(ix: FileIndex, toc: TOC, opened: list[IndexReader]) -> None:
    """Raise :class:`SegmentGone` when a segment of ``opened`` is no longer in the index."""
    if not opened or ix.latest_generation() == toc.generation:
        return  # no newer contents: no commit has deleted anything since ``toc``
    named = {segment.segment_id() for segment in read_toc(ix).segments}
    gone = [r.segment().segment_id() for r in opened if r.segment().segment_id() not in named]
    if gone:
        raise SegmentGone(f"segments {', '.join(gone)} were merged away while being opened")


def _close(readers: Iterable[IndexReader]) -> None:
    for reader in readers:
        release(reader)
        reader.close()


def _deleted(reader: IndexReader) -> frozenset[int]:
    segment = reader.segment()
    return frozenset(segment.deleted_docs()) if segment is not None else frozenset()
