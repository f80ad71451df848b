"""Record lists: "my records", the department's (everyone's for the records office) and the API's
list with filters (``GET /api/v1/records``: form, state, department, code year, submitter,
whether overdue), a page at a time, newest first. The same scope as every list
(:func:`archive.records.visible_to`) and the same audit (``record.list``, with the codes listed).

What keeps a page cheap whatever the archive's size (issue 16):

- The page's ids are read from an index that ends in the list's order (submitted_at, id), one
  per scope (migration 0012), walking offset + one page + 1 entries: no sort of the scope, no
  JSON ``data`` carried through it. Then only those rows are loaded, without ``data`` (a list
  shows code, form, title, state, dates and people; titles are stored in ``Record.title`` and
  masked by the forms package where the reader has no need, :func:`forms.spec_disclosure.shown_page`).
- No count of the whole scope: the records are counted only up to :data:`COUNT_CAP`; past it a
  page says "more than N" (``more``) and pages on with "next" (the ``per_page + 1``-th row says
  whether there is one). The last page knows its exact total from its own offset for free;
  a page past the end counts at most its offset, to lead to the last page.
- Read in ``db.reading()``; the audit event is appended afterwards in a write transaction that
  does nothing else, so a list never holds the writer lock or the audit chain's head.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Select, false, func, not_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.visitors import InternalTraversal

from archive.models import Record
from archive.overdue import overdue_clause, overdue_since
from archive.records import FilingState, RecordView, visible_to
from core.audit import trail
from core.auth.models import Department, User
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database

MAX_PER_PAGE = 100
#: Records are counted up to this many; beyond, a list says "more than" and pages by "next".
COUNT_CAP = 1000
#: The list's order, newest first; every list index ends in these columns (migration 0012).
NEWEST_FIRST = (Record.submitted_at.desc(), Record.id.desc())

_Signer = aliased(User)
#: What a listed record shows: everything of :class:`RecordView` except its data and history.
_LISTED = (Record.id, Record.code, Record.form_code, Record.form_version, Record.state, Record.title,
           Department.code, Department.name_zh, Department.name_en, User.username, User.display_name,
           Record.submitted_at, Record.revision, _Signer.username, _Signer.display_name,
           Record.countersigned_at, Record.due_at, Record.deadline_met_at, Record.overdue_at,
           Record.deadline_paused_at, Record.flags, Record.filed_at, Record.filed_revision, Record.volume,
           Record.retention_class, Record.retention_until, Record.end_action)


@dataclass(frozen=True)
class RecordFilters:
    """What narrows a list; None (or False for ``mine``) leaves it open."""

    form: str | None = None
    state: str | None = None
    department: str | None = None  # department code
    year: int | None = None  # the code's year (CP-2026-…)
    submitter: str | None = None  # username
    overdue: bool | None = None
    mine: bool = False  # only the actor's own submissions (the page's "my records")

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, False)}


@dataclass(frozen=True)
class ListPage:
    """One page of a list. Its records carry no ``data`` (read one record for that).

    ``total`` is exact unless ``more``: then there are more than ``total`` records (counting
    stopped at :data:`COUNT_CAP`, or this page lies beyond it) and ``pages`` is how many are
    known so far; ``has_next`` is always exact.
    """

    items: tuple[RecordView, ...]
    page: int
    per_page: int
    total: int
    more: bool = False
    has_next: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_records(db: Database, clock: Clock, actor: Actor, *, mine: bool = False, page: int = 1,
                 per_page: int = 20) -> ListPage:
    """A page of the records the actor may see (only their own with ``mine``), newest first;
    audited as one list event, as the record list page has always recorded it."""
    now = clock.now()
    conditions = [visible_to(actor)] + ([Record.submitted_by_id == actor.user_id] if mine else [])
    listed = _read_page(db, conditions, page, per_page, now)
    _audit(db, actor, now, {"mine": mine, "page": listed.page, "codes": [r.code for r in listed.items]})
    return listed


def find_records(db: Database, clock: Clock, actor: Actor, filters: RecordFilters, *, page: int = 1,
                 per_page: int = 20, channel: str = "api") -> ListPage:
    """A page of the records ``actor`` may see that pass ``filters``; audited as one list."""
    now = clock.now()
    listed = _read_page(db, [visible_to(actor), *_conditions(actor, filters, now)], page, per_page, now)
    _audit(db, actor, now, {"via": channel, "filters": filters.as_json(), "page": listed.page,
                            "codes": [r.code for r in listed.items]})
    return listed


def _read_page(db: Database, conditions: list[ColumnElement[bool]], page: int, per_page: int,
               now: datetime) -> ListPage:
    page, per_page = max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)
    offset = (page - 1) * per_page
    with db.reading() as session:
        ids = list(session.scalars(select(Record.id).where(*conditions).order_by(*NEWEST_FIRST)
                                   .limit(per_page + 1).offset(offset)))
        has_next, ids = len(ids) > per_page, ids[:per_page]
        total, more = _total(session, conditions, offset, len(ids), has_next, page)
        items = _views(session, ids, now)
    return ListPage(items, page, per_page, total, more, has_next)


def _total(session: Session, conditions: list[ColumnElement[bool]], offset: int, shown: int,
           has_next: bool, page: int) -> tuple[int, bool]:
    """(total, more) at a cost bounded by the cap or the page's own offset, never the scope."""
    if shown and not has_next:  # the last page: everything before it and itself
        return offset + shown, False
    if not shown:  # past the end (page > 1: an old link, a typed number): fewer than the offset
        return (_count_upto(session, conditions, offset) if page > 1 else 0), False
    if offset + shown >= COUNT_CAP:  # this page is already past the cap
        return offset + shown, True
    counted = _count_upto(session, conditions, COUNT_CAP)
    return min(counted, COUNT_CAP), counted > COUNT_CAP


