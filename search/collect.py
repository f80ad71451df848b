"""One search's hits: which records match, how many per facet value, and one page in order.

Whoosh's own collector (``search_page`` with ``groupedby``) scores every hit through a chain of
matcher and scorer objects and asks a column reader for each facet of each hit: about 20 µs a
hit, so a word found in a third of 100,000 records took 0.25 s, a phrase 1.3 s. Here, per index
segment:

- the matching documents are a set (:mod:`search.matching`);
- facet values, dates and field lengths come from lists kept per segment
  (:mod:`search.columns`); counting a facet is ``Counter`` over list lookups, done in C;
- relevance is BM25F with Whoosh's defaults (B 0.75, K1 1.2, Whoosh's idf over the whole index),
  summed over the query's terms in the analysed fields, one pass over each term's postings.
  Ties, and queries without such terms (codes, filters only), go newest first.

The hits and counts are the ones Whoosh's collector finds; the scores are Whoosh's for words
(a phrase scores as the sum of its pairs). benchmarks/search.py times both.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from whoosh.query import Query
from whoosh.searching import Searcher

from search.columns import DATE_FIELD, SegmentColumns, columns_of
from search.matching import SegmentTerms, matching

#: The analysed text fields whose terms count towards relevance.
SCORED_FIELDS = frozenset({"cjk", "words", "tail"})
BM25_B, BM25_K1 = 0.75, 1.2


@dataclass(frozen=True)
class Collected:
    total: int
    facets: dict[str, dict[str, int]]
    page: list[int]  # global document numbers of the page, in order


def collect(searcher: Searcher, query: Query, *, facets: Sequence[str], newest_first: bool, page: int,
            per_page: int) -> Collected:
    """Every match of ``query`` counted per facet value, and page ``page`` of them in order:
    by relevance (then newest), or newest first."""
    terms = [] if newest_first else _scored_terms(searcher, query)  # only relevance needs them
    counts: dict[str, Counter[Any]] = {name: Counter() for name in facets}
    wanted = page * per_page
    ranked: list[tuple[float, int, int]] = []  # each segment's best: (score, date, global docnum)
    total = 0
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        postings = SegmentTerms(reader)
        matched = list(matching(subsearcher, query, postings))
        if not matched:
            continue
        total += len(matched)
        segment = columns_of(reader)
        for name in facets:
            counts[name].update(map(segment.values(name).__getitem__, matched))
        dates = segment.values(DATE_FIELD)
        if newest_first or not terms:
            best = heapq.nlargest(wanted, matched, key=dates.__getitem__)
            ranked.extend((0.0, dates[n], n + offset) for n in best)
        else:
            scores = _scores(searcher, postings, segment, terms, matched)
            best = heapq.nlargest(wanted, matched, key=lambda n: (scores[n], dates[n]))
            ranked.extend((scores[n], dates[n], n + offset) for n in best)
    first = heapq.nlargest(wanted, ranked)[(page - 1) * per_page:]
    ordered_facets = {name: dict(sorted(((str(k), v) for k, v in counter.items()),
                                        key=lambda item: (-item[1], item[0])))
                      for name, counter in counts.items()}
    return Collected(total, ordered_facets, [docnum for *_key, docnum in first])


def _scored_terms(searcher: Searcher, query: Query) -> list[tuple[str, bytes]]:
    """The query's terms in the analysed fields, prefixes expanded to the terms in the index
    (only there: a code prefix would expand to thousands of codes, none of them scored)."""
    reader = searcher.reader()
    found: set[tuple[str, bytes]] = set()
    for leaf in query.leaves():
        if leaf.field() in SCORED_FIELDS:
            found |= leaf.existing_terms(reader, phrases=True, expand=True)
    return sorted(found)


def _scores(searcher: Searcher, postings: SegmentTerms, segment: SegmentColumns,
            terms: list[tuple[str, bytes]], matched: list[int]) -> dict[int, float]:
    """BM25F of each matched document of one segment, as Whoosh's default weighting scores it."""
    scores = dict.fromkeys(matched, 0.0)
    for field, text in terms:
        term = postings.postings(field, text)
        if not term.ids:
            continue  # in another segment only
        idf = searcher.idf(field, text)
        average = searcher.avg_field_length(field) or 1.0
        lengths = segment.lengths(field)
        for docnum, weight in zip(term.ids, term.weights, strict=True):
            if docnum in scores:
                norm = BM25_K1 * ((1 - BM25_B) + BM25_B * lengths[docnum] / average)
                scores[docnum] += idf * weight * (BM25_K1 + 1) / (weight + norm)
    return scores
