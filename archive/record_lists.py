"""Record lists with filters, for the API (``GET /api/v1/records``): the records a user may see,
narrowed by form, state, department, code year, submitter and whether overdue, a page at a time,
newest first. The same scope as every list (:func:`archive.records.visible_to`) and the same
audit (``record.list``, with the filters and the codes listed)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, func, not_, select

from archive.models import Record
from archive.overdue import overdue_clause
from archive.records import Page, record_view, visible_to
from core.audit import trail
from core.auth.models import Department, User
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database

MAX_PER_PAGE = 100


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


def find_records(db: Database, clock: Clock, actor: Actor, filters: RecordFilters, *, page: int = 1,
                 per_page: int = 20, channel: str = "api") -> Page:
    """A page of the records ``actor`` may see that pass ``filters``; audited as one list."""
    page, per_page = max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)
    now = clock.now()
    conditions = [visible_to(actor), *_conditions(actor, filters, now)]
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(Record).where(*conditions)) or 0
        rows = session.scalars(select(Record).where(*conditions)
                               .order_by(Record.submitted_at.desc(), Record.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
        items = tuple(record_view(session, r, now=now) for r in rows)
        trail.append(session, at=now, actor=actor, action="record.list", object_type="record", object_id="",
                     detail={"via": channel, "filters": filters.as_json(), "page": page,
                             "codes": [r.code for r in items]})
    return Page(items, page, per_page, total)


def _conditions(actor: Actor, filters: RecordFilters, now: Any) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filters.form:
        found.append(Record.form_code == filters.form)
    if filters.state:
        found.append(Record.state == filters.state)
    if filters.department:
        found.append(Record.department_id == select(Department.id).where(
            Department.code == filters.department).scalar_subquery())
    if filters.year is not None:
        found.append(Record.code.like(f"%-{filters.year:04d}-%"))
    if filters.submitter:
        found.append(Record.submitted_by_id == select(User.id).where(
            User.username == filters.submitter).scalar_subquery())
    if filters.mine:
        found.append(Record.submitted_by_id == actor.user_id)
    if filters.overdue is not None:
        late = func.coalesce(overdue_clause(now), false())  # NULL (no met time yet) counts as not late
        found.append(late if filters.overdue else not_(late))
    return found
