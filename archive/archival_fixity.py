"""``archive verify`` for the 档号: every item number a counter has given is held by a record or
a destroyed record's tombstone, and none is beyond its counter (it could be given again).

A number given and held by nothing means a record left outside disposal, as a code gap does
for form codes (archive.fixity); a number beyond the counter means the counter was set back
(a restored counter table, a hand edit), and the next filing of that group would repeat it.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.archival_codes import ArchivalReference
from archive.archival_numbering import Group
from archive.models import ArchivalCounter, Record, Tombstone

KIND = "archival-gap"


def archival_gaps(session: Session) -> Iterator[tuple[str, str]]:
    """(subject, why) of every 档号 problem, gaps as runs (``…-0003 … …-0007 (5 numbers)``)."""
    held = _held(session)
    for group, value in given_numbers(session).items():
        taken = held.pop(group, set())
        for first, last in _runs(sorted(set(range(1, value + 1)) - taken)):
            span = ArchivalReference(*group, first).text
            if last != first:
                span += f" … {ArchivalReference(*group, last).text} ({last - first + 1} numbers)"
            yield span, "given, but neither a record nor a tombstone holds it"
        for item in sorted(n for n in taken if n > value):
            beyond = f"beyond the counter ({value}): it could be given again"
            yield ArchivalReference(*group, item).text, beyond
    for group, taken in held.items():  # a group with no counter at all
        for item in sorted(taken):
            yield ArchivalReference(*group, item).text, "no counter for its group: it could be given again"


def given_numbers(session: Session) -> dict[Group, int]:
    """Each group's counter value (the item numbers given so far)."""
    return {(c.fonds, c.category, c.year, c.retention, c.organisation): c.value
            for c in session.scalars(select(ArchivalCounter))}


def _held(session: Session) -> dict[Group, set[int]]:
    held: dict[Group, set[int]] = {}
    for column in (Record.archival_code, Tombstone.archival_code):
        for text in session.scalars(select(column).where(column.is_not(None))):
            reference = ArchivalReference.parse(text)
            held.setdefault(reference.group, set()).add(reference.item)
    return held


def _runs(numbers: list[int]) -> Iterator[tuple[int, int]]:
    """Consecutive runs of sorted numbers as (first, last)."""
    start = previous = None
    for number in numbers:
        if previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            yield start, previous  # type: ignore[misc]
        start = previous = number
    if start is not None:
        yield start, previous  # type: ignore[misc]
