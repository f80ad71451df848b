"""Personal data as each person may read it, where records leave the forms package: the
archive's record API and archival download (``ArchivePorts.disclosure``, :mod:`archive.ports`),
search hits (``SearchPorts.shown``, :mod:`search.ports`) and record lists.

The rule itself is :mod:`forms.masking`; this module looks up the specs and the records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache
from typing import Any, Protocol, TypeVar

from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from archive.files import FileStore
from archive.models import Record
from archive.record_lists import ListPage
from archive.records import RecordView, may_see, record_view
from archive.renditions import RenditionView, rendition_file
from core.audit import trail
from core.auth.models import Department, User
from core.auth.roles import Actor, PermissionDenied
from core.clock import Clock
from core.db import Database
from core.web import services
from forms import versions
from forms.masking import masked_data, may_download_archival, needs_personal_data, shown_record
from forms.search_documents import searchable_texts
from forms.spec.model import FormSpec
from forms.titles import summary
from search.service import SearchResult, snippet


class SpecDisclosure:
    """The forms package's :class:`archive.ports.Disclosure`: masking by the record's spec."""

    def shown(self, actor: Actor, record: RecordView) -> RecordView:
        spec = versions.spec_version(services().db, record.form_code, record.form_version)
        return shown_record(spec, actor, record)

    def archival_file(self, db: Database, clock: Clock, store: FileStore, actor: Actor, code: str,
                      revision: int | None = None) -> tuple[RenditionView, bytes]:
        return archival_copy(db, clock, store, actor, code, revision)

    def masked_titles(self, db: Database, actor: Actor, codes: list[str]) -> dict[str, str]:
        return masked_titles(db, actor, codes)


def archival_copy(db: Database, clock: Clock, store: FileStore, actor: Actor, code: str,
                  revision: int | None = None) -> tuple[RenditionView, bytes]:
    """The stored archival PDF/A of ``code`` (unmasked: it is the record itself), for those who
    need its personal data and for archivists; anyone else in scope is refused, and the refusal
    audited as ``record.download.denied``. Scope and the download itself are
    :func:`archive.renditions.rendition_file`'s."""
    with db.reading() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        view = record_view(session, record) if record is not None and may_see(actor, record) else None
    if view is not None:
        spec = versions.spec_version(db, view.form_code, view.form_version)
        if not may_download_archival(spec, actor, view):
            with db.transaction() as session:
                trail.append(session, at=clock.now(), actor=actor, action="record.download.denied",
                             object_type="record", object_id=code,
                             detail={"via": "archival", "why": "personal data"})
            raise PermissionDenied(_(
                "The archival copy of %(code)s holds personal data that your role does not need, so it "
                "cannot be downloaded. Print the record instead: personal fields are masked there.",
                code=code))
    return rendition_file(db, clock, store, actor, code, revision)


def shown_page(db: Database, actor: Actor, page: ListPage) -> ListPage:
    """A page of a record list (:mod:`archive.record_lists`, records listed without their data)
    with each title as ``actor`` may read it: the stored title where they need the personal
    data, else one made from the masked data, which is read for those records only (a
    clerk's own list reads none)."""
    specs = cache(lambda form, version: versions.spec_version(db, form, version))
    hidden = {r.code: spec for r in page.items if (spec := specs(r.form_code, r.form_version)) is not None
              and not needs_personal_data(spec, actor, r.submitted_by, r.department_code)}
    stored = _records(db, list(hidden)) if hidden else {}

    def shown(record: RecordView) -> RecordView:
        if record.code not in hidden:
            return record
        spec, data = hidden[record.code], stored.get(record.code, {}).get("data") or {}  # {}: gone since
        return replace(record, title=summary(spec, masked_data(spec, data))[:200])
    return replace(page, items=tuple(shown(r) for r in page.items))


def shown_records(db: Database, actor: Actor, records: Sequence[RecordView]) -> list[RecordView]:
    """``records`` as ``actor`` may read each (data, revisions and title masked where they have
    no need): for pages that list whole records, such as the day's visit registrations."""
    specs = cache(lambda form, version: versions.spec_version(db, form, version))
    return [shown_record(specs(r.form_code, r.form_version), actor, r) for r in records]


class Coded(Protocol):
    @property
    def code(self) -> str: ...


C = TypeVar("C", bound=Coded)


def shown_fields(db: Database, actor: Actor, items: Sequence[C], fields: Mapping[str, str]) -> list[C]:
    """``items`` (frozen dataclasses with a ``code``) whose attributes copy a record's fields
    (``fields``: attribute → field name), with those attributes as ``actor`` may read them: the
    RS filing list carries the policyholder by itself, not only in a title."""
    masked = masked_records(db, actor, [item.code for item in items])
    return [replace(item, **{attribute: masked[item.code][1].get(name) or ""  # type: ignore[type-var]
                             for attribute, name in fields.items()}) if item.code in masked else item
            for item in items]


def shown_hits(actor: Actor, text: str, result: SearchResult) -> SearchResult:
    """``SearchPorts.shown``: hits of records whose personal data ``actor`` does not
    need get a title and a snippet made from the masked data (the index stores them whole)."""
    if not result.hits:
        return result
    masked = masked_records(services().db, actor, [hit.code for hit in result.hits])
    hits = []
    for hit in result.hits:
        if hit.code not in masked:
            hits.append(hit)
            continue
        spec, data = masked[hit.code]
        hits.append(replace(hit, title=summary(spec, data)[:200],
                            snippet=snippet(" · ".join(searchable_texts(spec, data)), text)))
    return replace(result, hits=tuple(hits))


def masked_titles(db: Database, actor: Actor, codes: list[str]) -> dict[str, str]:
    """The titles ``actor`` reads masked, by code (records whose personal data they need, and
    codes of no record, are left out): list pages show these instead of the stored title."""
    masked = masked_records(db, actor, codes)
    return {code: summary(spec, data)[:200] for code, (spec, data) in masked.items()}


def masked_records(db: Database, actor: Actor,
                   codes: list[str]) -> dict[str, tuple[FormSpec, dict[str, Any]]]:
    """Each record of ``codes`` whose personal data ``actor`` does not need: its spec and its
    data masked. The one place lists (search hits, archive lists) decide what to mask."""
    if not codes:
        return {}
    specs = cache(lambda form, version: versions.spec_version(db, form, version))
    masked = {}
    for code, row in _records(db, codes).items():
        spec = specs(row["form_code"], row["form_version"])
        if spec is not None and not needs_personal_data(spec, actor, row["submitted_by"], row["department"]):
            masked[code] = (spec, masked_data(spec, row["data"]))
    return masked


_RECORDS = (select(Record.code, Record.form_code, Record.form_version, Record.data,
                   Department.code.label("department"), User.username.label("submitted_by"))
            .join(User, User.id == Record.submitted_by_id)
            .outerjoin(Department, Department.id == Record.department_id)
            .where(Record.code.in_(bindparam("codes", expanding=True))))


def _records(db: Database, codes: list[str]) -> dict[str, dict[str, Any]]:
    """What deciding and masking needs of each record (no audit: the search is audited). The
    statement is built once (every search page and masked list asks: building it per call cost
    a third of the call)."""
    with db.reading() as session:
        return {row.code: row._asdict() for row in session.execute(_RECORDS, {"codes": codes})}
