"""One search's hits: which records match, how many per facet value, and one page in order.

Whoosh's own collector (``search_page`` with ``groupedby``) scores every hit through a chain of
matcher and scorer objects and asks a column reader for each facet of each hit: about 20 µs a
hit, so a word found in a third of 100,000 records took 0.25 s, a phrase 1.3 s. Here, per index
segment:

- the matching documents are a numpy mask (:mod:`search.matching`);
- facet codes, dates and field lengths are numpy arrays kept per segment
  (:mod:`search.columns`); counting a facet is one ``bincount`` over the matched documents;
- relevance is BM25F with Whoosh's defaults (B 0.75, K1 1.2, Whoosh's idf over the whole index),
  summed over the query's terms in the analysed fields, one array operation per term; only the
  records at or above the page's lowest score are sorted. Ties, and queries without such terms
  (codes, filters only), go newest first, then by the later record.

The hits and counts are the ones Whoosh's collector finds; the scores are Whoosh's for words
(a phrase scores as the sum of its pairs). benchmarks/search.py times both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from whoosh.query import Query
from whoosh.searching import Searcher

from search.columns import SegmentColumns, columns_of
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
    by relevance (then newest, then the later record), or newest first."""
    terms = [] if newest_first else _scored_terms(searcher, query)  # only relevance needs them
    counts: dict[str, Counter[str]] = {name: Counter() for name in facets}
    wanted = page * per_page
    ranked: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # per segment: scores, dates, docnums
    total = 0
    for subsearcher, offset in searcher.leaf_searchers():
        postings = SegmentTerms(subsearcher.reader())
        mask = matching(subsearcher, query, postings)
        docs = np.flatnonzero(mask)
        if not len(docs):
            continue
        total += len(docs)
        segment = columns_of(subsearcher.reader())
        for name in facets:
            codes, labels = segment.facet(name)
            found = np.bincount(codes[docs], minlength=len(labels))
            counts[name].update({labels[i]: int(found[i]) for i in np.flatnonzero(found)})
        dates = segment.dates()[docs]
        scores = _scores(searcher, postings, segment, terms)[docs] if terms else np.zeros(len(docs))
        best = _best(scores, dates, docs, wanted)
        ranked.append((scores[best], dates[best], docs[best] + offset))
    ordered_facets = {name: dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))
                      for name, counter in counts.items()}
    return Collected(total, ordered_facets, _page(ranked, page, per_page))


def _page(ranked: list[tuple[np.ndarray, np.ndarray, np.ndarray]], page: int, per_page: int) -> list[int]:
    """Page ``page`` of the segments' best, by (score, date, global docnum), best first: one
    sort of arrays (a deep page wants thousands, too many to rank as Python tuples)."""
    if not ranked:
        return []
    scores, dates, docnums = (np.concatenate(parts) for parts in zip(*ranked, strict=True))
    order = np.lexsort((docnums, dates, scores))[::-1]  # last key sorts first
    return docnums[order[(page - 1) * per_page:page * per_page]].tolist()


def count(searcher: Searcher, query: Query) -> int:
    """How many live documents match ``query`` (no facets, no order)."""
    return sum(int(np.count_nonzero(matching(subsearcher, query)))
               for subsearcher, _offset in searcher.leaf_searchers())


def _best(scores: np.ndarray, dates: np.ndarray, docs: np.ndarray, wanted: int) -> np.ndarray:
    """Positions of the ``wanted`` best by (score, date, docnum), best first. Only the records
    scoring at least the ``wanted``-th best score are sorted (ties at that score included)."""
    if len(scores) > wanted:
        threshold = np.partition(scores, len(scores) - wanted)[len(scores) - wanted]
        keep = np.flatnonzero(scores >= threshold)
    else:
        keep = np.arange(len(scores))
    order = np.lexsort((docs[keep], dates[keep], scores[keep]))[::-1]  # last key sorts first
    return keep[order[:wanted]]


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
            terms: list[tuple[str, bytes]]) -> np.ndarray:
    """BM25F of every document of one segment (0 where no term is), as Whoosh's default
    weighting scores it: the same double-precision operations in the same order."""
    scores = np.zeros(postings.size, dtype=np.float64)
    for field, text in terms:
        term = postings.postings(field, text)
        if not len(term.ids):
            continue  # in another segment only
        idf = searcher.idf(field, text)
        average = searcher.avg_field_length(field) or 1.0
        weight = term.weights
        norm = BM25_K1 * ((1 - BM25_B) + BM25_B * segment.lengths(field)[term.ids] / average)
        scores[term.ids] += idf * weight * (BM25_K1 + 1) / (weight + norm)
    return scores
