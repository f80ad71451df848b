"""The catalogue (案卷目录) of filed records by form, year and volume, in code order (归档按编号
顺序): code, title, pages, date formed, retention. And the tombstones of destroyed records,
which say what existed and when and under whose approval it went. Both are lists of records:
audited, and open to the records office only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select

from archive.models import CodeCounter, Record, Rendition, Tombstone
from archive.office import require_records_office
from archive.renditions import ARCHIVAL
from core.audit import trail
from core.auth.models import User
from core.auth.roles import Actor
from core.clock import Clock, local
from core.db import Database


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
    the forms' names); raises :class:`PrintUnavailable`."""

    def __call__(self, heading: CatalogueHeading, entries: Sequence[CatalogueEntry]) -> bytes: ...


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

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "retention_class": self.retention_class,
                "submitted_at": self.submitted_at.isoformat(),
                "filed_at": self.filed_at.isoformat() if self.filed_at else None,
                "retention_until": self.retention_until.isoformat() if self.retention_until else None,
                "destroyed_at": self.destroyed_at.isoformat(), "approved_by": self.approved_by,
                "disposal_list": self.disposal_list}


def catalogue(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, form_code: str, year: int,
              volume: str | None = None, *, purpose: str = "list") -> list[CatalogueEntry]:
    """The filed records of one form and code year (one volume if given), numbered in code order."""
    require_records_office(actor)
    pages = (select(func.max(Rendition.pages)).where(
        Rendition.record_id == Record.id, Rendition.revision == Record.filed_revision,
        Rendition.kind == ARCHIVAL).scalar_subquery())
    query = select(Record, pages).where(Record.form_code == form_code, Record.year == year,
                                        Record.filed_at.is_not(None))
    if volume:
        query = query.where(Record.volume == volume)
    with db.transaction() as session:
        rows = session.execute(query.order_by(Record.seq)).all()
        entries = [CatalogueEntry(n, r.code, r.title, p, local(r.submitted_at, zone).date(), r.volume or "",
                                  r.retention_class or "", r.retention_until)
                   for n, (r, p) in enumerate(rows, start=1)]
        trail.append(session, at=clock.now(), actor=actor, action=f"record.{purpose}", object_type="record",
                     object_id="", detail={"catalogue": f"{form_code} {year} {volume or '*'}",
                                           "codes": [e.code for e in entries]})
    return entries


def volumes(db: Database, actor: Actor, form_code: str, year: int) -> list[tuple[str, int]]:
    """The volumes of one form and year with how many filed records each holds."""
    require_records_office(actor)
    with db.reading() as session:
        rows = session.execute(select(Record.volume, func.count()).where(
            Record.form_code == form_code, Record.year == year, Record.filed_at.is_not(None))
            .group_by(Record.volume).order_by(Record.volume)).all()
    return [(v or "", n) for v, n in rows]


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
                         t.destroyed_at, approver, t.disposal_list_id)


def code_years(db: Database) -> set[int]:
    """Every year in which some record was numbered (the code counters' years; a year's
    records may all be destroyed since, its codes still existed): what a year picker offers."""
    with db.reading() as session:
        return set(session.scalars(select(CodeCounter.year).distinct()))
