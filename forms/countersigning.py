"""Countersigning (主管阅签) in bulk from the inbox.

A supervisor countersigns every record of their department: as one more inbox row per record,
the countersignatures drowned the tasks that need thought (classify, return, close). The inbox
lists them apart, to be ticked and signed with one POST; each record is still its own audited
action at the revision the supervisor saw (:func:`forms.workflow.act_on_many`), so a record that
changed meanwhile is refused and named while the others are signed. From the record page a
countersignature is one button, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database
from forms.inbox import Task
from forms.workflow import BatchOutcome, act_on_many

#: The workflow action that stamps the countersignature (the same name in every spec).
COUNTERSIGN = "countersign"


@dataclass(frozen=True)
class ToSign:
    """A record waiting for the actor's countersignature, at the revision they are shown."""

    task: Task
    revision: int


def split(tasks: list[Task]) -> tuple[list[Task], list[ToSign]]:
    """The inbox's tasks without countersignatures (a record with nothing else to do drops out),
    and the records waiting for one, in the inbox's order, at the revision the inbox read."""
    waiting = [t for t in tasks if any(name == COUNTERSIGN for name, _label in t.actions)]
    rest = [replace(t, actions=tuple(a for a in t.actions if a[0] != COUNTERSIGN)) for t in tasks]
    return [t for t in rest if t.actions], [ToSign(t, t.revision) for t in waiting]


def countersign_many(db: Database, clock: Clock, zone: ZoneInfo, actor: Actor,
                     items: list[tuple[str, int]]) -> BatchOutcome:
    """Countersign each (code, revision seen): one transaction and audit event per record."""
    return act_on_many(db, clock, zone, actor, items, COUNTERSIGN)
