"""The PostgreSQL search backend: the index as tables in the records' own database (schema
``search``, migration 0016), shared by every app server and worker, with no folder to copy.

The terms are ours (:mod:`search.analysis`, the same as Whoosh's), kept in a ``tsvector`` with
a GIN index and searched with a ``tsquery`` of quoted lexemes (:mod:`search.postgres_sql`), so
the hits are the ones the Whoosh backend finds (``tests/search/test_backends_agree.py``).
PostgreSQL's own text parsing never sees our text: its parser keeps a Chinese sentence as one
token (DESIGN.md, "PostgreSQL and Chinese").

Choices, as measured (``benchmarks/search_postgres.py`` and EXPLAIN ANALYZE on 100,000
generated records, on a 2-core machine other work kept busy):

- A phrase is its pairs in the ``tsquery`` (the GIN index), then ``strpos`` on the record's
  Chinese runs, kept in the row, as the Whoosh backend checks its text column: ~1 µs a
  candidate, where reading a candidate's tsvector (what ``<->`` needs: the GIN index has no
  positions) cost 10–30 µs, and positions stop at 16,383, so a long record's phrase would be
  missed. Positions in the tsvector stand only for a term's count.
- Term lookups always use the GIN index (``enable_seqscan`` off, see :func:`_use_the_index`).
- Relevance is ``ts_rank`` (term counts, normalised by the record's length) over the newest
  RANKED matches, which come first; the rest follow newest first. Ranking every match of a
  common word (22,000) took 230 ms; names, phones and phrases are ranked whole. It is not
  Whoosh's BM25F: the differential test compares hit sets and counts, not order.
- Facets and the total are one ``GROUP BY GROUPING SETS`` over the matched rows, in the same
  statement as the page; the table a search reads is narrow (title and body are in
  ``search.shown``, read for the page only).
- ``build`` fills new tables and swaps them in, in one transaction (:mod:`search.postgres_build`):
  searches see the old index until the commit. It locks ``search.meta`` against other writers
  (a ``put`` waits, as Whoosh's writer lock makes it wait, and gives :class:`IndexBusy` after
  ``WRITER_WAIT_SECONDS``). Analysis runs in this process: ``processes`` is accepted and
  ignored, because the server's COPY and index building take as long again, on the same cores.
"""

# ruff: noqa: S608  (SQL is put together from this module's constants, the facet names checked
# against FACETS and search.postgres_sql's conditions; every value typed is a bound parameter)
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any as AnyValue

from sqlalchemy import TextClause, text
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.orm import Session

from core.db import Database
from search.backend import FACETS, BackendUnavailable, Found, IndexBusy, Query, StoredHit
from search.index_schema import SCHEMA_VERSION
from search.indexing import SearchDocument
from search.postgres_build import COLUMNS, SHOWN, replace_tables
from search.postgres_sql import Params, find_sql, scored_terms, tsvector_literal, where
from search.query import within

#: What ``search.meta`` records and must match: the analysis (SCHEMA_VERSION) and this layout.
INDEX_VERSION = f"{SCHEMA_VERSION} pg1"
REBUILD = "flask --app wsgi search rebuild"
WRITER_WAIT_SECONDS = 30
BATCH = 1000
#: How many of the newest matches are ranked by relevance (ts_rank reads each one's tsvector,
#: ~10 µs): all of them for a name, a phone or a phrase; the newest RANKED for a common word.
RANKED = 200
Documents = Iterable[SearchDocument] | Iterable[dict[str, AnyValue]]
#: PostgreSQL's lock_not_available: lock_timeout ran out.
LOCK_TIMEOUT = "55P03"


