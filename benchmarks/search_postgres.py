"""The PostgreSQL search backend (search.postgres_backend) on benchmarks/search.py's records.

    .venv/bin/python benchmarks/search_postgres.py [--records 100000] [--queries 40] [--whoosh]

benchmarks/search.py --postgres runs this after its own figures, on the same records and
beside the same Whoosh index (``postgres_beside``): the three side by side in one run.

Starts a PostgreSQL server as the tests do (tests/support/postgres.py: fsync and synchronous
commit off, a test machine's settings), migrates an empty database and prints Markdown tables:

- indexing: records/s of ``PostgresBackend.build`` (analysis in this process, COPY, the GIN
  index kept up as rows arrive, one commit), the analysis alone, and the index's size;
- queries: p50/p95 wall milliseconds for the search mix of benchmarks/search.py (nine kinds)
  plus single characters, two-word searches within a department's scope and newest-first
  pages: what one search request does (``search.service.find``: the statement, the page of 20
  with the four facets, the snippets), ``--queries`` of each kind, shuffled, after a warm-up;
- with ``--whoosh``, the same mix on the Whoosh backend built from the same records, and a
  check that both found the same totals;
- recall and precision for person names and phrases, as benchmarks/search.py measures ours.

It asserts no duration; it exits 1 if the two backends' totals differ (with ``--whoosh``) or if
recall or precision is below 1.0.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

import benchmarks.search as bench  # noqa: E402
from benchmarks.machine import describe  # noqa: E402
from benchmarks.search import WORDS, Search, percentile  # noqa: E402
from core import db_schema  # noqa: E402
from core.db import Database  # noqa: E402
from search.backend import SearchBackend, Term  # noqa: E402
from search.postgres_backend import PostgresBackend  # noqa: E402
from search.postgres_sql import Params, where  # noqa: E402
from search.query import text_query  # noqa: E402
from search.service import find  # noqa: E402
from search.store import SearchStore  # noqa: E402
from search.whoosh_backend import WhooshBackend  # noqa: E402
from tests.support.postgres import start_server  # noqa: E402

SCOPE = Term("department", "CS")
SIZE = text("SELECT pg_size_pretty(pg_total_relation_size('search.documents'))")


def the_searches(corpus: bench.Corpus, per_kind: int, rng: random.Random) -> list[tuple[Search, bool, bool]]:
    """(search, scoped, newest first): benchmarks/search.py's mix and this backend's extra kinds."""
    mix = [(search, False, False) for search in bench.the_mix(corpus, per_kind, rng)]
    singles = [(Search("single character", rng.choice("王修热凯空冰退")), False, False)
               for _ in range(per_kind)]
    scoped = [(Search("two words, one department", " ".join(rng.sample(WORDS, 2))), True, False)
              for _ in range(per_kind)]
    newest = [(Search("2-char word, newest first", rng.choice(WORDS)), False, True) for _ in range(per_kind)]
    searches = mix + singles + scoped + newest
    rng.shuffle(searches)
    return searches


def run(backend: SearchBackend, search: Search, scoped: bool, newest: bool) -> tuple[float, int]:
    started = time.perf_counter()
    result = find(backend, search.ours(), scope=SCOPE if scoped else None, text=search.text,
                  sort="newest" if newest else "relevance", page=1, per_page=20)
    return (time.perf_counter() - started) * 1000, result.total


def query_table(backends: dict[str, SearchBackend], searches: list[tuple[Search, bool, bool]]) -> bool:
    """Print p50/p95 per kind for each backend; True when every backend found the same totals."""
    for search, scoped, newest in searches[:20]:  # warm-up
        for backend in backends.values():
            run(backend, search, scoped, newest)
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    totals: dict[str, list[int]] = defaultdict(list)
    for search, scoped, newest in searches:
        for name, backend in backends.items():
            elapsed, total = run(backend, search, scoped, newest)
            times[name, search.kind].append(elapsed)
            times[name, "all"].append(elapsed)
            totals[name].append(total)
    names = list(backends)
    print("| kind | " + " | ".join(f"{n} p50 ms | {n} p95 ms" for n in names) + " |")
    print("|---|" + "---:|---:|" * len(names))
    for kind in sorted({kind for _name, kind in times}, key=lambda k: (k == "all", k)):
        cells = " | ".join(f"{statistics.median(times[n, kind]):.1f} | {percentile(times[n, kind], 0.95):.1f}"
                           for n in names)
        print(f"| {kind} | {cells} |")
    print()
    return len({tuple(found) for found in totals.values()}) == 1


def index_postgres(db: Database, corpus: bench.Corpus) -> PostgresBackend:
    backend = PostgresBackend(db)
    started = time.perf_counter()
    for document in corpus.documents:
        document.fields()
    analysis = time.perf_counter() - started
    started = time.perf_counter()
    written = [0]

    def progress(n: int) -> None:
        written[0] += n
        print(f"\r{written[0]:,}", end="", file=sys.stderr, flush=True)

    count = backend.build(corpus.documents, progress)
    elapsed = time.perf_counter() - started
    print(file=sys.stderr)
    with db.reading() as session:
        size = session.execute(SIZE).scalar_one()
    print("| indexing | records/s | seconds | table + indexes |\n|---|---:|---:|---:|")
    print(f"| PostgresBackend.build ({count:,} records) | {count / elapsed:,.0f} | {elapsed:.1f} | {size} |")
    print(f"| analysis alone (SearchDocument.fields) | {count / analysis:,.0f} | {analysis:.1f} | |\n")
    return backend


def postgres_recall(db: Database, corpus: bench.Corpus, words: list[str]) -> tuple[float, float]:
    """Recall and precision of the PostgreSQL index summed over ``words``: every record whose
    text holds the word (found by scanning the generated texts) against every code the
    backend's condition for the typed word selects, unranked and unpaged."""
    texts = [("\x00".join(d.texts), d.code) for d in corpus.documents]
    relevant = returned = both = 0
    with db.reading() as session:
        for word in words:
            truth = {code for joined, code in texts if word in joined}
            query = text_query(word)
            assert query is not None
            params = Params()
            condition = where(query, params)
            hits = set(session.scalars(text(f"SELECT code FROM search.documents WHERE {condition}"),
                                       params.values))
            relevant, returned, both = relevant + len(truth), returned + len(hits), both + len(truth & hits)
    return (both / relevant if relevant else 1.0, both / returned if returned else 1.0)


