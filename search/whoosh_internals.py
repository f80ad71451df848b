"""Every use of Whoosh's internals, in one module, for one exact release of Whoosh.

Search reads and writes Whoosh's ``W3`` codec files itself where Whoosh's Python objects are
too slow (see :mod:`search.segments`, :mod:`search.postings`, :mod:`search.columns`,
:mod:`search.reopen`, :mod:`search.parallel`). That means touching attributes and functions
Whoosh does not publish; their meaning can change in any release without notice, and a
different Whoosh would then silently misread or miswrite segments. So:

- they are used here only, behind named functions (``tests/search/test_whoosh_fence.py``
  fails on a ``._private`` attribute of another object anywhere else in ``search/``);
- the one release they were read from is :data:`DISTRIBUTION` :data:`VERSION`, pinned exactly
  in ``pyproject.toml``; :func:`check_installed` refuses any other at start-up
  (``search.init_app``), and another Whoosh distribution installed beside it;
- the index records that release with its schema version (:data:`search.index_schema.INDEX_VERSION`),
  so another Whoosh rebuilds the index instead of reading segments it did not write.

Upgrading Whoosh: change the pin and :data:`VERSION` together, read the new release's
``whoosh/codec/whoosh3.py``, ``whoosh/columns.py``, ``whoosh/index.py`` for the names below,
and run ``tests/search`` (the differential tests compare our writer, matching, scoring and
columns with Whoosh's own).

What is used, as whoosh-reloaded 2.7.5 defines it
---------------------------------------------------
Writing a segment's postings (``whoosh.codec.whoosh3``):

- ``W3FieldWriter._postwriter``: the field's ``W3PostingsWriter`` (set by ``start_field``).
- ``W3FieldWriter._tindex``: the segment's term index (an ``OrderedHashWriter``); a term's entry
  is keyed ``pack_ushort(W3FieldWriter._fieldid) + term bytes``, valued ``W3TermInfo.to_bytes()``.
- ``W3FieldWriter._fieldid``: the number of the field being written, in the segment's field map.
- ``W3PostingsWriter._new_block()``: empties the block buffer; ``_write_block()`` writes the
  buffer as one block (adding its statistics to the term's info) and empties it.
- The block buffer: ``_ids`` (``array("I")`` of document numbers), ``_weights``
  (``array("f")``), ``_values`` (a list of encoded values, empty for ``Existence``),
  ``_maxweight``, ``_minlength`` (``None`` when no document has a length), ``_maxlength`` (0).
- ``W3TermInfo.add_block`` / ``set_inlined``: a term's statistics from a block buffer, and its
  postings kept in its term entry ("inlined": Whoosh's own writer never inlines, its reader
  reads them).
- ``whoosh.system.pack_uint`` (``Frequency``'s value: a posting's count, big-endian ``uint``),
  ``pack_ushort``; ``whoosh.util.numeric.length_to_byte`` / ``byte_to_length`` (a field length
  quantised to one byte, as Whoosh stores it for scoring).

Reading postings: ``W3LeafMatcher`` (a term's postings in blocks; its ``FilterMatcher`` wrapper
leaves deleted documents out), ``_read_data()`` (loads the current block into ``_data``:
``(ids, weights, values)``, ids as deltas from 0 unless ``_byteids``, weights ``None`` when all
are 1.0 or one number when all are equal), ``_next_block()``.

Reading columns (``whoosh.columns``): ``VarBytesColumn.Reader._offsets`` / ``_lengths`` (each
document's value's place in the column's data), ``_basepos`` (where the data starts in its file:
0 for a column file of its own, more inside a compound segment), ``_dbfile`` (the open
``StructFile``; ``get(position, length)`` reads bytes); ``NumericColumn.Reader._count``
(documents stored; later ones hold ``_default``), ``_fixedlen``, ``_typecode`` (``struct``
code, stored big-endian); ``SegmentReader._perdoc`` (the segment's per-document reader, which
holds the ``_<field>_len`` length columns the schema does not name; ``LENGTHS_COLUMN`` their
column type); ``W3Codec.column_filename``.

Index contents (``whoosh.index``): ``FileIndex._read_toc()`` (the latest table of contents),
``TOC`` and ``clean_files`` (write a generation's contents, remove files no segment uses).

Opening a segment's files at once (:class:`PinnedSegmentReader`): ``SegmentReader._perdoc``
(made in ``__init__`` by the codec's ``per_document_reader``), ``W3PerDocReader._colfiles``
(column name → ``(open file, offset, length)``, filled by ``_get_column_file`` on first use)
and ``has_column`` (asked before every column read: it looks for the file on disk);
``W3Codec.COLUMN_EXT`` (a column file is ``<segment id>.<column name>.col``);
``StructFile.file`` (the open file object).
"""

