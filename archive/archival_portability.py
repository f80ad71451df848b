"""The 档号 counters across ``archive export`` → ``archive import``, so numbering continues in
the new instance exactly where it stopped: never a number given twice, never one skipped.

The records carry their ``archival_code`` as a column of their row; the counters
(``tables/archival_counters.json``) travel beside them. On import each counter is set to the
highest of what the export says and the highest item number any imported record or tombstone
holds in its group: an export made before 档号 (no counters file) or a hand-edited one cannot
make the next filing reuse a number a record or a destroyed record's tombstone already had.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from archive.archival_codes import ArchivalReference
from archive.archival_numbering import Group
from archive.models import ArchivalCounter, Record, Tombstone

COUNTERS_FILE = f"tables/{ArchivalCounter.__tablename__}.json"
_TABLE = ArchivalCounter.__table__
_KEY = ("fonds", "category", "year", "retention", "organisation")


def restore_counters(session: Session, folder: Path) -> dict[Group, int]:
    """Set the counters after the records and tombstones are restored; returns them."""
    wanted = _exported(folder)
    for group, item in _highest_given(session).items():
        wanted[group] = max(wanted.get(group, 0), item)
    for group, value in sorted(wanted.items()):
        where = [_TABLE.c[name] == part for name, part in zip(_KEY, group, strict=True)]
        current = session.scalar(select(_TABLE.c.value).where(*where))
        if current is None:
            session.execute(insert(_TABLE).values(**dict(zip(_KEY, group, strict=True)), value=value))
        elif current < value:
            session.execute(update(_TABLE).where(*where).values(value=value))
    return wanted


def _exported(folder: Path) -> dict[Group, int]:
    path = folder / COUNTERS_FILE
    if not path.is_file():  # an export made before 档号
        return {}
    rows: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))
    return {(r["fonds"], r["category"], int(r["year"]), r["retention"], r["organisation"]): int(r["value"])
            for r in rows}


def _highest_given(session: Session) -> dict[Group, int]:
    """The highest item number per group among the records' and tombstones' 档号."""
    highest: dict[Group, int] = {}
    for column in (Record.archival_code, Tombstone.archival_code):
        for text in session.scalars(select(column).where(column.is_not(None))):
            reference = ArchivalReference.parse(text)
            highest[reference.group] = max(highest.get(reference.group, 0), reference.item)
    return highest
