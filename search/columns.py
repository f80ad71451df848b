"""Per-segment column values kept in memory: facets, dates and field lengths as numpy arrays,
codes and dates as sorted lists, the Chinese text mapped from its file.

A Whoosh segment's documents never change once written (only which of them are deleted, and
matching leaves those out), so a column read once stays right for as long as the segment is
open. A refreshed searcher reuses the readers of unchanged segments, and a new reader of a
segment whose deletions changed takes over the old one's columns (:func:`share`). Facets are
kept as small integer codes per document with the list of their labels, so that counting them
over the matched documents is one ``numpy.bincount``.
"""

from __future__ import annotations

import mmap
import weakref
from collections.abc import Iterable
from typing import Any

import numpy as np
from whoosh.reading import IndexReader

from search.analysis import TEXT_COLUMN
from search.whoosh_internals import (
    field_length_column,
    length_of_byte,
    numeric_values,
    text_column,
    var_bytes_values,
)

#: The date that orders "newest", breaks ties and answers date ranges.
DATE_FIELD = "submitted_at"


class SegmentColumns:
    """One segment's columns, read on first use."""

    def __init__(self, reader: IndexReader) -> None:
        # weakly: the columns are kept by their reader (:data:`_columns`), and a strong
        # reference back would keep both, and the mapped text file, alive for good
        self._owner = weakref.ref(reader)
        self._facets: dict[str, tuple[np.ndarray, list[str]]] = {}
        self._lengths: dict[str, np.ndarray] = {}
        self._sorted: dict[str, tuple[list[Any], np.ndarray]] = {}
        self._dates: np.ndarray | None = None
        self._texts: SegmentTexts | None = None

    def _values(self, field: str) -> list[str]:
        return [value.decode() for value in _var_bytes(self._reader, field)]

    def facet(self, field: str) -> tuple[np.ndarray, list[str]]:
        """Each document's value of ``field`` as an index into the returned labels."""
        if field not in self._facets:
            values = _var_bytes(self._reader, field)
            seen: dict[bytes, int] = {}
            codes = np.fromiter((seen.setdefault(value, len(seen)) for value in values), dtype=np.int32,
                                count=len(values))
            self._facets[field] = (codes, [label.decode() for label in seen])
        return self._facets[field]

    def dates(self) -> np.ndarray:
        """Each document's date as Whoosh's sortable unsigned integer (no datetimes made)."""
        if self._dates is None:
            # unsigned, as Whoosh stores them: a document without a date holds the column's
            # default, 2**64 - 1 (sorted newest, as Whoosh's own sort does)
            self._dates = _numbers(self._reader.column_reader(DATE_FIELD, translate=False),
                                   self._reader.doc_count_all()).astype(np.uint64)
        return self._dates

    def sorted(self, field: str) -> tuple[list[Any], np.ndarray]:
        """The field's values in order with the document number of each: a range or prefix of
        values is then found by bisection instead of a walk through the index's terms."""
        if field not in self._sorted:  # dates: the integers dates() has read (Python ints again)
            values = self.dates().tolist() if field == DATE_FIELD else self._values(field)
            pairs = sorted((value, docnum) for docnum, value in enumerate(values))
            self._sorted[field] = ([value for value, _docnum in pairs],
                                   np.array([docnum for _value, docnum in pairs], dtype=np.int64))
        return self._sorted[field]

    def lengths(self, field: str) -> np.ndarray:
        """Each document's length in ``field`` (terms), as Whoosh stores it for scoring (one
        byte a document; no byte, or no lengths at all, count as 1)."""
        if field not in self._lengths:
            column, size = field_length_column(self._reader, field), self._reader.doc_count_all()
            if column is not None:
                self._lengths[field] = _BYTE_LENGTHS[_numbers(column, size).astype(np.intp)]
            else:
                self._lengths[field] = np.ones(size, dtype=np.float64)
        return self._lengths[field]

    @property
    def _reader(self) -> IndexReader:
        reader = self._owner()
        if reader is None:  # its reader is gone: no search can hold these columns any more
            raise ReferenceError("the segment reader of these columns was closed")
        return reader

    def owned_by(self, reader: IndexReader) -> bool:
        return self._owner() is reader

    def move_to(self, reader: IndexReader) -> None:
        """Read the columns not read yet from ``reader``, a newer reader of the same segment."""
        self._owner = weakref.ref(reader)

    def close(self) -> None:
        """Unmap the text column (its file's space on disk is freed once the file is deleted)."""
        if self._texts is not None:
            self._texts.close()
            self._texts = None

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
        self._data: mmap.mmap | bytes
        self._starts, self._lengths, self._data = text_column(reader, TEXT_COLUMN)

    def close(self) -> None:
        if isinstance(self._data, mmap.mmap):
            self._data.close()

    def containing(self, candidates: Iterable[int], needle: str) -> list[int]:
        """The candidates whose text contains ``needle``."""
        encoded, find, starts, lengths = needle.encode(), self._data.find, self._starts, self._lengths
        return [n for n in candidates if find(encoded, starts[n], starts[n] + lengths[n]) >= 0]


#: Whoosh's length byte → the length it stands for (0, no length: 1).
_BYTE_LENGTHS = np.array([length_of_byte(byte) or 1 for byte in range(256)], dtype=np.float64)


def _var_bytes(reader: IndexReader, field: str) -> list[bytes]:
    """Each document's value of a variable-length column, sliced from the column's data read
    whole: Whoosh's own reader seeks and reads once per document (~1 s for four facets of
    100,000 records, the first search of every worker)."""
    column = reader.column_reader(field, translate=False)
    values = var_bytes_values(column)
    return list(column) if values is None else values  # None: a segment without the column


def _numbers(column: Any, size: int) -> np.ndarray:
    """A numeric column's values, read whole: the stored ones (big-endian), then its default
    for the documents after the last stored one (as Whoosh's reader gives them)."""
    values = numeric_values(column, size)
    return np.array(list(column)) if values is None else values


_columns: weakref.WeakKeyDictionary[IndexReader, SegmentColumns] = weakref.WeakKeyDictionary()


def columns_of(reader: IndexReader) -> SegmentColumns:
    """The kept columns of a segment's reader (a refreshed searcher reuses unchanged readers)."""
    kept = _columns.get(reader)
    if kept is None:
        kept = _columns[reader] = SegmentColumns(reader)
    return kept


def share(old: IndexReader, new: IndexReader) -> None:
    """Let ``new``, a reader of the same segment as ``old`` (only its deletions differ), use the
    columns ``old`` has read: they describe the same documents."""
    kept = _columns.get(old)
    if kept is not None:
        kept.move_to(new)
        _columns[new] = kept


def release(reader: IndexReader) -> None:
    """Forget the columns of a reader being closed, and unmap them unless a newer reader of its
    segment took them over (:func:`share`). Without this, a searcher kept across many commits
    kept every merged-away segment's text file mapped (and a descriptor of it open): 300 commits,
    300 deleted files still holding their disk space."""
    kept = _columns.pop(reader, None)
    if kept is not None and kept.owned_by(reader):
        kept.close()
