"""A user's inbox: the records waiting for them to act, and how many.

A record waits for a user when one of its form's workflow transitions can be taken from the
record's state by that user (their role, or ``filler`` for their own records) and is a task,
not something always possible: corrections are never in the inbox, a countersignature only
until it is given. The rule is the workflow's (:func:`forms.workflow.permitted`).

Whether a record waits depends only on its *kind*: form, version, state, department, submitter
and whether it is countersigned, which the database keeps counts of (:mod:`archive.tallies`).
The transitions come from the registered specs (worked out once per process and role), so the
count every page shows is the sum of the tallies of the kinds that wait: no scan of records,
whatever the archive's size. The list reads, for each (form, version, state, department,
countersigned or not) that waits, its first :data:`MAX_TASKS` records from an index in the
inbox's order (those whose deadline runs, and the others), and keeps the first of all those:
its cost follows the page and the number of kinds, not the archive.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from archive.models import Record
from archive.overdue import overdue_since
from archive.tallies import INBOX_PARTS, NO_DEPARTMENT, RecordTally
from core.audit import trail
from core.auth.models import Department, User
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database
from forms import disclosure, rules
from forms.printing import CORRECTION
from forms.spec.model import FILLER, FormSpec, Transition
from forms.versions import registered_specs

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
    revision: int = 0  # the revision listed (a countersignature is given to the one read)


#: (form, version, state) → the task transitions open there to a role, by role or as filler.
Tasks = dict[tuple[str, int, str], tuple[Transition, ...]]
#: (spec hash, role) → that version's :data:`Tasks` for that role (stored specs never change).
_TASKS: dict[tuple[str, str], Tasks] = {}


@dataclass(frozen=True)
class _Kind:
    """A tally row that waits for the actor: its key, how many records, the transitions open."""

    form_code: str
    form_version: int
    state: str
    department_id: int
    countersigned: bool
    submitted_by_id: int
    n: int


def _is_task(transition: Transition) -> bool:
    return transition.task and transition.name != CORRECTION


def _tasks_of(spec: FormSpec, role: str) -> Tasks:
    found: dict[tuple[str, int, str], list[Transition]] = defaultdict(list)
    for transition in spec.workflow.transitions:
        if _is_task(transition) and (role in transition.roles or FILLER in transition.roles):
            for state in transition.from_states:
                found[(spec.code, spec.version, state)].append(transition)
    return {kind: tuple(found_) for kind, found_ in found.items()}


def _tasks(db: Database, actor: Actor) -> tuple[Tasks, dict[tuple[str, int], FormSpec]]:
    """The task transitions open to ``actor``'s role in every registered version, and the specs."""
    tasks: Tasks = {}
    specs = {}
    for digest, spec in registered_specs(db).items():
        specs[(spec.code, spec.version)] = spec
        key = (digest, actor.role.value)
        if key not in _TASKS:
            _TASKS[key] = _tasks_of(spec, actor.role.value)
        tasks.update(_TASKS[key])
    return tasks, specs


def _open_to(transition: Transition, actor: Actor, form_code: str, countersigned: bool,
             submitted_by_id: int) -> bool:
    """Whether ``actor`` may take ``transition`` (one of :data:`Tasks`) on such a record."""
    if transition.stamp == "countersign" and countersigned:
        return False
    if (form_code, transition.name) in rules.FOUR_EYES and submitted_by_id == actor.user_id:
        return False
    return actor.role.value in transition.roles or submitted_by_id == actor.user_id


def _kinds(session: Session, actor: Actor, tasks: Tasks) -> tuple[list[_Kind], list[_Kind]]:
    """The tallies (with records) in ``actor``'s scope of the kinds that can wait: those that
    wait for ``actor``, and all of them."""
    if not tasks or (not actor.sees_all_departments and actor.department_id is None):
        return [], []
    query = select(RecordTally.form_code, RecordTally.form_version, RecordTally.state,
                   RecordTally.department_id, RecordTally.countersigned, RecordTally.submitted_by_id,
                   RecordTally.n).where(RecordTally.n > 0,
                                        RecordTally.form_code.in_(sorted({k[0] for k in tasks})))
    if not actor.sees_all_departments:
        query = query.where(RecordTally.department_id == actor.department_id)
    found = [_Kind(*row) for row in session.execute(query)
             if (row.form_code, row.form_version, row.state) in tasks]
    return [k for k in found if any(_open_to(t, actor, k.form_code, k.countersigned, k.submitted_by_id)
                                    for t in tasks[(k.form_code, k.form_version, k.state)])], found


def inbox_count(db: Database, actor: Actor) -> int:
    """How many records wait for ``actor`` (for the navigation; no record content, not audited)."""
    tasks, _specs = _tasks(db, actor)
    with db.reading() as session:
        return sum(kind.n for kind in _kinds(session, actor, tasks)[0])


def inbox(db: Database, clock: Clock, actor: Actor) -> tuple[list[Task], int]:
    """The records waiting for ``actor`` by the deadline that still runs, the earliest (so the
    overdue) first, then those without one (or whose deadline was met) oldest first (at most
    :data:`MAX_TASKS`), and how many there are. Listing them is audited like any list, in a
    write transaction of its own after the reading."""
    tasks, specs = _tasks(db, actor)
    with db.reading() as session:
        waiting, scope = _kinds(session, actor, tasks)
        total = sum(kind.n for kind in waiting)
        rows = _first_rows(session, _branches(waiting, scope))
    now = clock.now()
    found = [_task(row, actor, specs[(row.form_code, row.form_version)],
                   tasks[(row.form_code, row.form_version, row.state)], now) for row in rows]
    with db.transaction() as session:
        trail.append(session, at=clock.now(), actor=actor, action="record.list", object_type="record",
                     object_id="", detail={"inbox": True, "codes": [t.code for t in found]})
    hidden = [row.code for row in rows if not disclosure.needs_personal_data(  # titles name customers
        specs[(row.form_code, row.form_version)], actor, row.username, row.department_code)]
    masked = disclosure.masked_titles(db, actor, hidden) if hidden else {}  # their data read alone
    return [replace(t, title=masked[t.code]) if t.code in masked else t for t in found], total


