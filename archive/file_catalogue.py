"""The 归档文件目录 (DA/T 22-2015): the filed items of one year in 档号 order, with the columns an
archivist keeps per item — 件号, 责任者, 文号, 题名, 日期, 页数, 备注 — filterable by retention code
and organisation. The 案卷目录 by form and volume is :mod:`archive.catalogue`; both are lists of
records, open to the records office only and audited with every code shown (``record.<purpose>``).

Items are found by their archival reference (``records.archival_code``, migration 0020): its
year is the record's code year, read with the 档号 from ``ix_records_year_archival`` (migration
0022); retention and organisation are levels of the code, so they are a ``LIKE`` on it; the order
is the code's own (byte order: PostgreSQL is told ``COLLATE "C"``, so a locale's collation cannot
reorder the punctuation between levels; SQLite compares bytes already).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, Select, exists, func, select
from sqlalchemy.orm import Session

from archive.archival_codes import ORGANISATION, RETENTION, ArchivalReference
from archive.holds import active_hold_on
from archive.models import Record, RecordRevision, Rendition
from archive.office import require_records_office
from archive.renditions import ARCHIVAL
from core.audit import trail
from core.auth.models import Department
from core.auth.names import Names
from core.auth.roles import Actor
from core.clock import Clock, local
from core.db import Database

#: Items on one page of the list (a year may hold tens of thousands).
PER_PAGE = 100
#: What a remark (备注) says, by key, in the order they are shown.
REMARKS = ("corrected", "imported", "on_hold")
#: The workflow action that corrects a filed record.
CORRECT = "correct"


class BadFilter(ValueError):
    """A filter value that is no year, retention code or organisation code; names which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ItemFilter:
    """Which items: one year (the 档号's 年度), optionally one retention code (Y, D30, D10 …) and
    one organisation code (KF, XS …)."""

    year: int
    retention: str | None = None
    organisation: str | None = None

    def __post_init__(self) -> None:
        if not 2000 <= self.year <= 2100:
            raise BadFilter("year", "year: a year from 2000 to 2100")
        if self.retention is not None and not RETENTION.fullmatch(self.retention):
            raise BadFilter("retention", f"retention: {self.retention!r} is no retention code "
                                         "(Y, D30, D10 …)")
        if self.organisation is not None and not ORGANISATION.fullmatch(self.organisation):
            raise BadFilter("organisation", f"organisation: {self.organisation!r} is no organisation code "
                                            "(capital letters and digits)")

    @property
    def pattern(self) -> str:
        """The ``LIKE`` pattern of the codes it keeps (no level can hold ``%`` or ``_``)."""
        return f"%·{self.year}-{self.retention or '%'}-{self.organisation or '%'}-%"

    def describe(self) -> str:
        return f"{self.year} {self.retention or '*'} {self.organisation or '*'}"


@dataclass(frozen=True)
class CatalogueItem:
    """One line of the 归档文件目录 (``title`` as the reader may see it, see ``shown_titles``)."""

    archival_code: str
    item: int
    department: str  # the responsible department's code (责任者), "" if none
    code: str  # 文号: the form code the record was given at submission
    title: str
    formed: date
    pages: int | None
    remarks: tuple[str, ...]
    retention_class: str
    retention_until: date | None

    def as_json(self) -> dict[str, object]:
        return {"archival_code": self.archival_code, "item": self.item, "department": self.department,
                "code": self.code, "title": self.title, "date": self.formed.isoformat(),
                "pages": self.pages, "remarks": list(self.remarks),
                "retention_class": self.retention_class,
                "retention_until": self.retention_until.isoformat() if self.retention_until else None}


@dataclass(frozen=True)
class ItemPage:
    items: list[CatalogueItem]
    page: int
    pages: int
    total: int