from __future__ import annotations

import mmap
import os
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import numpy as np
import whoosh
from whoosh.codec.base import Segment
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PerDocReader,
    W3TermInfo,
)
from whoosh.columns import ColumnReader, NumericColumn, VarBytesColumn
from whoosh.index import TOC, FileIndex, clean_files
from whoosh.matching import Matcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader, SegmentReader
from whoosh.system import pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

__all__ = [
    "DISTRIBUTION",
    "RELEASE",
    "VERSION",
    "Block",
    "PinnedSegmentReader",
    "Segment",
    "UnsupportedWhoosh",
    "W3Codec",
    "W3FieldWriter",
    "check_installed",
    "commit_segments",
    "field_length_column",
    "frequency_value",
    "frequency_values",
    "in_blocks",
    "installed",
    "length_of_byte",
    "numeric_values",
    "quantised_length",
    "read_toc",
    "term_blocks",
    "text_column",
    "var_bytes_values",
    "without_deletions",
    "write_inlined_term",
    "write_term_in_blocks",
]

#: The distribution whose internals this module was written against, and its exact version.
DISTRIBUTION = "whoosh-reloaded"
VERSION = "2.7.5"
#: How an index records the Whoosh that wrote it (see :data:`search.index_schema.INDEX_VERSION`).
RELEASE = f"{DISTRIBUTION}=={VERSION}"
#: The distributions that install the same ``whoosh`` package: one installed over another
#: mixes their files (and uninstalling the other one later removes files both wrote).
WHOOSH_DISTRIBUTIONS = ("Whoosh", "whoosh-reloaded", "whoosh3")


class UnsupportedWhoosh(RuntimeError):
    """The installed Whoosh is not the one this module's internals were read from."""


def installed() -> str:
    """What provides the ``whoosh`` package here: ``name==version`` (several joined by ``, ``),
    or a note that Whoosh is missing."""
    found = [f"{name}=={version}" for name in (DISTRIBUTION, *_others(WHOOSH_DISTRIBUTIONS))
             if (version := _version(name)) is not None]
    if not found:  # another fork, perhaps (reading every distribution's metadata is slow: ~0.3 s)
        found = [f"{name}=={_version(name)}"
                 for name in sorted(set(_others(metadata.packages_distributions().get("whoosh", []))))]
    return ", ".join(found) or "no Whoosh distribution"


def _others(names: Iterable[str]) -> list[str]:
    return [name for name in names if name.lower() != DISTRIBUTION.lower()]


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def check_installed() -> None:
    """Refuse to run against any Whoosh but :data:`RELEASE`: its internals may differ."""
    found = installed()
    imported = ".".join(str(part) for part in whoosh.__version__)
    if found != RELEASE or imported != VERSION:
        raise UnsupportedWhoosh(
            f"search needs {RELEASE} (pinned in pyproject.toml; search/whoosh_internals.py reads its "
            f"codec's internals) but found {found} (the imported whoosh package says {imported}): "
            f"install {RELEASE}, or port search/whoosh_internals.py to the other release")


# ---- writing a segment's postings -------------------------------------------------------

_COUNTS = [pack_uint(n) for n in range(256)]


def frequency_value(count: int) -> bytes:
    """The value Whoosh's ``Frequency`` format stores with a posting: its count."""
    return _COUNTS[count] if count < len(_COUNTS) else pack_uint(count)


