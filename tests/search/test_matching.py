"""Our set evaluation and collector give exactly what Whoosh's own matchers and collector give.

The index has several segments and deleted documents (records updated after the build), as a
live index does; every kind of query :mod:`search.query` makes is compared with Whoosh. The
index keeps no positions, so for a phrase Whoosh is given its pairs (AND) and the hits are then
checked against the stored text with ``in``: :func:`oracle`.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from whoosh import scoring, sorting
from whoosh.query import And, DateRange, Every, NullQuery, Phrase, Query, Term
from whoosh.searching import Searcher

from search.collect import collect
from search.indexing import SearchDocument, build, put
from search.matching import matched
from search.query import text_query
from search.service import FACETS
from search.store import SearchStore

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
    form = rng.choice(("CP", "VR", "RS"))
    text = "，".join(rng.sample(CLAUSES, 5)) + f"。电话138{rng.randrange(10**8):08d}"
    hours = 100 if n % 50 == 0 else rng.randrange(5000)  # every 50th exactly at EXACT
    return SearchDocument(
        code=f"CP-2026-{n:06d}", form=form, year=rng.choice((2025, 2026)),
        state=rng.choice(("submitted", "closed")), department=rng.choice(("CS", "SALES")),
        submitted_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=hours),
        revision=revision, title="", texts=(text,))


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    rng = random.Random(11)
    store = SearchStore(Path(tmp_path_factory.mktemp("matching")))
    build(store, (document(rng, n).fields() for n in range(1, 301)))
    ix = store.open()
    put(ix, [document(rng, n) for n in range(301, 341)])  # a second segment
    put(ix, [document(rng, n, revision=2) for n in range(1, 400, 9)])  # updates: deletions, a third
    searcher = store.searcher()
    assert len(searcher.leaf_searchers()) >= 2 and searcher.reader().has_deletions()
    return searcher


def queries() -> list[Query]:
    found: list[Query] = []
    for text in TEXTS:
        query = text_query(text)
        assert query is not None
        found += [query, And([query, Term("department", "CS")]), And([query, Term("form", "VR")])]
    start = datetime(2026, 2, 1)
    return [*found, Every(), NullQuery(), Term("form", "RS"),
            And([Term("state", "closed"), Term("year", "2025")]),
            DateRange("submitted_at", start, start + timedelta(days=60)),
            DateRange("submitted_at", start, None), DateRange("submitted_at", None, start),
            DateRange("submitted_at", EXACT, EXACT), DateRange("submitted_at", EXACT, None, startexcl=True),
            DateRange("submitted_at", None, EXACT, endexcl=True), text_query("CP-2026-00001")]


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


def test_the_sets_are_whooshs(searcher: Searcher) -> None:
    phrases = 0
    for query in queries():
        ours = {n + offset for sub, offset in searcher.leaf_searchers() for n in matched(sub, query)}
        assert ours == oracle(searcher, query), query
        phrases += ours != set(searcher.docs_for_query(without_phrases(query)))
    assert phrases >= 3  # some records held a phrase's pairs but not the phrase: the check was tested
    pairs = text_query("外包 包装 装破 破损")
    assert pairs is not None and len(set(searcher.docs_for_query(pairs))) > len(hits(searcher, "外包装破损"))


def hits(searcher: Searcher, text: str) -> set[int]:
    query = text_query(text)
    assert query is not None
    return oracle(searcher, query)


def test_counts_facets_and_scores_are_whooshs(searcher: Searcher) -> None:
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


def test_pages_and_newest_first(searcher: Searcher) -> None:
    query = text_query("外包装破损")
    assert query is not None
    every = collect(searcher, query, facets=(), newest_first=True, page=1, per_page=1000).page
    dates = [searcher.stored_fields(n)["submitted_at"] for n in every]
    assert len(every) > 40 and dates == sorted(dates, reverse=True)
    pages = [collect(searcher, query, facets=(), newest_first=True, page=page, per_page=7).page
             for page in (1, 2, 3)]
    assert [n for page in pages for n in page] == every[:21]
    assert scoring.BM25F().B == 0.75 and scoring.BM25F().K1 == 1.2  # the parameters search.collect copies


def test_segments_are_separate_files(searcher: Searcher) -> None:
    """Whoosh copies a compound segment into memory whole when a searcher opens it (see
    search.indexing.COMPOUND_SEGMENTS): builds and updates must leave separate files."""
    folder = Path(searcher._ix.storage.folder)
    assert list(folder.glob("*.pst")) and not list(folder.glob("*.seg"))


def test_a_document_without_a_date_is_found_and_sorts_newest(tmp_path: Path) -> None:
    """SearchDocuments always carry a date, but an index written otherwise may lack one: the date
    column then holds Whoosh's default (2**64 - 1), which must not break the search."""
    rng = random.Random(3)
    fields = [document(rng, n).fields() for n in (1, 2, 3)]
    del fields[1]["submitted_at"]
    store = SearchStore(tmp_path)
    build(store, fields)
    searcher = store.searcher()
    newest = collect(searcher, Every(), facets=FACETS, newest_first=True, page=1, per_page=10)
    assert newest.total == 3 and newest.page[0] == 1  # the dateless one first, as Whoosh sorts it
    assert collect(searcher, Every(), facets=(), newest_first=False, page=1, per_page=10).total == 3
