"""The catalogue (案卷目录) of filed records by form, year and volume, in code order (归档按编号
顺序): code, title, pages, date formed, retention. And the tombstones of destroyed records,
which say what existed and when and under whose approval it went. Both are lists of records:
audited, and open to the records office only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from archive.models import FILED, CatalogueVolume, CodeCounter, Record, Rendition, Tombstone
from archive.office import require_records_office
from archive.renditions import ARCHIVAL
from core.audit import trail
from core.auth.models import User
from core.auth.roles import Actor
from core.clock import Clock, local
from core.db import Database

if TYPE_CHECKING:
    from archive.file_catalogue import CatalogueItem, ItemHeading


@dataclass(frozen=True)
class CatalogueEntry:
    number: int
    code: str
    title: str
    pages: int | None
    formed: date
    volume: str
    retention_class: str
    retention_until: date | None  # None: kept permanently

    def as_json(self) -> dict[str, object]:
        return {"number": self.number, "code": self.code, "title": self.title, "pages": self.pages,
                "formed": self.formed.isoformat(), "volume": self.volume,
                "retention_class": self.retention_class,
                "retention_until": self.retention_until.isoformat() if self.retention_until else None}


@dataclass(frozen=True)
class CatalogueHeading:
    """What a printed catalogue says it lists, and when it was printed."""

    form_code: str
    year: int
    volume: str | None
    printed_at: datetime  # local time


class PrintUnavailable(Exception):
    """The catalogue cannot be printed on this instance now (e.g. no CJK font); the message
    says what to do."""


class CataloguePrinter(Protocol):
    """Prints a catalogue as PDF (registered by the forms package, which owns the renderer and
    the forms' names); raises :class:`PrintUnavailable`. Called, it prints the 案卷目录 of a form;
    ``items`` prints the 归档文件目录 of a year (:mod:`archive.file_catalogue`)."""

    def __call__(self, heading: CatalogueHeading, entries: Sequence[CatalogueEntry]) -> bytes: ...

    def items(self, heading: ItemHeading, items: Sequence[CatalogueItem]) -> bytes: ...


@dataclass(frozen=True)
class TombstoneView:
    code: str
    retention_class: str
    submitted_at: datetime
    filed_at: datetime | None
    retention_until: date | None
    destroyed_at: datetime
    approved_by: str
    disposal_list: int
    archival_code: str | None = None  # the 档号 it had (migration 0021), None if destroyed before

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "archival_code": self.archival_code,
                "retention_class": self.retention_class,
                "submitted_at": self.submitted_at.isoformat(),
                "filed_at": self.filed_at.isoformat() if self.filed_at else None,
                "retention_until": self.retention_until.isoformat() if self.retention_until else None,
                "destroyed_at": self.destroyed_at.isoformat(), "approved_by": self.approved_by,
                "disposal_list": self.disposal_list}


@dataclass(frozen=True)
class CataloguePage:
    """One page of a catalogue, numbered as in the whole; the volumes to pick from with how
    many filed records each holds (kept counts: nothing counts the year per request)."""

    entries: list[CatalogueEntry]
    page: int
    pages: int
    total: int
    volumes: list[tuple[str, int]]


#: Entries on one page of the catalogue (a year may hold tens of thousands).
PER_PAGE = 100


def catalogue_page(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, form_code: str, year: int,
                   volume: str | None = None, *, page: int = 1, per_page: int | None = None) -> CataloguePage:
    """One page of the filed records of a form and code year (one volume if given) in code order;
    a page past the end is the last. Read from the index in code order (only this page's rows
    are looked up) and audited afterwards with the codes shown (``record.list``)."""
    require_records_office(actor)
    per_page = per_page or PER_PAGE
    with db.reading() as session:
        kept = volumes_of(session, form_code, year)
        total = sum(n for v, n in kept if not volume or v == volume)
        pages = max(1, -(-total // per_page))
        page = min(max(page, 1), pages)
        skipped = (page - 1) * per_page
        rows = session.execute(_entries(form_code, year, volume, skip=skipped, limit=per_page))
        entries = _numbered(rows, zone, start=skipped + 1)
    _audit(db, clock, actor, "list", form_code, year, volume, entries)
    return CataloguePage(entries, page, pages, total, kept)


def catalogue(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, form_code: str, year: int,
              volume: str | None = None, *, purpose: str = "list") -> list[CatalogueEntry]:
    """The filed records of one form and code year (one volume if given), numbered in code order:
    the whole catalogue, for the CSV, the printed PDF and the API. Audited as ``record.<purpose>``
    with every code, after the read."""
    require_records_office(actor)
    with db.reading() as session:
        entries = _numbered(session.execute(_entries(form_code, year, volume)), zone, start=1)
    _audit(db, clock, actor, purpose, form_code, year, volume, entries)
    return entries


def _entries(form_code: str, year: int, volume: str | None, *, skip: int = 0,
             limit: int | None = None) -> Select[Any]:
    """The shown columns of the filed records in code order (``limit`` of them after ``skip``),
    the pages from the filed revision's archival copy. The ids are found in
    ``ix_records_filed_in_order`` alone; only their rows are read."""
    ids = select(Record.id).where(Record.form_code == form_code, Record.year == year, FILED)
    if volume:
        ids = ids.where(Record.volume == volume)
    ids = ids.order_by(Record.seq)
    if limit is not None:
        ids = ids.offset(skip).limit(limit)
    pages = (select(func.max(Rendition.pages)).where(
        Rendition.record_id == Record.id, Rendition.revision == Record.filed_revision,
        Rendition.kind == ARCHIVAL).scalar_subquery())
    return select(Record.code, Record.title, pages.label("pages"), Record.submitted_at, Record.volume,
                  Record.retention_class, Record.retention_until).where(
        Record.id.in_(ids.scalar_subquery())).order_by(Record.seq)


def _numbered(rows: Iterable[Row[Any]], zone: ZoneInfo, *, start: int) -> list[CatalogueEntry]:
    return [CatalogueEntry(n, r.code, r.title, r.pages, local(r.submitted_at, zone).date(),
                           r.volume or "", r.retention_class or "", r.retention_until)
            for n, r in enumerate(rows, start=start)]


def _audit(db: Database, clock: Clock, actor: Actor, purpose: str, form_code: str, year: int,
           volume: str | None, entries: list[CatalogueEntry]) -> None:
    trail.append_alone(db, at=clock.now(), actor=actor, action=f"record.{purpose}", object_type="record",
                       object_id="", detail={"catalogue": f"{form_code} {year} {volume or '*'}",
                                             "codes": [e.code for e in entries]})


def volumes_of(session: Session, form_code: str, year: int) -> list[tuple[str, int]]:
    """The kept counts of filed records per volume (``catalogue_volumes``, migration 0013)."""
    rows = session.execute(select(CatalogueVolume.volume, CatalogueVolume.records).where(
        CatalogueVolume.form_code == form_code, CatalogueVolume.year == year, CatalogueVolume.records > 0)
        .order_by(CatalogueVolume.volume)).all()
    return [(v, n) for v, n in rows]


def tombstones(db: Database, clock: Clock, actor: Actor, *, form_code: str | None = None,
               year: int | None = None) -> list[TombstoneView]:
    require_records_office(actor)
    query = _tombstone_query()
    if form_code:
        query = query.where(Tombstone.form_code == form_code)
    if year:
        query = query.where(Tombstone.year == year)
    with db.transaction() as session:
        rows = session.execute(query.order_by(Tombstone.form_code, Tombstone.year, Tombstone.seq)).all()
        found = [_tombstone_view(t, name) for t, name in rows]
        trail.append(session, at=clock.now(), actor=actor, action="tombstone.list", object_type="record",
                     object_id="", detail={"codes": [t.code for t in found]})
    return found


def tombstone_of(db: Database, clock: Clock, actor: Actor, code: str) -> TombstoneView | None:
    """The tombstone of ``code`` if it was destroyed, else None. Anyone signed in who looks for
    a destroyed record learns that it was destroyed, when and under which list (a tombstone holds
    no personal data, and "no such page" would hide a lawful disposal); audited as a read."""
    with db.transaction() as session:
        row = session.execute(_tombstone_query().where(Tombstone.code == code)).first()
        if row is None:
            return None
        trail.append(session, at=clock.now(), actor=actor, action="tombstone.read", object_type="record",
                     object_id=code, detail={})
        return _tombstone_view(*row)


def _tombstone_query() -> Select[tuple[Tombstone, str]]:
    return select(Tombstone, User.username).join(User, User.id == Tombstone.approved_by_id)


def _tombstone_view(t: Tombstone, approver: str) -> TombstoneView:
    return TombstoneView(t.code, t.retention_class, t.submitted_at, t.filed_at, t.retention_until,
                         t.destroyed_at, approver, t.disposal_list_id, t.archival_code)


def code_years(db: Database) -> set[int]:
    """Every year in which some record was numbered (the code counters' years; a year's
    records may all be destroyed since, its codes still existed): what a year picker offers."""
    with db.reading() as session:
        return set(session.scalars(select(CodeCounter.year).distinct()))