def items_page(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, wanted: ItemFilter, *,
               page: int = 1, per_page: int | None = None) -> ItemPage:
    """One page of :func:`items` (a page past the end is the last), audited with its codes."""
    require_records_office(actor)
    per_page = per_page or PER_PAGE
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(Record).where(_kept(wanted))) or 0
        pages = max(1, -(-total // per_page))
        page = min(max(page, 1), pages)
        found = _read(session, zone, _query(session, wanted, skip=(page - 1) * per_page, limit=per_page))
    _audit(db, clock, actor, "list", wanted, found)
    return ItemPage(found, page, pages, total)


def items(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor, wanted: ItemFilter, *,
          purpose: str = "list") -> list[CatalogueItem]:
    """Every item ``wanted`` names, in 档号 order: for the CSV, the printed catalogue, the API and
    the year's transfer. Audited as ``record.<purpose>`` with every code, after the read."""
    require_records_office(actor)
    with db.reading() as session:
        found = _read(session, zone, _query(session, wanted))
    _audit(db, clock, actor, purpose, wanted, found)
    return found


def read_items(session: Session, zone: ZoneInfo, wanted: ItemFilter) -> list[CatalogueItem]:
    """Every item in the caller's transaction, unaudited: the caller audits (the transfer)."""
    return _read(session, zone, _query(session, wanted))


def _kept(wanted: ItemFilter) -> ColumnElement[bool]:
    """The records ``wanted`` names: their code year is the 档号's 年度 (it is minted from it), and
    the 档号 matches the retention and organisation asked for."""
    return (Record.year == wanted.year) & Record.archival_code.is_not(None) & \
        Record.archival_code.like(wanted.pattern)


def _in_code_order(session: Session) -> ColumnElement[Any]:
    """The 档号 compared byte by byte on both engines (a locale's collation would skip the
    punctuation between levels and put D30 before D3)."""
    if session.get_bind().dialect.name == "postgresql":
        return Record.archival_code.collate("C")
    return Record.archival_code


def _query(session: Session, wanted: ItemFilter, *, skip: int = 0, limit: int | None = None) -> Select[Any]:
    """The shown columns in 档号 order (``limit`` of them after ``skip``); the pages from the filed
    revision's archival copy. The ids are found in ``ix_records_year_archival`` alone, only
    their rows are read."""
    ids = select(Record.id).where(_kept(wanted)).order_by(_in_code_order(session))
    if limit is not None:
        ids = ids.offset(skip).limit(limit)
    pages = (select(func.max(Rendition.pages)).where(
        Rendition.record_id == Record.id, Rendition.revision == Record.filed_revision,
        Rendition.kind == ARCHIVAL).scalar_subquery())
    return (select(Record.archival_code, Record.code, Record.title, Record.submitted_at,
                   Department.code.label("department"), pages.label("pages"),
                   _corrected().label("corrected"),
                   Record.imported_at.is_not(None).label("imported"),
                   active_hold_on(Record.code).label("on_hold"),
                   Record.retention_class, Record.retention_until)
            .outerjoin(Department, Department.id == Record.department_id)
            .where(Record.id.in_(ids.scalar_subquery())).order_by(_in_code_order(session)))


def _corrected() -> ColumnElement[bool]:
    """SQL: the record was corrected after it was filed (a ``correct`` revision past the filed one)."""
    return exists().where(RecordRevision.record_id == Record.id, RecordRevision.action == CORRECT,
                          RecordRevision.number > Record.filed_revision)


def _read(session: Session, zone: ZoneInfo, query: Select[Any]) -> list[CatalogueItem]:
    return [_item(row, zone) for row in session.execute(query)]


def _item(row: Row[Any], zone: ZoneInfo) -> CatalogueItem:
    remarks = tuple(key for key in REMARKS if getattr(row, key))
    return CatalogueItem(row.archival_code, ArchivalReference.parse(row.archival_code).item,
                         row.department or "", row.code, row.title, local(row.submitted_at, zone).date(),
                         row.pages, remarks, row.retention_class or "", row.retention_until)


def _audit(db: Database, clock: Clock, actor: Actor, purpose: str, wanted: ItemFilter,
           found: list[CatalogueItem]) -> None:
    trail.append_alone(db, at=clock.now(), actor=actor, action=f"record.{purpose}", object_type="record",
                       object_id="", detail={"file_catalogue": wanted.describe(),
                                             "codes": [i.code for i in found]})


#: The CSV's columns (the page's and the transfer's metadata): 件号 item, 责任者 responsible,
#: 文号 code, 题名 title, 日期 date, 页数 pages, 备注 remarks (keys joined by ";").
CSV_HEADER = ["archival_code", "item", "responsible", "department", "code", "title", "date", "pages",
              "remarks", "retention_class", "retention_until"]


def csv_rows(found: list[CatalogueItem], names: Names, locale: str) -> list[list[object]]:
    """The header and one row per item; the responsible department by name in ``locale``."""
    return [CSV_HEADER, *([i.archival_code, i.item, names.department(i.department, locale), i.department,
                           i.code, i.title, i.formed.isoformat(), "" if i.pages is None else i.pages,
                           ";".join(i.remarks), i.retention_class,
                           i.retention_until.isoformat() if i.retention_until else "permanent"]
                          for i in found)]


@dataclass(frozen=True)
class ItemHeading:
    """What a printed 归档文件目录 says it lists, and when it was printed (None: a transfer's
    copy, which carries no time so that the same year prints the same bytes)."""

    wanted: ItemFilter
    fonds: str
    printed_at: datetime | None