def frequency_values(counts: Iterable[int]) -> list[bytes]:
    """:func:`frequency_value` of each count (one call for a block: rebuilds write millions)."""
    known = len(_COUNTS)
    return [_COUNTS[n] if n < known else pack_uint(n) for n in counts]


def quantised_length(length: int) -> int:
    """A field length as Whoosh reads it back: stored in one byte, so rounded."""
    return byte_to_length(length_to_byte(length))


def length_of_byte(byte: int) -> int:
    """The field length a stored length byte stands for (0 for no length)."""
    return byte_to_length(byte)


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a term's postings, with the statistics Whoosh keeps per block."""

    ids: Sequence[int]  # document numbers, ascending
    weights: Sequence[float]
    values: list[bytes]  # each posting's encoded value (none for Existence)
    minlength: int | None  # shortest field length among its documents (None: none known)
    maxlength: int  # longest (0: none known)


def write_inlined_term(writer: W3FieldWriter, term: bytes, block: Block) -> None:
    """A term whose few postings are kept in its term entry (no block in the postings file)."""
    out = writer._postwriter
    out._new_block()
    _load(out, block)
    info = W3TermInfo()
    info.add_block(out)
    info.set_inlined(out._ids, out._weights, out._values)
    writer._tindex.add(pack_ushort(writer._fieldid) + term, info.to_bytes())


def write_term_in_blocks(writer: W3FieldWriter, term: bytes, blocks: Iterable[Block]) -> None:
    """A term's postings a block at a time through the field's postings writer, whose buffer is
    filled whole; the last block is written by ``finish_term``, which marks it last."""
    writer.start_term(term)
    out = writer._postwriter
    for number, block in enumerate(blocks):
        if number:
            out._write_block()  # the previous block; empties the buffer
        _load(out, block)
    writer.finish_term()


def _load(out: Any, block: Block) -> None:
    out._ids = array("I", block.ids)
    out._weights = array("f", block.weights)
    out._maxweight = float(max(block.weights))
    out._values = block.values
    out._minlength = block.minlength
    out._maxlength = block.maxlength


# ---- reading postings -------------------------------------------------------------------

def without_deletions(matcher: Matcher) -> Matcher:
    """The matcher under Whoosh's wrapper that leaves deleted documents out."""
    return matcher.child if isinstance(matcher, FilterMatcher) else matcher


def in_blocks(matcher: Matcher) -> bool:
    """Whether the postings are in the postings file's blocks (not inlined in the term entry)."""
    return isinstance(matcher, W3LeafMatcher)


def term_blocks(matcher: Matcher) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """A block matcher's postings a block at a time: (document numbers int64, weights float64),
    decoded from each block's data whole instead of a posting per call."""
    while matcher.is_active():
        matcher._read_data()
        raw_ids, raw_weights = matcher._data[0], matcher._data[1]
        ids = np.array(raw_ids, dtype=np.int64)
        ids = ids if matcher._byteids else np.cumsum(ids)  # stored as deltas from 0
        if raw_weights is None or isinstance(raw_weights, float | int):  # all 1, or all the same
            weights = np.full(len(ids), 1.0 if raw_weights is None else raw_weights)
        else:
            weights = np.array(raw_weights, dtype=np.float64)
        yield ids, weights
        matcher._next_block()


# ---- reading columns --------------------------------------------------------------------

def var_bytes_values(column: ColumnReader) -> list[bytes] | None:
    """Each document's value of a variable-length column, sliced from the column's data read
    in one go (Whoosh's reader seeks and reads once per document); None for another kind of
    column reader (a segment without the column gives its defaults)."""
    if not isinstance(column, VarBytesColumn.Reader):
        return None
    starts, lengths = column._offsets, column._lengths
    size = (starts[-1] + lengths[-1]) if len(lengths) else 0
    data = column._dbfile.get(column._basepos, size) if size else b""
    return [data[start:start + length] for start, length in zip(starts, lengths, strict=True)]


