"""The index schema and its version: change one, raise the other (the index is then rebuilt)."""

from __future__ import annotations

from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import DATETIME, ID, NUMERIC, STORED, TEXT, Schema

#: Raise when the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = 1

_TERMS = SpaceSeparatedTokenizer()  # analysis.IndexTerms has done the real work


def make_schema() -> Schema:
    return Schema(
        code=ID(stored=True, unique=True, sortable=True),
        form=ID(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        state=ID(stored=True, sortable=True),
        department=ID(stored=True, sortable=True),
        submitted_at=DATETIME(stored=True, sortable=True),
        revision=NUMERIC(stored=True),
        title=STORED(),
        body=STORED(),  # the searchable text as written, for snippets
        uni=TEXT(analyzer=_TERMS, phrase=False),
        bi=TEXT(analyzer=_TERMS, phrase=True),
        tail=TEXT(analyzer=_TERMS, phrase=False),
    )
