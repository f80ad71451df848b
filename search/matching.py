"""Which documents of one index segment a query matches, as a mask over its document numbers.

Whoosh answers this (``Query.docs``) by walking matcher objects a posting at a time: an AND of
two common words costs ~3 µs per posting, a phrase ~25 µs per candidate record, all in Python.
The queries :mod:`search.query` makes are few in kind (terms, prefixes, phrases of pairs, AND,
OR, filters), so they are evaluated here with numpy boolean masks instead (one byte per
document of the segment): a term's postings are read a block at a time and kept for the rest
of the search (:class:`SegmentTerms`; large ones for longer, :mod:`search.postings`), AND and
OR are array operations, and a phrase looks for itself in the Chinese text (a column) of only
the records that hold all its pairs; code prefixes and date ranges are bisections of a sorted
column (:mod:`search.columns`). Any other kind of query is left to Whoosh. Deleted documents
are removed once, at the end. ``tests/search/test_matching.py`` checks every kind against Whoosh.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import pairwise

import numpy as np
from whoosh.query import And, DateRange, Every, NullQuery, Or, Phrase, Prefix, Query, Term
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from search.columns import DATE_FIELD, SegmentColumns, columns_of
from search.postings import Postings, read_postings

#: ID fields whose prefixes are looked up in their sorted column instead of term by term.
SORTED_PREFIX_FIELDS = frozenset({"code"})


class SegmentTerms:
    """The postings of one segment's terms, each looked up once per search (a phrase's pairs
    are needed for matching and again for scoring); large ones are kept longer, per process
    (:mod:`search.postings`)."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self.size = reader.doc_count_all()
        self._read: dict[tuple[str, bytes], Postings] = {}

    def postings(self, field: str, text: str | bytes) -> Postings:
        # one key for a term whether a query names it as text (matching) or as bytes (scoring)
        key = (field, text.encode() if isinstance(text, str) else text)
        if key not in self._read:
            self._read[key] = read_postings(self.reader, field, text)
        return self._read[key]

    def docs(self, field: str, text: str | bytes) -> np.ndarray:
        return self.mask(self.postings(field, text).ids)

    def mask(self, docnums: np.ndarray | Iterable[int] = ()) -> np.ndarray:
        """A fresh mask over the segment, set at ``docnums``."""
        mask = np.zeros(self.size, dtype=bool)
        mask[docnums if isinstance(docnums, np.ndarray) else np.fromiter(docnums, dtype=np.int64)] = True
        return mask


def matching(searcher: Searcher, query: Query, terms: SegmentTerms | None = None) -> np.ndarray:
    """The live documents of the (one-segment) ``searcher`` that ``query`` matches, as a mask
    over its document numbers."""
    reader = searcher.reader()
    terms = terms or SegmentTerms(reader)
    if not terms.size:  # an empty index (Whoosh's EmptyReader has no columns to read)
        return terms.mask()
    found = _evaluate(searcher, terms, query)
    if reader.has_deletions():
        found &= ~terms.mask(reader.deleted_docs_set)
    return found


def matched(searcher: Searcher, query: Query) -> list[int]:
    """The document numbers :func:`matching` finds, in order."""
    return np.flatnonzero(matching(searcher, query)).tolist()


def _evaluate(searcher: Searcher, terms: SegmentTerms, query: Query) -> np.ndarray:
    if isinstance(query, Term):
        return terms.docs(query.fieldname, query.text)
    if isinstance(query, And):
        return _combine(np.logical_and, [_evaluate(searcher, terms, q) for q in query.subqueries], terms)
    if isinstance(query, Or):
        return _combine(np.logical_or, [_evaluate(searcher, terms, q) for q in query.subqueries], terms)
    if isinstance(query, Every):
        return ~terms.mask()
    if query is NullQuery:
        return terms.mask()
    if isinstance(query, Prefix) and query.fieldname in SORTED_PREFIX_FIELDS:
        return terms.mask(_prefix_docs(columns_of(terms.reader), query.fieldname, query.text))
    if isinstance(query, Prefix):  # one mask for all the terms (a prefix can expand to hundreds)
        found = terms.mask()
        for field, text in query.existing_terms(terms.reader, expand=True):
            found[terms.postings(field, text).ids] = True
        return found
    if isinstance(query, DateRange) and query.fieldname == DATE_FIELD:
        return terms.mask(_range_docs(columns_of(terms.reader), query))
    if isinstance(query, Phrase) and query.slop == 1 and query.words:
        return _phrase_docs(terms, query.fieldname, query.words)
    return terms.mask(query.docs(searcher))  # deleted ones included; matching() removes them


def _combine(operation: np.ufunc, masks: list[np.ndarray], terms: SegmentTerms) -> np.ndarray:
    if not masks:
        return terms.mask()
    found = masks[0]
    for mask in masks[1:]:
        operation(found, mask, out=found)
    return found


def _prefix_docs(columns: SegmentColumns, field: str, prefix: str) -> np.ndarray:
    """Documents whose ``field`` value starts with ``prefix``, by bisecting the sorted column
    (``CP-2026-`` names thousands of codes: a term each, too many to read one by one). The
    values that start with it lie from ``prefix`` up to the first value past every one of them:
    ``prefix`` with its last character raised by one."""
    values, docnums = columns.sorted(field)
    start = bisect_left(values, prefix)
    end = bisect_left(values, prefix[:-1] + chr(ord(prefix[-1]) + 1)) if prefix else len(values)
    return docnums[start:end]


def _range_docs(columns: SegmentColumns, query: DateRange) -> np.ndarray:
    """Documents dated within the range, by bisecting the sorted date column (which holds
    Whoosh's own integer form of the dates, the form the query carries too)."""
    values, docnums = columns.sorted(DATE_FIELD)
    low, high = 0, len(values)
    if query.start is not None:
        low = (bisect_right if query.startexcl else bisect_left)(values, query.start)
    if query.end is not None:
        high = (bisect_left if query.endexcl else bisect_right)(values, query.end)
    return docnums[low:high]


def _phrase_docs(terms: SegmentTerms, field: str, words: Sequence[str]) -> np.ndarray:
    """Records whose Chinese text holds the phrase whose consecutive pairs are ``words``: the
    records that hold every pair, then, in those only, the phrase itself in the text column."""
    if field != "cjk" or any(a[1] != b[0] for a, b in pairwise(words)):
        raise ValueError(f"not a phrase of consecutive pairs in cjk: {field} {list(words)}")
    candidates = _combine(np.logical_and, [terms.docs(field, word) for word in words], terms)
    phrase = words[0] + "".join(word[1:] for word in words[1:])
    texts = columns_of(terms.reader).texts()
    return terms.mask(texts.containing(np.flatnonzero(candidates).tolist(), phrase))
