"""Which documents of one index segment a query matches, as a set of document numbers.

Whoosh answers this (``Query.docs``) by walking matcher objects a posting at a time: an AND of
two common words costs ~3 µs per posting, a phrase ~25 µs per candidate record, all in Python.
The queries :mod:`search.query` makes are few in kind (terms, prefixes, phrases of pairs, AND,
OR, filters), so they are evaluated here with sets instead: a term's postings are read a block
at a time and kept for the rest of the search (:class:`SegmentTerms`), AND and OR are set
operations done in C, and a phrase looks for itself in the Chinese text (a column) of only the
records that hold all its pairs; code prefixes and date ranges are bisections of a sorted column
(:mod:`search.columns`). Any other kind of query (``Every``, …) is left to Whoosh.
Deleted documents are removed once, at the end. ``tests/search/test_matching.py`` checks every
kind against Whoosh.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, DateRange, Or, Phrase, Prefix, Query, Term
from whoosh.reading import IndexReader, TermNotFound
from whoosh.searching import Searcher

from search.columns import DATE_FIELD, SegmentColumns, columns_of


@dataclass(frozen=True)
class Postings:
    """One term's postings in one segment, deleted documents included."""

    ids: list[int]
    weights: list[float]

    def docs(self) -> set[int]:
        return set(self.ids)


NO_POSTINGS = Postings([], [])
#: ID fields whose prefixes are looked up in their sorted column instead of term by term.
SORTED_PREFIX_FIELDS = frozenset({"code"})


class SegmentTerms:
    """The postings of one segment's terms, each read from disk once per search (a phrase's
    pairs are needed for matching and again for scoring)."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self._read: dict[tuple[str, str | bytes], Postings] = {}

    def postings(self, field: str, text: str | bytes) -> Postings:
        key = (field, text)
        if key not in self._read:
            self._read[key] = _read_postings(self.reader, field, text)
        return self._read[key]


def matching(searcher: Searcher, query: Query, terms: SegmentTerms | None = None) -> set[int]:
    """The live documents of the (one-segment) ``searcher`` that ``query`` matches."""
    reader = searcher.reader()
    found = _evaluate(searcher, terms or SegmentTerms(reader), query)
    return found - reader.deleted_docs_set if reader.has_deletions() else found


def _evaluate(searcher: Searcher, terms: SegmentTerms, query: Query) -> set[int]:
    if isinstance(query, Term):
        return terms.postings(query.fieldname, query.text).docs()
    if isinstance(query, And):
        parts = sorted((_evaluate(searcher, terms, q) for q in query.subqueries), key=len)
        return parts[0].intersection(*parts[1:]) if parts else set()
    if isinstance(query, Or):
        return set().union(*(_evaluate(searcher, terms, q) for q in query.subqueries))
    if isinstance(query, Prefix) and query.fieldname in SORTED_PREFIX_FIELDS:
        return _prefix_docs(columns_of(terms.reader), query.fieldname, query.text)
    if isinstance(query, Prefix):
        return set().union(*(terms.postings(field, text).docs()
                             for field, text in query.existing_terms(terms.reader, expand=True)))
    if isinstance(query, DateRange) and query.fieldname == DATE_FIELD:
        return _range_docs(columns_of(terms.reader), query)
    if isinstance(query, Phrase) and query.slop == 1 and query.words:
        return _phrase_docs(terms, query.fieldname, query.words)
    return set(query.docs(searcher))  # deleted ones included; matching() removes them


def _prefix_docs(columns: SegmentColumns, field: str, prefix: str) -> set[int]:
    """Documents whose ``field`` value starts with ``prefix``, by bisecting the sorted column
    (``CP-2026-`` names thousands of codes: a term each, too many to read one by one)."""
    values, docnums = columns.sorted(field)
    start = bisect_left(values, prefix)
    end = start
    while end < len(values) and values[end].startswith(prefix):
        end += 1
    return set(docnums[start:end])


def _range_docs(columns: SegmentColumns, query: DateRange) -> set[int]:
    """Documents dated within the range, by bisecting the sorted date column (which holds
    Whoosh's own integer form of the dates, the form the query carries too)."""
    values, docnums = columns.sorted(DATE_FIELD)
    low, high = 0, len(values)
    if query.start is not None:
        low = (bisect_right if query.startexcl else bisect_left)(values, query.start)
    if query.end is not None:
        high = (bisect_left if query.endexcl else bisect_right)(values, query.end)
    return set(docnums[low:high])


def _phrase_docs(terms: SegmentTerms, field: str, words: Sequence[str]) -> set[int]:
    """Records whose Chinese text holds the phrase whose consecutive pairs are ``words``: the
    records that hold every pair, then, in those only, the phrase itself in the text column."""
    if field != "cjk" or any(a[1] != b[0] for a, b in pairwise(words)):
        raise ValueError(f"not a phrase of consecutive pairs in cjk: {field} {list(words)}")
    docs = sorted((terms.postings(field, word).docs() for word in words), key=len)
    candidates = docs[0].intersection(*docs[1:])
    if not candidates:
        return candidates
    phrase = words[0] + "".join(word[1:] for word in words[1:])
    return columns_of(terms.reader).texts().containing(candidates, phrase)


def _read_postings(reader: IndexReader, field: str, text: str | bytes) -> Postings:
    """A term's postings a block at a time. Whoosh's on-disk matcher keeps each block as
    arrays; taking them whole, instead of a posting per call, is what makes this module fast.
    The arrays are internals of Whoosh's codec (Whoosh 2.7 is final: they will not move).
    Deleted documents are in them (Whoosh filters those in a wrapper, unwrapped here)."""
    try:
        matcher = reader.postings(field, text)
    except TermNotFound:
        return NO_POSTINGS
    leaf = matcher.child if isinstance(matcher, FilterMatcher) else matcher
    ids: list[int] = []
    weights: list[float] = []
    if not isinstance(leaf, W3LeafMatcher):  # not Whoosh's usual codec: a posting at a time
        while leaf.is_active():
            ids.append(leaf.id())
            weights.append(leaf.weight())
            leaf.next()
        return Postings(ids, weights)
    while leaf.is_active():
        leaf._read_data()
        raw_ids = leaf._data[0]
        ids.extend(raw_ids if leaf._byteids else accumulate(raw_ids))  # stored as deltas
        leaf._read_weights()
        weights.extend(leaf._weights)
        leaf._next_block()
    return Postings(ids, weights)