def _count_upto(session: Session, conditions: list[ColumnElement[bool]], cap: int) -> int:
    """The records in scope, counted from the index up to ``cap`` + 1 (so ``> cap`` says "more")."""
    found = select(Record.id).where(*conditions).limit(cap + 1).subquery()
    return session.scalar(select(func.count()).select_from(found)) or 0


def _views(session: Session, ids: list[int], now: datetime) -> tuple[RecordView, ...]:
    """The listed rows of ``ids`` (in that order), with names, without data or history."""
    if not ids:
        return ()
    rows = {row[0]: row for row in session.execute(_listed_rows().where(Record.id.in_(ids)))}
    return tuple(_view(rows[i], now) for i in ids if i in rows)


def _listed_rows() -> Select[Any]:
    return (select(*_LISTED).join(User, User.id == Record.submitted_by_id)
            .outerjoin(Department, Department.id == Record.department_id)
            .outerjoin(_Signer, _Signer.id == Record.countersigned_by_id))


def _view(row: Any, now: datetime) -> RecordView:
    (_id, code, form_code, form_version, state, title, department, name_zh, name_en, username,
     display_name, submitted_at, revision, signer, signer_name, countersigned_at, due_at, met_at,
     marked_at, paused_at, flags, filed_at, filed_revision, volume, retention_class, retention_until,
     end_action) = row
    filing = None if filed_at is None else FilingState(
        filed_at, filed_revision or revision, volume or "", retention_class or "", retention_until,
        end_action or "")
    return RecordView(
        code=code, form_code=form_code, form_version=form_version, state=state, title=title, data={},
        department_code=department, department_name=(name_zh, name_en) if department else ("", ""),
        submitted_by=username, submitted_by_name=display_name, submitted_at=submitted_at,
        revision=revision, countersigned_by=signer, countersigned_by_name=(signer_name or signer) if signer
        else "", countersigned_at=countersigned_at, due_at=due_at,
        overdue_at=overdue_since(due_at, met_at, marked_at, now), deadline_paused_at=paused_at,
        flags=dict(flags or {}), filing=filing)


def _audit(db: Database, actor: Actor, now: datetime, detail: dict[str, Any]) -> None:
    """The list's event, in a write transaction of its own (after the read, before it is shown)."""
    trail.append_alone(db, at=now, actor=actor, action="record.list", object_type="record",
                       object_id="", detail=detail)


class _Unindexed(ColumnElement[Any]):
    """A column SQLite must not look up by an index (``+column``, SQLite's documented way);
    plain elsewhere. PostgreSQL weighs each index by its statistics; SQLite, without them,
    takes an index on an equality (the code's (form, year, seq)) and sorts all it finds."""

    inherit_cache = True
    _traverse_internals: ClassVar[Any] = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column, self.type = column, column.type


@compiles(_Unindexed)
def _plain(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))


@compiles(_Unindexed, "sqlite")
def _unary_plus(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.column, **kw))


def _unindexed(column: Any) -> Any:
    return _Unindexed(column)


def _conditions(actor: Actor, filters: RecordFilters, now: Any) -> list[ColumnElement[bool]]:
    """The filters as SQL. Scope filters (department, submitter, mine) are equalities an index
    in the list's order begins with; the others are checked on the rows that index yields, in
    order (:class:`_Unindexed`; the overdue rule is inside ``coalesce``, which no index serves)."""
    found: list[ColumnElement[bool]] = []
    if filters.form:
        found.append(_unindexed(Record.form_code) == filters.form)
    if filters.state:
        found.append(_unindexed(Record.state) == filters.state)
    if filters.department:
        found.append(Record.department_id == select(Department.id).where(
            Department.code == filters.department).scalar_subquery())
    if filters.year is not None:
        found.append(_unindexed(Record.year) == filters.year)  # the code's year (the code is made from it)
    if filters.submitter:
        found.append(Record.submitted_by_id == select(User.id).where(
            User.username == filters.submitter).scalar_subquery())
    if filters.mine:
        found.append(Record.submitted_by_id == actor.user_id)
    if filters.overdue is not None:
        late = func.coalesce(overdue_clause(now), false())  # NULL (no met time yet) counts as not late
        found.append(late if filters.overdue else not_(late))
    return found
