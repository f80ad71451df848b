"""The index schema and its version: change one, raise the other (the index is then rebuilt).

An index folder records :data:`INDEX_VERSION`: the schema's version and the exact Whoosh that
wrote its segments, so that an index written by another Whoosh is rebuilt, never read (see
:mod:`search.whoosh_internals`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Frequency

from search.whoosh_internals import RELEASE, frequency_value

#: Raise when the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = 6
#: What an index folder records and must match: the schema's version and the Whoosh release
#: whose codec wrote it (``4 whoosh-reloaded==2.7.5``).
INDEX_VERSION = f"{SCHEMA_VERSION} {RELEASE}"

# Postings for the analysed fields come from search.analysis.IndexTerms as lists of terms. The
# format below takes such a list as it is, instead of joining it into a string for Whoosh
# to split again into Token objects: indexing spends most of its time per posting, and this cuts
# a third of that (benchmarks/search.py). It stores exactly what Whoosh's own Frequency stores.


class TermFrequency(Frequency):
    """Whoosh's Frequency, fed a list of already analysed terms."""

    def word_values(self, value: Sequence[str] | str, analyzer: Any,
                    **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        if isinstance(value, str):
            value = value.split()
        boost = self.field_boost
        for term, count in Counter(value).items():
            yield term, count, count * boost, frequency_value(count)


def _terms() -> TEXT:
    field = TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False)
    field.format = TermFrequency()
    return field


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
        cjk=_terms(),  # no positions: phrases are checked on cjk_text (see search.analysis)
        words=_terms(),
        tail=_terms(),
        cjk_text=COLUMN(VarBytesColumn()),
    )
