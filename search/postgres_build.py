"""A whole new PostgreSQL search index, made beside the current one and swapped in at commit.

Writing 100,000 rows into the live tables kept their GIN index up to date row by row (~1,500
records/s at best on the test machine, under 800 when it was busy); COPY into bare tables and
one ``CREATE INDEX`` afterwards is several times faster, and the same transaction then drops
the old tables and renames the new ones. Searches keep reading the old tables until the commit
(they wait only for the drop and renames, milliseconds), and a write waits for the rebuild on
``search.meta``'s lock (see :mod:`search.postgres_backend`). The new tables copy the current
ones (``LIKE … INCLUDING ALL``, their storage parameters, their indexes and primary keys by
their definitions), so migration 0016 stays the one place that says what they are.
"""


from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

#: search.documents' columns, then search.shown's (code again, title, body).
COLUMNS = ("code", "form", "year", "state", "department", "submitted_at", "revision", "cjk_text", "terms")
SHOWN = ("code", "title", "body")
TABLES = {"documents": COLUMNS, "shown": SHOWN}
NEXT = "_next"
#: Memory for building the GIN index in one go (the server's default is 64 MB).
INDEX_MEMORY = "256MB"


def replace_tables(session: Session, rows: Iterable[tuple[Any, ...]], progress: Callable[[int], None],
                   batch: int) -> int:
    """Fill new tables with ``rows`` (a documents row followed by title and body), index them,
    and put them in place of search.documents and search.shown; returns how many rows."""
    session.execute(text(f"SET LOCAL maintenance_work_mem = '{INDEX_MEMORY}'"))
    for table in TABLES:
        _create_like(session, table)
    count = _copy(session, rows, progress, batch)
    for table in TABLES:
        indexes = _index_definitions(session, table)
        for name, definition in indexes.items():
            session.execute(text(_renamed(definition, name, table)))
        for constraint in _primary_keys(session, table):
            session.execute(text(f"ALTER TABLE search.{table}{NEXT} ADD CONSTRAINT {constraint}{NEXT} "
                                 f"PRIMARY KEY USING INDEX {constraint}{NEXT}"))
        session.execute(text(f"ANALYZE search.{table}{NEXT}"))
        session.execute(text(f"DROP TABLE search.{table}"))
        session.execute(text(f"ALTER TABLE search.{table}{NEXT} RENAME TO {table}"))
        for name in indexes:
            session.execute(text(f"ALTER INDEX search.{name}{NEXT} RENAME TO {name}"))
    return count


def _create_like(session: Session, table: str) -> None:
    session.execute(text(f"CREATE TABLE search.{table}{NEXT} "
                         f"(LIKE search.{table} INCLUDING ALL EXCLUDING INDEXES)"))
    options = session.execute(text("SELECT reloptions FROM pg_class WHERE oid = CAST(:name AS regclass)"),
                              {"name": f"search.{table}"}).scalar()
    if options:
        session.execute(text(f"ALTER TABLE search.{table}{NEXT} SET ({', '.join(options)})"))


def _index_definitions(session: Session, table: str) -> dict[str, str]:
    rows = session.execute(text("SELECT indexname, indexdef FROM pg_indexes "
                                "WHERE schemaname = 'search' AND tablename = :table"), {"table": table})
    return {name: definition for name, definition in rows}


def _renamed(definition: str, name: str, table: str) -> str:
    """``CREATE INDEX name ON search.table …`` for the new table, under a name of its own."""
    old = f" {name} ON search.{table} "
    if old not in definition:
        raise RuntimeError(f"unexpected index definition: {definition}")
    return definition.replace(old, f" {name}{NEXT} ON search.{table}{NEXT} ", 1)


def _primary_keys(session: Session, table: str) -> list[str]:
    return list(session.execute(text(
        "SELECT conname FROM pg_constraint WHERE contype = 'p' AND conrelid = CAST(:name AS regclass)"),
        {"name": f"search.{table}"}).scalars())


def _copy(session: Session, rows: Iterable[tuple[Any, ...]], progress: Callable[[int], None],
          batch: int) -> int:
    """COPY the rows into the new tables, ``batch`` at a time (a COPY into each table per batch);
    ``progress(n)`` after each."""
    raw = session.connection().connection.driver_connection
    count = 0
    pending: Iterator[tuple[Any, ...]] = iter(rows)
    with raw.cursor() as cursor:
        while chunk := list(islice(pending, batch)):
            with cursor.copy(f"COPY search.documents{NEXT} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in chunk:
                    copy.write_row(row[:len(COLUMNS)])
            with cursor.copy(f"COPY search.shown{NEXT} ({', '.join(SHOWN)}) FROM STDIN") as copy:
                for row in chunk:
                    copy.write_row((row[0], *row[len(COLUMNS):]))
            count += len(chunk)
            progress(len(chunk))
    return count
