"""档号 for filed records that have none: those filed before 档号 were minted (``flask init`` and
``archive file`` give them theirs, once) and the records a legacy import writes filed.

They are numbered in filing order (filed_at, then id) within each (fonds, category, year,
retention, organisation), after whatever that group has given already, with the counters moved
on in the same transaction: one ``UPDATE … RETURNING`` per group takes its whole range, so a
large archive costs one statement per group, not per record. The records are locked first (in
the same order, so two servers running ``init`` at once take turns) and only a record still
without a 档号 is given one: running it again gives nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, select, true, update
from sqlalchemy.orm import Session

from archive.archival_codes import ArchivalReference, ArchivalScheme, retention_code
from archive.archival_numbering import Group, next_items
from archive.models import Record, RetentionClass
from core.audit import trail
from core.auth.models import Department

#: Called for each record given a 档号, in the same transaction: (session, code, revision, now).
AfterGiven = Callable[[Session, str, int, datetime], None]

_GIVE = (update(Record.__table__)
         .where(Record.__table__.c.id == bindparam("b_id"), Record.__table__.c.archival_code.is_(None))
         .values(archival_code=bindparam("b_code")))


@dataclass(frozen=True)
class _Class:
    years: int
    months: int
    action: str


def give_missing(session: Session, scheme: ArchivalScheme, now: datetime, *,
                 among: ColumnElement[bool] | None = None, audit: bool = True,
                 after: AfterGiven | None = None) -> list[tuple[str, str]]:
    """Give every filed record without a 档号 (``among`` narrows which) its 档号, in filing
    order; returns (record code, 档号) in that order. ``audit``: one ``record.archival_code``
    event per record (an import names the 档号 in its own event instead)."""
    rows = _waiting(session, true() if among is None else among)
    groups: dict[Group, list[Any]] = {}
    for row in rows:
        groups.setdefault(_group_of(scheme, row), []).append(row)
    given: dict[int, str] = {}
    for group in sorted(groups):  # counters locked in one order: no deadlock with another giver
        first = next_items(session, group, len(groups[group]))
        for offset, row in enumerate(groups[group]):
            given[row.id] = ArchivalReference(*group, first + offset).text
    if given:
        session.connection().execute(_GIVE, [{"b_id": id_, "b_code": code} for id_, code in given.items()])
    for row in rows:
        _after_one(session, now, row.code, row.revision, given[row.id], audit, after)
    return [(row.code, given[row.id]) for row in rows]


def _waiting(session: Session, among: ColumnElement[bool]) -> list[Any]:
    """The filed records without a 档号, in filing order, locked, with what their 档号 needs."""
    return list(session.execute(
        select(Record.id, Record.code, Record.form_code, Record.year, Record.revision,
               Department.code.label("department_code"), RetentionClass.years, RetentionClass.months,
               RetentionClass.action)
        .outerjoin(Department, Department.id == Record.department_id)
        .join(RetentionClass, RetentionClass.code == Record.retention_class)
        .where(Record.filed_at.is_not(None), Record.archival_code.is_(None), among)
        .order_by(Record.filed_at, Record.id).with_for_update(of=Record)).all())


def _group_of(scheme: ArchivalScheme, row: Any) -> Group:
    retention = retention_code(_Class(row.years, row.months, row.action))
    return (scheme.fonds, scheme.category(row.form_code), row.year, retention,
            scheme.organisation(row.department_code))


def _after_one(session: Session, now: datetime, code: str, revision: int, archival_code: str, audit: bool,
               after: AfterGiven | None) -> None:
    if audit:
        trail.append(session, at=now, actor=None, actor_name="system:filing", action="record.archival_code",
                     object_type="record", object_id=code,
                     detail={"archival_code": archival_code, "reason": "filed before 档号 were minted"})
    if after is not None:
        after(session, code, revision, now)
