"""Minting the archival reference (档号) inside the filing transaction.

The item number (件号) runs per (fonds, category, year, retention, organisation): the counter
row of that group is incremented with ``UPDATE … RETURNING`` in the filing transaction, so it
stays locked until filing commits, as form codes are minted (archive/numbering.py): a filing
that rolls back gives its number back (no gap), two filers never get the same number, and the
unique index on ``records.archival_code`` refuses a duplicate whatever happens. A record that
already has a 档号 keeps it: numbers are never changed and never reused.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive.archival_codes import ArchivalReference, ArchivalScheme, retention_code
from archive.models import ArchivalCounter, Record
from archive.retention import ClassView
from core.auth.models import Department

_COUNTERS = ArchivalCounter.__table__
_GROUP = ("fonds", "category", "year", "retention", "organisation")
#: Built once: a statement reused with bound values keeps its compiled form cached.
_BUMP = (
    update(_COUNTERS)
    .where(*(_COUNTERS.c[name] == bindparam(f"b_{name}") for name in _GROUP))
    .values(value=_COUNTERS.c.value + bindparam("b_count"))
    .returning(_COUNTERS.c.value)
)
_FIRST = insert(_COUNTERS)


Group = tuple[str, str, int, str, str]


def next_item(session: Session, group: Group) -> int:
    """The next item number of ``group``, the counter row locked until the transaction ends."""
    return next_items(session, group, 1)


def next_items(session: Session, group: Group, count: int) -> int:
    """Take ``count`` item numbers of ``group`` at once; returns the first (they run on from
    it). The counter row stays locked until the transaction ends. The group's first numbers
    insert the row in a savepoint; if another filer inserted it first, its primary key refuses
    ours and we take the UPDATE path."""
    connection = session.connection()
    key = {**{f"b_{name}": value for name, value in zip(_GROUP, group, strict=True)}, "b_count": count}
    value = connection.execute(_BUMP, key).scalar_one_or_none()
    if value is not None:
        return value - count + 1
    try:
        with connection.begin_nested():
            connection.execute(_FIRST, {**dict(zip(_GROUP, group, strict=True)), "value": count})
        return 1
    except IntegrityError:
        return connection.execute(_BUMP, key).scalar_one() - count + 1


def mint(session: Session, record: Record, cls: ClassView, scheme: ArchivalScheme,
         department_code: str | None) -> str:
    """Give ``record`` its 档号 (filing calls it in its transaction) and return it; a record
    that has one keeps it. Year: the record's code year (an imported record's own); retention:
    its class's code; organisation: its department's."""
    if record.archival_code:
        return record.archival_code
    group = (scheme.fonds, scheme.category(record.form_code), record.year, retention_code(cls),
             scheme.organisation(department_code))
    reference = ArchivalReference(*group, next_item(session, group))
    record.archival_code = reference.text
    return reference.text


def current_scheme() -> ArchivalScheme:
    """The running app's 档号 settings (checked when it started)."""
    return ArchivalScheme.from_config(current_app.config)


def department_code(session: Session, record: Record) -> str | None:
    """The code of the record's department (None for a record of none)."""
    if record.department_id is None:
        return None
    return session.scalar(select(Department.code).where(Department.id == record.department_id))
