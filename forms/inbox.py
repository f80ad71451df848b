"""A user's inbox: the records waiting for them to act, and how many.

A record waits for a user when one of its form's workflow transitions can be taken from the
record's state by that user (their role, or ``filler`` for their own records) and is a task,
not something always possible: corrections are never in the inbox, a countersignature only
until it is given. The rule is the workflow's (:func:`forms.workflow.permitted`).

Whether a record waits depends only on its *kind*: form, version, state, department, submitter
and whether it is countersigned, which the database keeps counts of (:mod:`archive.tallies`).
The transitions come from the specs of the versions in the tallies (worked out once per
process and role), so the count every page shows is one read of a few tally rows: no scan of
records, whatever the archive's size. The list reads, for each (form, version, state, department,
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
from forms import rules, spec_disclosure
from forms.printing import CORRECTION
from forms.spec.model import FILLER, FormSpec, Transition
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
    revision: int = 0  # the revision listed (a countersignature is given to the one read)
    deadline_paused_at: datetime | None = None  # since when its deadline is paused (due_at None)


#: state → the task transitions open there to a role, by role or as filler.
StateTasks = dict[str, tuple[Transition, ...]]
#: (form, version) → its spec and the :data:`StateTasks` of the actor's role.
Versions = dict[tuple[str, int], tuple[FormSpec, StateTasks]]
#: (id of a parsed spec, role) → (the spec, its tasks for the role). Parsed specs are immutable
#: and kept (:func:`forms.versions.spec_version`), so each is worked out once per process.
_TASKS: dict[tuple[int, str], tuple[FormSpec, StateTasks]] = {}


@dataclass(frozen=True)
class _Kind:
    """A tally row: a kind of record in the actor's scope, and how many there are."""

    form_code: str
    form_version: int
    state: str
    department_id: int
    countersigned: bool
    submitted_by_id: int
    n: int


def _is_task(transition: Transition) -> bool:
    return transition.task and transition.name != CORRECTION


def _tasks_of(spec: FormSpec, role: str) -> StateTasks:
    found: dict[str, list[Transition]] = defaultdict(list)
    for transition in spec.workflow.transitions:
        if _is_task(transition) and (role in transition.roles or FILLER in transition.roles):
            for state in transition.from_states:
                found[state].append(transition)
    return {state: tuple(found_) for state, found_ in found.items()}


def _versions(db: Database, actor: Actor, keys: set[tuple[str, int]]) -> Versions:
    """The spec of each (form, version) that has records, with the tasks open to ``actor``'s role."""
    found: Versions = {}
    for form_code, version in keys:
        spec = spec_version(db, form_code, version)
        key = (id(spec), actor.role.value)
        if key not in _TASKS:
            _TASKS[key] = (spec, _tasks_of(spec, actor.role.value))
        found[(form_code, version)] = _TASKS[key]
    return found


def _open_to(transition: Transition, actor: Actor, form_code: str, countersigned: bool,
             submitted_by_id: int) -> bool:
    """Whether ``actor`` may take ``transition`` (one of :data:`StateTasks`) on such a record."""
    if transition.stamp == "countersign" and countersigned:
        return False
    if (rules.office_rules().needs_second_person(form_code, transition.name)
            and submitted_by_id == actor.user_id):
        return False
    return actor.role.value in transition.roles or submitted_by_id == actor.user_id


def _kinds(db: Database, session: Session, actor: Actor) -> tuple[list[_Kind], list[_Kind], Versions]:
    """The kinds with records in ``actor``'s scope that wait for them, the kinds in scope in
    the states where something can wait, and the versions they are of."""
    if not actor.sees_all_departments and actor.department_id is None:
        return [], [], {}
    query = select(RecordTally.form_code, RecordTally.form_version, RecordTally.state,
                   RecordTally.department_id, RecordTally.countersigned, RecordTally.submitted_by_id,
                   RecordTally.n).where(RecordTally.n > 0)
    if not actor.sees_all_departments:
        query = query.where(RecordTally.department_id == actor.department_id)
    rows = [_Kind(*row) for row in session.execute(query)]
    versions = _versions(db, actor, {(k.form_code, k.form_version) for k in rows})
    scope = [k for k in rows if k.state in versions[(k.form_code, k.form_version)][1]]
    waiting = [k for k in scope if any(_open_to(t, actor, k.form_code, k.countersigned, k.submitted_by_id)
                                       for t in versions[(k.form_code, k.form_version)][1][k.state])]
    return waiting, scope, versions


def inbox_count(db: Database, actor: Actor) -> int:
    """How many records wait for ``actor`` (for the navigation; no record content, not audited):
    one read of a few tally rows."""
    with db.reading() as session:
        return sum(kind.n for kind in _kinds(db, session, actor)[0])


def inbox(db: Database, clock: Clock, actor: Actor) -> tuple[list[Task], int]:
    """The records waiting for ``actor`` by the deadline that still runs, the earliest (so the
    overdue) first, then those without one (or whose deadline was met) oldest first (at most
    :data:`MAX_TASKS`), and how many there are. Listing them is audited like any list, in a
    write transaction of its own after the reading."""
    with db.reading() as session:
        waiting, scope, versions = _kinds(db, session, actor)
        total = sum(kind.n for kind in waiting)
        rows = _first_rows(session, _branches(waiting, scope))
    now = clock.now()
    found = [_task(row, actor, *versions[(row.form_code, row.form_version)], now) for row in rows]
    with db.transaction() as session:
        trail.append(session, at=clock.now(), actor=actor, action="record.list", object_type="record",
                     object_id="", detail={"inbox": True, "codes": [t.code for t in found]})
    hidden = [row.code for row in rows if not spec_disclosure.needs_personal_data(  # titles name customers
        versions[(row.form_code, row.form_version)][0], actor, row.username, row.department_code)]
    masked = spec_disclosure.masked_titles(db, actor, hidden) if hidden else {}  # their data read alone
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
          Record.deadline_met_at, Record.overdue_at, Record.deadline_paused_at, Record.countersigned_at,
          User.username,
          User.display_name, Department.code.label("department_code"))


#: How a branch is read: countersigned or not, without a department, how many submitters
#: it is limited to (None: all). The merged statement is built once per list of shapes and
#: executed with the branches' values: building a union of a dozen selects cost more than
#: running it.
Shape = tuple[bool, bool, int | None]
_MERGED: dict[tuple[Shape, ...], Select[Any]] = {}
MAX_SHAPES = 512


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
        if len(_MERGED) >= MAX_SHAPES:  # users' scopes have few shapes; never grow without end
            _MERGED.clear()
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


def _task(row: Any, actor: Actor, spec: FormSpec, tasks: StateTasks, now: datetime) -> Task:
    signed = row.countersigned_at is not None
    actions = tuple((t.name, dict(t.label)) for t in tasks[row.state]
                    if _open_to(t, actor, row.form_code, signed, row.submitted_by_id))
    late = overdue_since(row.due_at, row.deadline_met_at, row.overdue_at, now)
    return Task(row.code, row.title, row.form_code, row.state, dict(spec.workflow.states.get(row.state, {})),
                actions, row.username, row.submitted_at, row.due_at, late is not None,
                row.display_name, row.revision, row.deadline_paused_at)
