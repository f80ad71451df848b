"""Per-segment column values kept in memory: facets, dates, codes and field lengths as lists.

A Whoosh segment's documents never change once written (only which of them are deleted, and
the matchers leave those out), so a column read once into a list stays right for as long as
the segment is open. A refreshed searcher reuses the readers of unchanged segments, so the
lists are kept per reader object and go with it. At 100,000 records all of them (four facets,
dates, codes and dates sorted, two fields' lengths) take 53 MB and 1.0 s to read, once per
searcher after a rebuild or merge (measured on the benchmark's index).
"""

from __future__ import annotations

import mmap
import weakref
from collections.abc import Collection
from pathlib import Path
from typing import Any

from whoosh.codec.whoosh3 import W3Codec
from whoosh.reading import IndexReader

from search.analysis import TEXT_COLUMN

#: The date that orders "newest", breaks ties and answers date ranges.
DATE_FIELD = "submitted_at"


class SegmentColumns:
    """One segment's column values as lists indexed by document number, read on first use."""

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader
        self._values: dict[str, list[Any]] = {}
        self._lengths: dict[str, list[int]] = {}
        self._sorted: dict[str, tuple[list[Any], list[int]]] = {}
        self._texts: SegmentTexts | None = None

    def values(self, field: str) -> list[Any]:
        """The field's column values (facets as strings, dates as sortable integers)."""
        if field not in self._values:
            translate = field != DATE_FIELD  # raw integers order dates without making datetimes
            self._values[field] = list(self._reader.column_reader(field, translate=translate))
        return self._values[field]

    def sorted(self, field: str) -> tuple[list[Any], list[int]]:
        """The field's values in order with the document number of each: a range or prefix of
        values is then found by bisection instead of a walk through the index's terms."""
        if field not in self._sorted:
            pairs = sorted((value, docnum) for docnum, value in enumerate(self.values(field)))
            self._sorted[field] = ([value for value, _docnum in pairs], [docnum for _value, docnum in pairs])
        return self._sorted[field]

    def lengths(self, field: str) -> list[int]:
        """Each document's length in ``field`` (terms), as Whoosh stores it for scoring."""
        if field not in self._lengths:
            length = self._reader.doc_field_length
            self._lengths[field] = [length(n, field, 1) or 1 for n in range(self._reader.doc_count_all())]
        return self._lengths[field]


    def texts(self) -> SegmentTexts:
        """The documents' Chinese text (see :data:`search.analysis.TEXT_COLUMN`)."""
        if self._texts is None:
            self._texts = SegmentTexts(self._reader)
        return self._texts


class SegmentTexts:
    """One segment's ``cjk_text`` column, searched where it lies: the column file is mapped
    into memory (shared with every other reader of it through the page cache), and a document's
    text is the slice the column's offsets give, searched by ``mmap.find`` without copying."""

    def __init__(self, reader: IndexReader) -> None:
        column = reader.column_reader(TEXT_COLUMN, translate=False)  # Whoosh's VarBytesColumn.Reader
        self._starts, self._lengths = column._offsets, column._lengths
        path = Path(reader._storage.folder) / W3Codec.column_filename(reader.segment(), TEXT_COLUMN)
        self._data: mmap.mmap | bytes
        if column._basepos == 0 and path.is_file() and path.stat().st_size:
            with path.open("rb") as file:
                self._data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        else:  # a compound segment: read the column's values into memory
            self._data = column._dbfile.get(column._basepos, sum(column._lengths))

    def containing(self, candidates: Collection[int], needle: str) -> set[int]:
        """The candidates whose text contains ``needle``."""
        encoded, find, starts, lengths = needle.encode(), self._data.find, self._starts, self._lengths
        return {n for n in candidates if find(encoded, starts[n], starts[n] + lengths[n]) >= 0}


_columns: weakref.WeakKeyDictionary[IndexReader, SegmentColumns] = weakref.WeakKeyDictionary()


def columns_of(reader: IndexReader) -> SegmentColumns:
    """The kept columns of a segment's reader (a refreshed searcher reuses unchanged readers)."""
    kept = _columns.get(reader)
    if kept is None:
        kept = _columns[reader] = SegmentColumns(reader)
    return kept


def share(old: IndexReader, new: IndexReader) -> None:
    """Let ``new``, a reader of the same segment as ``old`` (only its deletions differ), use the
    lists ``old`` has read: they describe the same documents."""
    kept = _columns.get(old)
    if kept is not None:
        kept._reader = new
        _columns[new] = kept
