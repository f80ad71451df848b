"""The PostgreSQL search index (issue 18, ``SEARCH_BACKEND = "postgres"``): PostgreSQL only, a
no-op on SQLite (where search is Whoosh's folders).

The tables live in their own schema, ``search``, beside the records: they are an index the
backend owns (:mod:`search.postgres_backend`), rebuilt from the records at will, not part of
the models, so the models-against-migrations comparison of the ``public`` schema leaves them out.

- ``search.documents``: one narrow row per record, what a search reads for every match: the
  keyword fields (``COLLATE "C"``: compared and ordered by code point, as Whoosh's terms are),
  the date, the revision, ``cjk_text`` (the Chinese runs, a line each, for checking phrases;
  kept in the row, ``STORAGE MAIN``: out of it only when a record's text is too long for a
  page) and ``terms``, a ``tsvector`` of our own analysed terms, each
  prefixed by its field (``c:外包``, ``w:stem``, ``t:9765``), positions standing only for the
  term's count in the record (moved out of the row: ``toast_tuple_target`` 128). Measured at
  100,000 records: the table is 71 MB instead of 143 MB with the shown text in it, and counting
  the facets of a common word's 22,000 matches 16 ms instead of 23 ms with every page cached
  (185 ms when a mix of searches kept evicting the wide table's pages).
- ``search.shown``: what a hit shows (title, body), read only for the page.
- A GIN index on ``terms``; btree indexes for the filters and facets; (submitted_at, code) for
  newest first. The primary key on ``code`` (C collation) also serves ``code LIKE 'CP-2026%'``.
- ``search.meta``: one row, the version of the index that was built (absent: never built).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 19:00:00
"""
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

TABLES = """
CREATE SCHEMA IF NOT EXISTS search;
CREATE TABLE search.documents (
    code text COLLATE "C" PRIMARY KEY,
    form text COLLATE "C" NOT NULL,
    year text COLLATE "C" NOT NULL,
    state text COLLATE "C" NOT NULL,
    department text COLLATE "C" NOT NULL,
    submitted_at timestamptz NOT NULL,
    revision integer NOT NULL,
    cjk_text text NOT NULL,
    terms tsvector NOT NULL
) WITH (toast_tuple_target = 128);
ALTER TABLE search.documents ALTER COLUMN cjk_text SET STORAGE MAIN;
CREATE TABLE search.shown (
    code text COLLATE "C" PRIMARY KEY,
    title text NOT NULL,
    body text NOT NULL
);
CREATE INDEX ix_search_documents_terms ON search.documents USING gin (terms);
CREATE INDEX ix_search_documents_newest ON search.documents (submitted_at, code);
CREATE INDEX ix_search_documents_form ON search.documents (form);
CREATE INDEX ix_search_documents_year ON search.documents (year);
CREATE INDEX ix_search_documents_state ON search.documents (state);
CREATE INDEX ix_search_documents_department ON search.documents (department);
CREATE TABLE search.meta (
    id smallint PRIMARY KEY CHECK (id = 1),
    version text NOT NULL,
    built_at timestamptz NOT NULL
);
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TABLES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SCHEMA IF EXISTS search CASCADE")
