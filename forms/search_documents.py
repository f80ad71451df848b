"""Records → search documents (the spec says which fields are searchable), and the after-commit
indexing step. Lives in forms because only the spec knows which fields are ``indexed``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from archive.records import IndexRow, current_revisions, index_rows
from core.auth.departments import department_names
from core.db import Database
from core.outbox.queue import Task, enqueue
from core.web import services
from forms import versions
from forms.fields import REGISTRY, is_empty
from forms.spec.model import FormSpec
from search.backend import BackendUnavailable
from search.backends import current_backend
from search.indexing import SearchDocument

TOPIC = "search.index"
log = logging.getLogger(__name__)


def enqueue_indexing(session: Session, code: str, revision: int, at: Any) -> None:
    """Queue (re)indexing of ``code`` in the caller's transaction."""
    enqueue(session, topic=TOPIC, subject=code, at=at, payload={"revision": revision})


def searchable_texts(spec: FormSpec, data: dict[str, Any]) -> tuple[str, ...]:
    """The values of the spec's ``indexed`` fields as text, as each field's type indexes it
    (choices by their Chinese label, a table cell by cell)."""
    texts: list[str] = []
    for name in spec.indexed_fields:
        field = spec.field(name)
        value = data.get(name)
        if field is None or is_empty(value) or value == []:
            continue
        texts.extend(REGISTRY[field.type].searchable(field, value))
    return tuple(texts)


class RecordDocuments:
    """The archive's records as search documents; what ``search rebuild/check`` and the
    indexing step read."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def revisions(self) -> dict[str, int]:
        return current_revisions(self.db)

    def documents(self, codes: list[str] | None = None) -> Iterator[SearchDocument]:
        specs = cache(lambda form, version: versions.spec_version(self.db, form, version))
        for row in index_rows(self.db, codes):
            yield document(specs(row.form_code, row.form_version), row)


def document(spec: FormSpec, row: IndexRow) -> SearchDocument:
    return SearchDocument(
        code=row.code, form=row.form_code, year=row.year, state=row.state,
        department=row.department_code or "", submitted_at=row.submitted_at, revision=row.revision,
        title=row.title, texts=searchable_texts(spec, row.data), archival_code=row.archival_code or "")


#: Rows of ``search.index`` one handler call takes: a burst of submissions is indexed with one
#: commit per hundred records rather than one per record (issue 18's freshness).
BATCH_SIZE = 100


def handle(task: Task) -> None:
    """Outbox handler: put the record's current state into the index (or take it out)."""
    handle_batch([task])


def handle_batch(tasks: list[Task]) -> None:
    """Outbox batch handler: the current state of every record named, read in one go and put
    into the index with one commit; codes without a record (deleted) taken out. A record queued
    twice (two revisions) is read once, as it is now, so the order of its rows does not matter."""
    codes = list(dict.fromkeys(task.subject for task in tasks))
    source, backend = RecordDocuments(services().db), current_backend()
    documents = list(source.documents(codes))
    missing = sorted(set(codes) - {document.code for document in documents})
    try:
        if documents:
            backend.put(documents)
        if missing:
            backend.remove(missing)
    except BackendUnavailable as exc:  # no index or an old schema: build it whole, these included
        log.warning("%s; rebuilding the search index", exc)
        backend.build(source.documents())


def facet_labels(db: Database, locale: str) -> dict[str, dict[str, str]]:
    """Readable names for facet values: form titles, state names, department names."""
    language = "zh" if locale.startswith("zh") else "en"
    forms: dict[str, str] = {}
    states: dict[str, str] = {}
    for spec in versions.current_specs(db).values():
        forms[spec.code] = spec.title.get(language, spec.code)
        for state, names in spec.workflow.states.items():
            states.setdefault(state, names.get(language, state))
    return {"form": forms, "state": states, "department": department_names(db, language)}
