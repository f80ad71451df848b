"""Code prefixes found by bisecting the sorted codes (both ends), and deep pages ordered as one
list across segments (search.collect sorts the segments' best as arrays)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from whoosh.searching import Searcher

from search.collect import collect
from search.indexing import SearchDocument, build, put
from search.matching import matched
from search.store import SearchStore
from tests.support.whoosh_oracle import whoosh_query

FORMS = ("CP", "CQ", "VR", "RS")


def document(rng: random.Random, n: int) -> SearchDocument:
    form, year = rng.choice(FORMS), rng.choice((2024, 2025, 2026))
    words = rng.sample(["外包装破损", "表面有划痕", "客户要求退货", "说明书缺失", "颜色不符"], 2)
    return SearchDocument(code=f"{form}-{year}-{n:06d}", form=form, year=year, state="submitted",
                          department="CS", submitted_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(
                              hours=rng.randrange(50) if n % 3 else 7),  # ties on the date too
                          revision=1, title="", texts=("，".join(words),))


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    rng = random.Random(7)
    store = SearchStore(Path(tmp_path_factory.mktemp("deep")))
    build(store, (document(rng, n).fields() for n in range(1, 200)))
    put(store.open(), [document(rng, n) for n in range(200, 260)])  # more segments
    put(store.open(), [document(rng, n) for n in range(260, 300)])
    searcher = store.searcher()
    assert len(searcher.leaf_searchers()) >= 3
    return searcher


@pytest.mark.parametrize("prefix", ["CP-", "CP-2025-", "CP-2026", "CQ-2024-", "VR-", "RS-202", "XX-"])
def test_a_code_prefix_finds_exactly_the_codes_that_start_with_it(searcher: Searcher, prefix: str) -> None:
    query = whoosh_query(prefix)
    assert "Prefix" in repr(query)
    ours = {searcher.stored_fields(n + offset)["code"]
            for sub, offset in searcher.leaf_searchers() for n in matched(sub, query)}
    every = {searcher.stored_fields(n)["code"] for n in range(searcher.doc_count_all())}
    assert ours == {code for code in every if code.startswith(prefix)}


@pytest.mark.parametrize("text", ["破损", "CP-", "客户 退货"])
@pytest.mark.parametrize("newest_first", [False, True])
def test_pages_one_after_another_are_one_long_page(searcher: Searcher, text: str, newest_first: bool) -> None:
    query = whoosh_query(text)
    whole = collect(searcher, query, facets=(), newest_first=newest_first, page=1, per_page=300)
    assert whole.total > 40 and len(whole.page) == whole.total
    pages = [collect(searcher, query, facets=(), newest_first=newest_first, page=page, per_page=7).page
             for page in range(1, whole.total // 7 + 2)]
    assert [n for page in pages for n in page] == whole.page
    assert pages[-1] == whole.page[(len(pages) - 1) * 7:] and pages[-1]  # the last page, partly filled
    dates = [searcher.stored_fields(n)["submitted_at"] for n in whole.page]
    if newest_first:  # newest first, and the later record first among records of one moment
        keys = list(zip(dates, whole.page, strict=True))
        assert all(a > b for a, b in pairwise(keys))
