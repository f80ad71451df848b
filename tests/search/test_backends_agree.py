"""Whoosh and PostgreSQL find the same records: one generated corpus (benchmarks/search.py's
customer-service records, plus some written in English) indexed by both backends, and for a mix
of typed searches, filters and scopes the same hit codes, totals and facet counts. Order is not
compared: PostgreSQL ranks with ts_rank, Whoosh with BM25F."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.search import DEPARTMENTS, STATES, WORDS, Corpus, Records, a_phrase
from core.db import Database
from search.backend import FACETS, Any, Query, SearchBackend, Term
from search.indexing import SearchDocument
from search.postgres_backend import PostgresBackend
from search.query import Filters, combined, filter_queries, text_query
from search.store import SearchStore
from search.whoosh_backend import WhooshBackend
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.postgres

RECORDS = 2500
ZONE = ZoneInfo("Asia/Shanghai")
ENGLISH = ["refund requested", "screen cracked after delivery", "the courier was late",
           "Customer wants a replacement", "charging port broken", "noisy compressor", "late refunds",
           "replacing the screen", "delivery address wrong"]


def english_documents(count: int, rng: random.Random) -> list[SearchDocument]:
    """Records written in English (the generated ones are Chinese, with digits and codes)."""
    start = datetime(2025, 6, 1, tzinfo=UTC)
    return [SearchDocument(
        code=f"EN-2025-{n:06d}", form="EN", year=2025, state=rng.choice(STATES),
        department=rng.choice(DEPARTMENTS), submitted_at=start + timedelta(hours=7 * n, microseconds=n),
        revision=1, title=f"English {n}", texts=(", ".join(rng.sample(ENGLISH, 2)), f"SO-2025-{n:05d}"))
        for n in range(1, count + 1)]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    made = Records(18).make(RECORDS)
    made.documents.extend(english_documents(200, random.Random(18)))
    return made


@pytest.fixture(scope="module")
def whoosh(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> SearchBackend:
    backend = WhooshBackend(SearchStore(Path(tmp_path_factory.mktemp("whoosh"))))
    backend.build(corpus.documents)
    return backend


@pytest.fixture(scope="module")
def postgres(corpus: Corpus, pg_server: PostgresServer, pg_template: str) -> Iterator[SearchBackend]:
    db = Database(pg_server.create_database(template=pg_template))
    backend = PostgresBackend(db)
    backend.build(corpus.documents)
    yield backend
    db.dispose()


def typed_searches(corpus: Corpus) -> list[tuple[str, str]]:
    """(kind, text) of what people type, drawn from the corpus."""
    rng = random.Random(7)
    documents, phones = corpus.documents, corpus.phones
    phone = rng.choice(phones)
    kinds: dict[str, list[str]] = {
        "2-char word": rng.sample(WORDS, 4),
        "two words": [" ".join(rng.sample(WORDS, 2)) for _ in range(3)],
        "phrase": [a_phrase(corpus, rng) for _ in range(6)],
        "name": rng.sample(corpus.names, 5),
        "single character": ["王", "修", "热", "凯"],
        "phone tail": [p[-4:] for p in rng.sample(phones, 3)] + [phone[-7:]],
        "whole phone": [f"{phone[:3]} {phone[3:7]} {phone[7:]}", f"+86 {phone}",
                        f"+86-{phone[:3]}-{phone[3:]}", phone],
        "code": [d.code for d in rng.sample(documents, 3)]
        + [documents[0].code.lower().replace("-0000", "-")],
        "code prefix": ["CP-", "VR-2025", "RS-2024-", "AR-2026-0001", "EN-"],
        "english": ["refund", "screens", "Delivery late", "courier", "E1", "SO"],
        "order number": [rng.choice(documents).texts[2], "SO-2025-00017"],
        "mixed": ["王 退货", "空调 13", "冰箱漏水 要求退货", "xyz", "SO-2026-88417 退款"],
    }
    return [(kind, typed) for kind, texts in kinds.items() for typed in texts]


FILTERS = [
    Filters(),
    Filters(form="CP", state="closed"),
    Filters(year=2025, department="SALES"),
    Filters(date_from=date(2025, 2, 1), date_to=date(2025, 3, 3)),
    Filters(form="EN", date_from=date(2025, 6, 10)),
    Filters(date_to=date(2024, 1, 31)),
]
SCOPES: list[Query | None] = [None, Term("department", "CS"),
                              Any((Term("department", "FIN"), Term("code", "CP-2024-000001"),
                                   Term("code", "EN-2025-000003")))]


def assert_agree(whoosh: SearchBackend, postgres: SearchBackend, query: Query, scope: Query | None,
                 size: int) -> int:
    """Both backends' hits (every one: one page of the corpus's size) and facet counts."""
    answers = [backend.find(query, scope=scope, facets=FACETS, newest_first=newest, page=1, per_page=size)
               for backend in (whoosh, postgres) for newest in (False, True)]
    codes = [{hit.code for hit in found.page} for found in answers]
    assert codes[0] == codes[1] == codes[2] == codes[3], query
    assert answers[0].total == answers[1].total == len(codes[0])
    assert answers[0].facets == answers[2].facets, query
    assert [hit.code for hit in answers[1].page] == [hit.code for hit in answers[3].page]  # newest first
    assert whoosh.count(query) == postgres.count(query)
    return answers[0].total


def test_typed_searches_agree(corpus: Corpus, whoosh: SearchBackend, postgres: SearchBackend) -> None:
    found_any = 0
    for kind, typed in typed_searches(corpus):
        for scope in SCOPES:
            typed_query = text_query(typed)
            assert typed_query is not None, (kind, typed)
            found_any += assert_agree(whoosh, postgres, typed_query, scope, len(corpus.documents)) > 0
    assert found_any > 60  # the mix finds records, not only nothing


def test_filters_agree(corpus: Corpus, whoosh: SearchBackend, postgres: SearchBackend) -> None:
    for filters in FILTERS:
        for typed in ("", "退货", "refund", "CP-2025"):
            for scope in SCOPES:
                query = combined(text_query(typed), filter_queries(filters, ZONE))
                assert_agree(whoosh, postgres, query, scope, len(corpus.documents))


TYPED = st.text(alphabet=st.sampled_from([*"退货维修客户空调漏水要求王李张明1389056 -+SOCPRSasefund，"]),
                max_size=14)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=TYPED, scoped=st.booleans())
def test_random_typed_text_agrees(corpus: Corpus, whoosh: SearchBackend, postgres: SearchBackend,
                                  typed: str, scoped: bool) -> None:
    query = combined(text_query(typed), [])
    assert_agree(whoosh, postgres, query, SCOPES[1] if scoped else None, len(corpus.documents))