def recall_table(db: Database, corpus: bench.Corpus, count: int, rng: random.Random) -> float:
    """Print recall / precision for ``count`` names and as many phrases; returns the worst."""
    names = rng.sample(sorted(set(corpus.names)), min(count, len(set(corpus.names))))
    phrases = [bench.a_phrase(corpus, rng) for _ in range(count)]
    print("| recall / precision | postgres |\n| --- | ---: |")
    worst = 1.0
    for label, words in ((f"{len(names)} person names", names), (f"{len(phrases)} phrases", phrases)):
        found = postgres_recall(db, corpus, words)
        print(f"| {label} | {found[0]:.4f} / {found[1]:.4f} |")
        worst = min(worst, *found)
    print(flush=True)
    return worst


def postgres_beside(corpus: bench.Corpus, whoosh_root: Path, queries: int, recall_words: int,
                    seed: int) -> bool:
    """benchmarks/search.py --postgres: index ``corpus`` into a fresh PostgreSQL server, time the
    mix on it beside the Whoosh backend already built in ``whoosh_root``, and measure its
    recall. True when both backends found the same totals and recall and precision are 1.0."""
    server = start_server()
    db = Database(server.create_database("search_bench"))
    try:
        db_schema.upgrade(db)
        print("\n## The PostgreSQL backend on the same records\n")
        backends: dict[str, SearchBackend] = {"postgres": index_postgres(db, corpus),
                                              "whoosh": WhooshBackend(SearchStore(whoosh_root))}
        with db.transaction() as session:  # as autovacuum would soon after a rebuild
            session.execute(text("ANALYZE search.documents"))
        agree = query_table(backends, the_searches(corpus, queries, random.Random(seed + 1)))
        worst = recall_table(db, corpus, recall_words, random.Random(seed + 2))
    finally:
        db.dispose()
        server.stop()
    if not agree:
        print("FAILED: the backends found different totals", file=sys.stderr)
    if worst < 1.0:
        print(f"FAILED: the PostgreSQL backend's recall or precision is {worst:.4f}", file=sys.stderr)
    return agree and worst == 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=40, help="queries of each kind")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--whoosh", action="store_true", help="also time the Whoosh backend")
    args = parser.parse_args()
    bench.UTC_ZONE = ZoneInfo("UTC")
    print(f"Machine: {describe()}.\n", flush=True)
    server = start_server()
    work = Path(tempfile.mkdtemp(prefix="dossier-pg-search-bench-"))
    db = Database(server.create_database("search_bench"))
    try:
        db_schema.upgrade(db)
        print(f"making {args.records:,} records…", file=sys.stderr, flush=True)
        corpus = bench.Records(args.seed).make(args.records)
        backends: dict[str, SearchBackend] = {"postgres": index_postgres(db, corpus)}
        if args.whoosh:
            whoosh = WhooshBackend(SearchStore(work))
            whoosh.build(corpus.documents, processes=2)
            backends["whoosh"] = whoosh
        with db.transaction() as session:  # as autovacuum would soon after a rebuild
            session.execute(text("ANALYZE search.documents"))
        searches = the_searches(corpus, args.queries, random.Random(args.seed + 1))
        agree = query_table(backends, searches)
        worst = recall_table(db, corpus, 200, random.Random(args.seed + 2))
    finally:
        db.dispose()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    if not agree:
        print("FAILED: the backends found different totals", file=sys.stderr)
    if worst < 1.0:
        print(f"FAILED: the PostgreSQL backend's recall or precision is {worst:.4f}", file=sys.stderr)
    return 0 if agree and worst == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
