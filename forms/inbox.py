"""A user's inbox: the records waiting for them to act, and how many.

A record waits for a user when one of its form's workflow transitions can be taken from the
record's state by that user (their role, or ``filler`` for their own records) and is a task,
not something always possible: corrections are never in the inbox, a countersignature only
until it is given. The rule is the workflow's (:func:`forms.workflow.permitted`); here it is
turned into one SQL condition per (form, version, state), so the inbox costs two queries
however many records there are.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select

from archive.models import Record
from archive.overdue import overdue_since
from archive.records import visible_to
from core.audit import trail
from core.auth.models import User
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database
from forms import rules
from forms.disclosure import masked_titles
from forms.printing import CORRECTION
from forms.spec.model import FILLER, Transition
from forms.versions import spec_version

#: At most this many tasks are listed (oldest first); the count covers them all.
MAX_TASKS = 200


@dataclass(frozen=True)
class Task:
    code: str
    title: str
    form_code: str
    state: str
    state_label: dict[str, str]
    actions: tuple[tuple[str, dict[str, str]], ...]  # (name, label) the user may take
    submitted_by: str  # the submitter's username (the API's key)
    submitted_at: datetime
    due_at: datetime | None
    overdue: bool
    submitted_by_name: str = ""  # and display name, for people


def _is_task(transition: Transition) -> bool:
    return transition.task and transition.name != CORRECTION


Kinds = dict[tuple[str, int, str], list[Transition]]  # (form, version, state) → task transitions


def _waiting(db: Database, actor: Actor) -> tuple[ColumnElement[bool], Kinds]:
    """The SQL condition for records waiting for ``actor``, and the task transitions per
    (form, version, state) that make them wait (before the countersignature and filler checks)."""
    with db.reading() as session:
        kinds = session.execute(select(Record.form_code, Record.form_version, Record.state)
                                .where(visible_to(actor)).distinct()).all()
    conditions: list[ColumnElement[bool]] = []
    tasks: Kinds = {}
    for form_code, version, state in kinds:
        spec = spec_version(db, form_code, version)
        for transition in spec.workflow.transitions:
            if state not in transition.from_states or not _is_task(transition):
                continue
            by_role = actor.role.value in transition.roles
            if not by_role and FILLER not in transition.roles:
                continue
            tasks.setdefault((form_code, version, state), []).append(transition)
            parts = [Record.form_code == form_code, Record.form_version == version, Record.state == state]
            if not by_role:
                parts.append(Record.submitted_by_id == actor.user_id)
            elif (form_code, transition.name) in rules.FOUR_EYES:  # never one's own request
                parts.append(Record.submitted_by_id != actor.user_id)
            if transition.stamp == "countersign":
                parts.append(Record.countersigned_at.is_(None))
            conditions.append(and_(*parts))
    return (or_(*conditions) if conditions else false()), tasks


def inbox_count(db: Database, actor: Actor) -> int:
    """How many records wait for ``actor`` (for the navigation; no record content, not audited)."""
    waiting, _tasks = _waiting(db, actor)
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Record)
                              .where(visible_to(actor), waiting)) or 0


def inbox(db: Database, clock: Clock, actor: Actor) -> tuple[list[Task], int]:
    """The records waiting for ``actor`` by the deadline that still runs, the earliest (so the
    overdue) first, then those without one (or whose deadline was met) oldest first (at most
    :data:`MAX_TASKS`), and how many there are. Listing them is audited like any list."""
    waiting, tasks = _waiting(db, actor)
    now = clock.now()
    running = case((Record.deadline_met_at.is_(None), Record.due_at))  # a met deadline no longer presses
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(Record)
                               .where(visible_to(actor), waiting)) or 0
        rows = session.execute(
            select(Record, User.username, User.display_name).join(User, User.id == Record.submitted_by_id)
            .where(visible_to(actor), waiting)
            .order_by(running.is_(None), running, Record.submitted_at, Record.id).limit(MAX_TASKS)
        ).all()
        found = []
        for record, submitter, submitter_name in rows:
            spec = spec_version(db, record.form_code, record.form_version)
            kind = (record.form_code, record.form_version, record.state)
            actions = tuple((t.name, dict(t.label)) for t in tasks.get(kind, [])
                            if _applies(t, actor, record))
            late = overdue_since(record.due_at, record.deadline_met_at, record.overdue_at, now)
            found.append(Task(record.code, record.title, record.form_code, record.state,
                              dict(spec.workflow.states.get(record.state, {})), actions, submitter,
                              record.submitted_at, record.due_at, late is not None, submitter_name))
        trail.append(session, at=clock.now(), actor=actor, action="record.list", object_type="record",
                     object_id="", detail={"inbox": True, "codes": [t.code for t in found]})
    masked = masked_titles(db, actor, [t.code for t in found])  # titles name customers
    return [replace(t, title=masked[t.code]) if t.code in masked else t for t in found], total


def _applies(transition: Transition, actor: Actor, record: Record) -> bool:
    if transition.stamp == "countersign" and record.countersigned_at is not None:
        return False
    if (record.form_code, transition.name) in rules.FOUR_EYES and record.submitted_by_id == actor.user_id:
        return False
    return actor.role.value in transition.roles or record.submitted_by_id == actor.user_id
