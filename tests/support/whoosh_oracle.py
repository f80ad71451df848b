"""What Whoosh's own matchers and collector answer: the oracle that search's matching and
collecting are checked against (tests/search/test_matching.py, and with every posting kept in memory,
tests/search/test_kept_postings.py); and the random documents they are checked on.

The index keeps no positions, so for a phrase Whoosh is given its pairs (AND) and the hits are
then checked against the stored text with ``in``: :func:`oracle`.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from whoosh import sorting
from whoosh.query import And, DateRange, Every, NullQuery, Phrase, Query, Term
from whoosh.searching import Searcher

from search.collect import collect
from search.indexing import SearchDocument
from search.matching import matched
from search.query import text_query
from search.service import FACETS
from search.whoosh_backend import to_whoosh

CLAUSES = ["外包装破损", "表面有划痕", "客户要求退货", "哈哈哈哈", "延迟交货三天", "说明书缺失",
           "Scratches found", "颜色不符", "包装受潮", "运输途中损坏", "王小明跟进", "欧阳娜娜回电",
           "外包装完好", "安装破裂", "轻微破损"]  # all the pairs of 外包装破损, not as that phrase
TEXTS = ["外包装破损", "划痕", "退货", "哈哈哈", "外包装 退货", "包装", "外", "损", "scratch", "王小明",
         "欧阳", "8000", "13800138000", "装破损", "破损表", "交货三天", "CP-2026-", "CP-2026-000007",
         "不存在的词", "受潮 颜色不符",
         # issue 15: numbers in groups (joined, national, group by group), codes as code or text
         "138 0013", "+86 138-0013-8000", "cp-2026-7", "SO-2026-0815 划痕"]


#: The moment every 50th document carries exactly (date range boundaries are compared on it).
EXACT = datetime(2026, 1, 1) + timedelta(hours=100)


def document(rng: random.Random, n: int, revision: int = 1) -> SearchDocument:
    """Record CP-2026-``n``: five of :data:`CLAUSES` and a phone, form, year, state, department
    and date drawn from ``rng`` (the same seed, the same documents)."""
    form = rng.choice(("CP", "VR", "RS"))
    text = "，".join(rng.sample(CLAUSES, 5)) + f"。电话138{rng.randrange(10**8):08d}"
    hours = 100 if n % 50 == 0 else rng.randrange(5000)  # every 50th exactly at EXACT
    return SearchDocument(
        code=f"CP-2026-{n:06d}", form=form, year=rng.choice((2025, 2026)),
        state=rng.choice(("submitted", "closed")), department=rng.choice(("CS", "SALES")),
        submitted_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=hours),
        revision=revision, title="", texts=(text,))


def queries() -> list[Query]:
    """Every kind of query search.query makes, on :data:`TEXTS`, alone and filtered; date ranges."""
    found: list[Query] = []
    for text in TEXTS:
        typed = text_query(text)
        assert typed is not None
        query = to_whoosh(typed)
        found += [query, And([query, Term("department", "CS")]), And([query, Term("form", "VR")])]
    start = datetime(2026, 2, 1)
    return [*found, Every(), NullQuery(), Term("form", "RS"),
            And([Term("state", "closed"), Term("year", "2025")]),
            DateRange("submitted_at", start, start + timedelta(days=60)),
            DateRange("submitted_at", start, None), DateRange("submitted_at", None, start),
            DateRange("submitted_at", EXACT, EXACT), DateRange("submitted_at", EXACT, None, startexcl=True),
            DateRange("submitted_at", None, EXACT, endexcl=True), whoosh_query("CP-2026-00001")]


def whoosh_query(text: str) -> Query:
    """What ``text`` typed asks the Whoosh backend (search.query's query, compiled)."""
    typed = text_query(text)
    assert typed is not None
    return to_whoosh(typed)


def without_phrases(query: Query) -> Query:
    """The query with each phrase replaced by the AND of its pairs (what Whoosh can answer)."""
    return query.accept(lambda q: And([Term("cjk", w) for w in q.words]) if isinstance(q, Phrase) else q)


def oracle(searcher: Searcher, query: Query) -> set[int]:
    """The documents ``query`` must match, found by Whoosh and the stored text alone."""
    found = set(searcher.docs_for_query(without_phrases(query)))
    for phrase in (leaf for leaf in query.leaves() if isinstance(leaf, Phrase)):
        text = phrase.words[0] + "".join(word[1] for word in phrase.words[1:])
        found = {n for n in found if text in searcher.stored_fields(n)["body"]}
    return found


def hits(searcher: Searcher, text: str) -> set[int]:
    """The documents ``text`` must find."""
    return oracle(searcher, whoosh_query(text))


def the_sets_are_whooshs(searcher: Searcher) -> None:
    """Our matching gives, for every query, the set Whoosh's matchers and the stored text give."""
    phrases = 0
    for query in queries():
        ours = {n + offset for sub, offset in searcher.leaf_searchers() for n in matched(sub, query)}
        assert ours == oracle(searcher, query), query
        phrases += ours != set(searcher.docs_for_query(without_phrases(query)))
    assert phrases >= 3  # some records held a phrase's pairs but not the phrase: the check was tested
    pairs = whoosh_query("外包 包装 装破 破损")
    assert len(set(searcher.docs_for_query(pairs))) > len(hits(searcher, "外包装破损"))


def counts_facets_and_scores_are_whooshs(searcher: Searcher) -> None:
    """Our collector's totals, facets, pages and scores are Whoosh's collector's, for every query."""
    weighted = 0
    for query in queries():
        ours = collect(searcher, query, facets=FACETS, newest_first=False, page=1, per_page=400)
        whoosh = searcher.search(without_phrases(query), filter=oracle(searcher, query), limit=None,
                                 groupedby=list(FACETS), maptype=sorting.Count)
        assert ours.total == len(whoosh), query
        for name in FACETS:
            assert ours.facets[name] == {str(k): v for k, v in whoosh.groups(name).items()}, (query, name)
        assert sorted(ours.page) == sorted(hit.docnum for hit in whoosh)
        if "Prefix" not in repr(query):  # Whoosh scores those otherwise (a phrase: as its pairs, as we do)
            scores = {hit.docnum: round(hit.score, 4) for hit in whoosh}
            assert [scores[n] for n in ours.page] == sorted(scores.values(), reverse=True), query
            weighted += len(set(scores.values())) > 1
    assert weighted >= 5  # the scores did differ between records: the ordering was tested
