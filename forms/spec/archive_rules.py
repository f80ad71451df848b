"""Parsing a spec's archive rules: ``[filing]`` (when a record is filed) and ``[personal]``
(who needs its personal fields, and for how long), with problems named like the parser's."""

from __future__ import annotations

from typing import Any, Protocol

from core.auth.roles import Role
from forms.spec.model import Filing, PersonalData, Transition

ROLE_NAMES = frozenset(r.value for r in Role)
MAX_PERSONAL_YEARS = 100


class Problems(Protocol):
    def add(self, where: str, message: str) -> None: ...


def parse_filing(value: Any, states: dict[str, Any], transitions: tuple[Transition, ...],
                 problems: Problems) -> Filing | None:
    if value is None:
        return None
    where = "filing"
    if not isinstance(value, dict):
        problems.add(where, "must be a table with final (and countersign, after)")
        return None
    for key in sorted(set(value) - {"final", "countersign", "after"}):
        problems.add(where, f"unknown key {key!r} (known: after, countersign, final)")
    final = _names(value.get("final"), f"{where}.final", problems)
    if not final:
        problems.add(f"{where}.final", "must list the states in which a record is filed")
    for state in final:
        if state not in states:
            problems.add(f"{where}.final", f"state {state!r} is not declared in workflow.states")
    after = _names(value.get("after", []), f"{where}.after", problems)
    declared = {t.name for t in transitions}
    for name in after:
        if name not in declared:
            problems.add(f"{where}.after", f"transition {name!r} is not declared in the workflow")
    countersign = value.get("countersign", True)
    if not isinstance(countersign, bool):
        problems.add(where, "countersign must be true or false")
        countersign = True
    return Filing(final, countersign, after)


def parse_personal(value: Any, problems: Problems) -> PersonalData | None:
    if value is None:
        return None
    where = "personal"
    if not isinstance(value, dict):
        problems.add(where, "must be a table with roles (and years)")
        return None
    for key in sorted(set(value) - {"roles", "years"}):
        problems.add(where, f"unknown key {key!r} (known: roles, years)")
    roles = _names(value.get("roles", []), f"{where}.roles", problems)
    for role in roles:
        if role not in ROLE_NAMES:
            problems.add(f"{where}.roles", f"unknown role {role!r} (known: {', '.join(sorted(ROLE_NAMES))})")
    years = value.get("years")
    if years is not None and (isinstance(years, bool) or not isinstance(years, int)
                              or not 1 <= years <= MAX_PERSONAL_YEARS):
        problems.add(f"{where}.years", f"must be a whole number of years from 1 to {MAX_PERSONAL_YEARS}")
        years = None
    return PersonalData(roles, years)


def _names(value: Any, where: str, problems: Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.add(where, "must be a list of names")
        return ()
    return tuple(value)