#: (form, version, state, department, countersigned) → the submitters to list (None: all).
Branches = dict[tuple[str, int, str, int, bool], frozenset[int] | None]


def _branches(waiting: list[_Kind], scope: list[_Kind]) -> Branches:
    """The index ranges to read: one per (form, version, state, department, countersigned)
    that waits, limited to the submitters whose records wait where others' do not."""
    def key(kind: _Kind) -> tuple[str, int, str, int, bool]:
        return kind.form_code, kind.form_version, kind.state, kind.department_id, kind.countersigned

    submitters: dict[tuple[str, int, str, int, bool], set[int]] = defaultdict(set)
    for kind in waiting:
        submitters[key(kind)].add(kind.submitted_by_id)
    everyone = defaultdict(set)
    for kind in scope:
        everyone[key(kind)].add(kind.submitted_by_id)
    return {branch: None if who == everyone[branch] else frozenset(who)
            for branch, who in submitters.items()}


_ORDER_NAMES = ("no_due", "due", "at", "id")
_SHOWN = (Record.id, Record.code, Record.title, Record.form_code, Record.form_version, Record.state,
          Record.revision, Record.submitted_by_id, Record.submitted_at, Record.due_at,
          Record.deadline_met_at, Record.overdue_at, Record.countersigned_at, User.username,
          User.display_name, Department.code.label("department_code"))


#: How a branch is read: countersigned or not, without a department, how many submitters
#: it is limited to (None: all). The merged statement is built once per list of shapes and
#: executed with the branches' values: building a union of a dozen selects cost more than
#: running it.
Shape = tuple[bool, bool, int | None]
_MERGED: dict[tuple[Shape, ...], Select[Any]] = {}


def _parts(n: int, shape: Shape) -> list[Select[Any]]:
    """Branch ``n``'s first records in the inbox's order, those whose deadline runs and the
    others, each part read from its index (:data:`archive.tallies.INBOX_PARTS`)."""
    countersigned, no_department, submitters = shape
    found = []
    for running in (True, False):
        part = INBOX_PARTS[(countersigned, running)]
        keys = (literal(0 if running else 1), Record.due_at if running else cast(null(), Record.due_at.type),
                Record.submitted_at, Record.id)
        department = (Record.department_id.is_(None) if no_department
                      else Record.department_id == bindparam(f"department{n}"))
        query = select(*(key.label(name) for key, name in zip(keys, _ORDER_NAMES, strict=True))).where(
            Record.form_code == bindparam(f"form{n}"), Record.form_version == bindparam(f"version{n}"),
            Record.state == bindparam(f"state{n}"), department, part.where)
        if submitters is not None:
            query = query.where(Record.submitted_by_id.in_(bindparam(f"submitters{n}", expanding=True)))
        found.append(query.order_by(*part.order).limit(bindparam("limit")))
    return found


def _merged(shapes: tuple[Shape, ...]) -> Select[Any]:
    if shapes not in _MERGED:
        merged = union_all(*(select(part.subquery()) for n, shape in enumerate(shapes)
                             for part in _parts(n, shape))).subquery()
        _MERGED[shapes] = select(merged.c.id).order_by(*(merged.c[name] for name in _ORDER_NAMES)).limit(
            bindparam("limit"))
    return _MERGED[shapes]


def _first_rows(session: Session, branches: Branches) -> list[Any]:
    """The first :data:`MAX_TASKS` waiting records over all branches (the database merges each
    part's first ones), with what the inbox shows of them and their submitter."""
    if not branches:
        return []
    shapes: list[Shape] = []
    values: dict[str, Any] = {"limit": MAX_TASKS}
    for n, ((form_code, version, state, department_id, countersigned), who) in enumerate(branches.items()):
        shapes.append((countersigned, department_id == NO_DEPARTMENT, None if who is None else len(who)))
        values.update({f"form{n}": form_code, f"version{n}": version, f"state{n}": state,
                       f"department{n}": department_id})
        if who is not None:
            values[f"submitters{n}"] = sorted(who)
    ids = list(session.scalars(_merged(tuple(shapes)), values))
    place = {record_id: n for n, record_id in enumerate(ids)}
    rows = session.execute(select(*_SHOWN).join(User, User.id == Record.submitted_by_id)
                           .outerjoin(Department, Department.id == Record.department_id)
                           .where(Record.id.in_(ids))).all()
    return sorted(rows, key=lambda row: place[row.id])


def _task(row: Any, actor: Actor, spec: FormSpec, transitions: tuple[Transition, ...],
          now: datetime) -> Task:
    signed = row.countersigned_at is not None
    actions = tuple((t.name, dict(t.label)) for t in transitions
                    if _open_to(t, actor, row.form_code, signed, row.submitted_by_id))
    late = overdue_since(row.due_at, row.deadline_met_at, row.overdue_at, now)
    return Task(row.code, row.title, row.form_code, row.state, dict(spec.workflow.states.get(row.state, {})),
                actions, row.username, row.submitted_at, row.due_at, late is not None,
                row.display_name, row.revision)