def numeric_values(column: ColumnReader, size: int) -> np.ndarray | None:
    """A numeric column's values for ``size`` documents, read whole: the stored ones
    (big-endian), then the column's default for the documents after the last stored one (as
    Whoosh's reader gives them); None for another kind of column reader."""
    if not isinstance(column, NumericColumn.Reader):
        return None
    stored = np.frombuffer(column._dbfile.get(column._basepos, column._count * column._fixedlen),
                           dtype=np.dtype(column._typecode).newbyteorder(">"))
    return np.concatenate([stored, np.full(size - column._count, column._default, dtype=stored.dtype)])


def field_length_column(reader: IndexReader, field: str) -> ColumnReader | None:
    """The column of each document's length in ``field`` (one byte each, see
    :func:`length_of_byte`), or None when the segment has none."""
    perdoc, name = reader._perdoc, f"_{field}_len"
    return perdoc.column_reader(name, LENGTHS_COLUMN) if perdoc.has_column(name) else None


def text_column(reader: IndexReader, field: str) -> tuple[Sequence[int], Sequence[int], mmap.mmap | bytes]:
    """A variable-length column where it lies: each document's offset and length, and the data
    they index: the column file mapped into memory (shared with every other reader of it
    through the page cache), or, inside a compound segment, its data read into memory."""
    column = reader.column_reader(field, translate=False)  # Whoosh's VarBytesColumn.Reader
    starts, lengths = column._offsets, column._lengths
    opened = column._dbfile.file  # mapped from the reader's open file: its path may be gone
    if column._basepos == 0 and hasattr(opened, "fileno") and os.fstat(opened.fileno()).st_size:
        return starts, lengths, mmap.mmap(opened.fileno(), 0, access=mmap.ACCESS_READ)
    return starts, lengths, column._dbfile.get(column._basepos, sum(lengths))


# ---- index contents ---------------------------------------------------------------------

def read_toc(ix: FileIndex) -> TOC:
    """The index's latest table of contents (its schema, generation and segments)."""
    return ix._read_toc()


def commit_segments(ix: FileIndex, segments: list[Segment]) -> None:
    """Make ``segments`` the index's contents as its next generation and remove the files no
    segment uses. The caller holds the index's write lock."""
    generation = ix.latest_generation() + 1
    TOC(ix.schema, segments, generation).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, generation, segments)


# ---- a segment's files, opened together -------------------------------------------------

class PinnedSegmentReader(SegmentReader):
    """A segment reader holding every file of its segment open from the start.

    Whoosh's reader opens the term and posting files at once but each column file (stored
    fields, facets, dates, field lengths) when first read, and asks the disk whether a column
    exists before each read. A writer's commit that merges the segment away deletes its files;
    a file already open stays readable (POSIX), one not yet opened is gone, and Whoosh then
    answers "no such column" (``stored_fields`` fails on ``None``; lengths silently become
    defaults). So here every column file is opened in ``__init__`` and ``has_column`` answers
    from them. Opening them races the writer just as before: :func:`search.reopen.reopened`
    checks, after opening, that the segment was still in the index (see there)."""

    def __init__(self, storage: Any, schema: Any, segment: Segment, generation: int | None = None) -> None:
        super().__init__(storage, schema, segment, generation=generation)
        if not segment.is_compound():  # a compound segment is one file, opened above
            self._perdoc = _PinnedPerDocReader(self._storage, segment)


class _PinnedPerDocReader(W3PerDocReader):
    def __init__(self, storage: Any, segment: Segment) -> None:
        super().__init__(storage, segment)
        prefix, ext = f"{segment.segment_id()}.", W3Codec.COLUMN_EXT
        try:
            for filename in segment.list_files(storage):
                if filename.startswith(prefix) and filename.endswith(ext):
                    name = filename[len(prefix):-len(ext)]
                    self._colfiles[name] = self._get_column_file(name)
        except BaseException:
            self.close()
            raise

    def has_column(self, fieldname: str) -> bool:
        return fieldname in self._colfiles
