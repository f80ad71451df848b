"""Database: declarative base, column types, and transactions owned by services.

Services open their own short transaction with :meth:`Database.transaction`; views never commit.
Write transactions on SQLite start with ``BEGIN IMMEDIATE`` so that two writers queue on the
database lock up front instead of failing when a reader upgrades to a writer; PostgreSQL gets
plain transactions and relies on row locks (``UPDATE … RETURNING``) where order matters.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_SECONDS = 30


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, stored as naive UTC on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


JSONData = JSON().with_variant(JSONB(), "postgresql")


def make_engine(url: str, *, pre_ping: bool = True, **kwargs: Any) -> Engine:
    """The engine for ``url``.

    ``pre_ping`` (server databases only) tests each pooled connection before use, so a restarted
    PostgreSQL costs no failed request; it is one extra round trip per transaction (≈ 1.6 ms per
    API submission, docs/benchmarks.md), which a deployment may trade away.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=pre_ping, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    """Take transaction control away from pysqlite so we can say BEGIN IMMEDIATE."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get("dossier_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class WriterQueue:
    """Orders SQLite writers with a blocking ``flock`` on a file beside the database.

    SQLite's own busy handler makes a waiting writer sleep with back-off (up to 100 ms a
    nap), so the write lock often sits free while every waiter sleeps: throughput drops and
    the tail grows. A blocking ``flock`` wakes the next writer as soon as the lock is free,
    across processes and threads (each acquisition opens its own file description). The
    kernel drops the lock if its holder dies, so a crash cannot wedge it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self.path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def writer_queue_for(engine: Engine) -> WriterQueue | None:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        return None
    return WriterQueue(Path(database + ".writers"))


class Database:
    """The engine and the session factory of one application."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.writers = writer_queue_for(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A session in its own transaction: committed on success, rolled back on error."""
        if write and self.writers is not None:
            with self.writers.turn(), self._transaction(write=True) as session:
                yield session
        else:
            with self._transaction(write=write) as session:
                yield session

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Session]:
        with self.sessions() as session:
            session.connection(execution_options={"dossier_write": write})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work: rolled back at the end, never commits."""
        with self.sessions() as session:
            session.connection(execution_options={"dossier_write": False})
            try:
                yield session
            finally:
                session.rollback()

    def dispose(self) -> None:
        self.engine.dispose()