class PostgresBackend:
    """:class:`search.backend.SearchBackend` over ``search.documents`` in ``db``."""

    name = "postgres"

    def __init__(self, db: Database) -> None:
        self.db = db

    def problem(self) -> str | None:
        try:
            with self.db.reading() as session:
                version = session.execute(text("SELECT version FROM search.meta")).scalar()
        except ProgrammingError:
            return "the database has no search tables (run flask --app wsgi db upgrade)"
        if version is None:
            return f"the search index has not been built (run {REBUILD})"
        if version != INDEX_VERSION:
            return (f"the search index was built with version {version}, this Dossier reads "
                    f"{INDEX_VERSION} (run {REBUILD})")
        return None

    def _check(self, session: Session, *, lock: bool = False) -> None:
        """Raise BackendUnavailable unless the index is built with our version (``lock``: and
        hold the meta row, so that a rebuild cannot run beside this write)."""
        try:
            version = session.execute(text(
                "SELECT version FROM search.meta" + (" FOR SHARE" if lock else ""))).scalar()
        except ProgrammingError:
            version = None
        if version != INDEX_VERSION:
            raise BackendUnavailable(self.problem() or f"the search index is not usable (run {REBUILD})")

    def build(self, documents: Documents,
              progress: Callable[[int], None] = lambda _n: None, *, processes: int = 1) -> int:
        with self.db.transaction() as session:
            session.execute(text("LOCK TABLE search.meta IN EXCLUSIVE MODE"))
            count = replace_tables(session, _rows(documents), progress, BATCH)
            session.execute(text(
                "INSERT INTO search.meta (id, version, built_at) VALUES (1, :version, now()) "
                "ON CONFLICT (id) DO UPDATE SET version = excluded.version, built_at = excluded.built_at"),
                {"version": INDEX_VERSION})
        return count

    def put(self, documents: Iterable[SearchDocument]) -> int:
        rows = [dict(zip(COLUMNS + SHOWN[1:], row, strict=True)) for row in _rows(documents)]
        with self._writing() as session:
            if rows:
                session.execute(_upsert("documents", COLUMNS), rows)
                session.execute(_upsert("shown", SHOWN), rows)
        return len(rows)

    def remove(self, codes: Iterable[str]) -> int:
        wanted = list(codes)
        with self._writing() as session:
            session.execute(text("DELETE FROM search.shown WHERE code = ANY(:codes)"), {"codes": wanted})
            result = session.execute(text("DELETE FROM search.documents WHERE code = ANY(:codes)"),
                                     {"codes": wanted})
        return int(result.rowcount)  # type: ignore[attr-defined]

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A write transaction on a usable index, holding the meta row FOR SHARE (a rebuild
        waits for us, we wait for a rebuild), IndexBusy after WRITER_WAIT_SECONDS of waiting."""
        try:
            with self.db.transaction() as session:
                session.execute(text(f"SET LOCAL lock_timeout = '{WRITER_WAIT_SECONDS}s'"))
                self._check(session, lock=True)
                yield session
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == LOCK_TIMEOUT:
                raise IndexBusy("the search index was locked by another writer for "
                                f"{WRITER_WAIT_SECONDS} s") from exc
            raise

    def indexed_revisions(self) -> dict[str, int]:
        with self.db.reading() as session:
            self._check(session)
            rows = session.execute(text("SELECT code, revision FROM search.documents")).all()
        return {code: revision for code, revision in rows}

    def find(self, query: Query, *, scope: Query | None, facets: Sequence[str], newest_first: bool,
             page: int, per_page: int) -> Found:
        unknown = set(facets) - set(FACETS)
        if unknown:
            raise ValueError(f"not a facet: {', '.join(sorted(unknown))}")
        params = Params()
        condition = where(within(query, scope), params)
        terms = [] if newest_first else scored_terms(query)
        ranked = params.add(" | ".join(terms)) if terms else None
        params.values.update(limit=per_page, offset=(page - 1) * per_page, window=RANKED)
        statement = find_sql(condition, ranked, list(facets), deep=page * per_page > RANKED)
        with self.db.reading() as session:
            self._check(session)
            _use_the_index(session, params)
            rows = session.execute(text(statement), params.values).all()
        return _found(rows, list(facets))

    def count(self, query: Query) -> int:
        params = Params()
        condition = where(query, params)
        with self.db.reading() as session:
            self._check(session)
            _use_the_index(session, params)
            return int(session.execute(text(f"SELECT count(*) FROM search.documents WHERE {condition}"),
                                       params.values).scalar_one())


def _upsert(table: str, columns: tuple[str, ...]) -> TextClause:
    """INSERT … ON CONFLICT (code) DO UPDATE into ``search.<table>`` (a replaced record)."""
    values = ", ".join(f":{c}" if c != "terms" else "CAST(:terms AS tsvector)" for c in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
    return text(f"INSERT INTO search.{table} ({', '.join(columns)}) VALUES ({values}) "
                f"ON CONFLICT (code) DO UPDATE SET {updates}")


def _use_the_index(session: Session, params: Params) -> None:
    """Look terms up in the GIN index, never by reading every row: the planner prices ``@@`` on
    a row as one operator, not the ~7 µs of fetching and decompressing its tsvector, so for a
    common word it picks a scan of the table (0.7 s at 100,000 records against 15 ms)."""
    if params.uses_terms:
        session.execute(text("SET LOCAL enable_seqscan = off"))


def _rows(documents: Documents) -> Iterator[tuple[AnyValue, ...]]:
    """Each document as its row of ``search.documents`` followed by title and body (NUL, which
    text columns refuse, dropped from what is shown)."""
    for document in documents:
        fields = document.fields() if isinstance(document, SearchDocument) else document
        cjk_text = fields.get("cjk_text", b"")
        yield (fields["code"], fields["form"], str(fields["year"]), fields["state"], fields["department"],
               _utc(fields["submitted_at"]), int(fields["revision"]),
               cjk_text.decode() if isinstance(cjk_text, bytes) else cjk_text, tsvector_literal(fields),
               _clean(fields.get("title", "")), _clean(fields.get("body", "")))


def _clean(value: str) -> str:
    return value.replace("\x00", "")


def _utc(instant: datetime) -> datetime:
    """Naive datetimes in a document are UTC (``search.indexing.naive_utc``)."""
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def _found(rows: Sequence[AnyValue], facets: list[str]) -> Found:
    """The statement's rows as a Found: GROUPING's bits say which facet a count row is for
    (the facet's own bit is 0, the others' 1; every bit 1 is the total)."""
    counts: dict[str, dict[str, int]] = {name: {} for name in facets}
    total = 0
    hits = []
    everything = (1 << len(facets)) - 1
    for row in rows:
        if row.kind == 1:
            hits.append(StoredHit(row.code, row.form, row.title, row.state, row.department,
                                  row.submitted_at.astimezone(UTC), row.body))
        elif not facets or row.grouping == everything:
            total = int(row.n)
        else:
            counts[facets[len(facets) - (everything ^ row.grouping).bit_length()]][row.label] = int(row.n)
    ordered = {name: dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))
               for name, found in counts.items()}
    return Found(total, ordered, tuple(hits))
