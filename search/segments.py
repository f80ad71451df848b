"""Writing a whole index segment from many documents at once (what a rebuild does).

Whoosh's ``SegmentWriter`` handles every posting several times in Python: a tuple into a pool,
a sort, a spill to temporary files and a merge back, then one call per posting to write it with
a look-up of the document's field length in the column file. At ~200 postings a record that was
85% of a build (cProfile, benchmarks/search.py). Here each term's document numbers and weights
are gathered in two lists as documents arrive, and each term is written a block at a time into
Whoosh's own ``W3`` postings writer, whose block buffers are filled whole. The files are of the
kind Whoosh writes (blocks of :data:`BLOCK` postings, small terms inlined), read by Whoosh's
readers and merged by Whoosh's writer later; ``tests/search/test_segments.py`` compares every
term's postings and statistics with Whoosh's own writer's. Everything per document (stored
fields, columns, field lengths) still goes through Whoosh's per-document writer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from whoosh.fields import FieldType, Schema
from whoosh.filedb.filestore import Storage

from search.index_schema import TermFrequency
from search.whoosh_internals import (
    Block,
    Segment,
    W3Codec,
    W3FieldWriter,
    frequency_values,
    quantised_length,
    write_inlined_term,
    write_term_in_blocks,
)

#: Postings per block, as Whoosh's codec writes them.
BLOCK = 1024
#: Terms with fewer postings than this keep them in their term entry.
INLINE = 8


class TermPostings:
    """One term's postings in document order: document numbers, weights, encoded values."""

    __slots__ = ("ids", "values", "weights")

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.weights: list[float] = []  # a TermFrequency field's counts, as ints
        self.values: list[bytes] = []


class SegmentBuilder:
    """Documents in, one finished segment out (:meth:`finish`); not thread-safe, one per process."""

    def __init__(self, storage: Storage, schema: Schema, indexname: str = "MAIN") -> None:
        self.storage, self.schema = storage, schema
        self.codec = W3Codec()
        self.segment = self.codec.new_segment(storage, indexname)
        self.perdoc = self.codec.per_document_writer(storage, self.segment)
        self.inverted: dict[str, dict[Any, TermPostings]] = {}
        self.lengths: dict[str, dict[int, int]] = {}  # field → document → length, for block stats
        self.docnum = 0

    def add(self, fields: dict[str, Any]) -> None:
        """One document, as ``SegmentWriter.add_document`` takes it (no boosts, no vectors)."""
        perdoc, docnum = self.perdoc, self.docnum
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            value = fields[name]
            if value is None:
                continue
            field = self.schema[name]
            length = self._index(name, field, value) if field.indexed else 0
            if length and field.scorable:  # as Whoosh reads it back: quantised to a byte
                self.lengths.setdefault(name, {})[docnum] = quantised_length(length)
            perdoc.add_field(name, field, value if field.stored else None, length if field.scorable else 0)
            if field.column_type:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self.docnum += 1

    def _index(self, name: str, field: FieldType, value: Any) -> int:
        """Gather the field's postings for this document; returns its length (sum of freqs)."""
        inverted = self.inverted.setdefault(name, {})
        get, docnum = inverted.get, self.docnum
        if isinstance(field.format, TermFrequency) and not isinstance(value, str):
            for term, count in Counter(value).items():  # terms kept as str until written
                postings = get(term)
                if postings is None:
                    postings = inverted[term] = TermPostings()
                postings.ids.append(docnum)
                postings.weights.append(count)
            return len(value)
        length = 0
        for term, frequency, weight, encoded in field.index(value):
            postings = get(term)
            if postings is None:
                postings = inverted[term] = TermPostings()
            postings.ids.append(docnum)
            postings.weights.append(weight)
            postings.values.append(encoded)
            length += frequency
        return length

    def finish(self) -> Segment:
        """Write the postings and close the segment's files; returns the segment for the TOC."""
        self.perdoc.close()
        writer = self.codec.field_writer(self.storage, self.segment)
        for name in sorted(self.inverted):
            self._write_field(writer, name)
        writer.close()
        self.segment.set_doc_count(self.docnum)
        return self.segment

    def _write_field(self, writer: W3FieldWriter, name: str) -> None:
        field = self.schema[name]
        writer.start_field(name, field)
        frequencies = isinstance(field.format, TermFrequency)
        lengths = self.lengths.get(name, {})
        terms = self.inverted.pop(name)
        for term in sorted(terms):  # str and UTF-8 bytes sort alike
            btext = term.encode() if isinstance(term, str) else term
            _write_postings(writer, btext, terms[term], lengths, frequencies)
        writer.finish_field()


def _write_postings(writer: W3FieldWriter, btext: bytes, postings: TermPostings, lengths: dict[int, int],
                    frequencies: bool) -> None:
    """A term's postings, a block at a time through the postings writer's block buffer; a term
    with fewer than :data:`INLINE` postings is kept in its term entry instead (Whoosh's
    "inlined" postings: no block, no pickled block header, no compression; most terms are phone
    and order numbers found in one record)."""
    if len(postings.ids) < INLINE:
        write_inlined_term(writer, btext, _block(postings, 0, lengths, frequencies))
    else:
        write_term_in_blocks(writer, btext, _blocks(postings, lengths, frequencies))


def _blocks(postings: TermPostings, lengths: dict[int, int], frequencies: bool) -> Iterator[Block]:
    for start in range(0, len(postings.ids), BLOCK):
        yield _block(postings, start, lengths, frequencies)


def _block(postings: TermPostings, start: int, lengths: dict[int, int], frequencies: bool) -> Block:
    """One block of postings from ``start``, with the block's stats."""
    ids = postings.ids[start:start + BLOCK]
    weights = postings.weights[start:start + BLOCK]
    # a Frequency field's values are its counts; others carry their own (Existence: none)
    values = frequency_values(weights) if frequencies else postings.values[start:start + BLOCK]
    known = [lengths[n] for n in ids if n in lengths]
    return Block(ids, weights, values, min(known) if known else None, max(known) if known else 0)
