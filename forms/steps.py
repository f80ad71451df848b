"""Which fields belong to which step of a form's workflow, and so which a page shows.

A field named in a transition's ``requires`` or ``accepts`` belongs to that step (CP's classify:
cause, level and responsible department; investigate; respond; close); the others are what is
known at registration. Pages show the fields of the step at hand: the filling page the
registration fields, a step page its own, and the record page and printed copy a step's
fields once filled.

A transition that accepts every field (``*``: completing a returned record, a correction) may
change the registration fields and, once filled, the fields of steps the person may take
themselves. Another role's fields stay read-only to them: a clerk resubmitting a returned
complaint cannot change the supervisor's level, and with it the response deadline. The rule is
read from the spec as it is, so records keep their version and no spec needs a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from forms.spec.model import EVERY_FIELD, FieldSpec, FormSpec, Transition


def owners(spec: FormSpec) -> dict[str, tuple[Transition, ...]]:
    """Field name → the steps that name it (a ``*`` names none: it is not a step's own field)."""
    found: dict[str, list[Transition]] = {}
    for transition in spec.workflow.transitions:
        for name in (*transition.requires, *transition.accepts):
            if name != EVERY_FIELD and transition not in found.setdefault(name, []):
                found[name].append(transition)
    return {name: tuple(steps) for name, steps in found.items()}


def filled(value: Any) -> bool:
    """Whether a stored value is an answer (an unticked box that was never asked is not)."""
    return value is not None and value != "" and value != [] and value is not False


def registration(spec: FormSpec) -> FormSpec:
    """``spec`` cut down to the fields known at registration: what the filling page asks."""
    owned = owners(spec)
    return replace(spec, fields=tuple(f for f in spec.fields if f.name not in owned))


def out_of_step(spec: FormSpec, data: dict[str, Any]) -> dict[str, Transition]:
    """Fields in ``data`` that a later step fills, each with its first step: a registration
    (page or API) may not set them, or a clerk could register a complaint already classified
    and so choose its level, and with it its deadline."""
    owned = owners(spec)
    return {name: owned[name][0] for name in data if name in owned and filled(data[name])}


def editable(spec: FormSpec, transition: Transition, data: dict[str, Any],
             may_take: Callable[[Transition], bool]) -> tuple[str, ...]:
    """The fields ``transition`` lets this person change on a record holding ``data``, in the
    form's order; ``may_take`` says whether they may take a given step themselves."""
    names = tuple(f.name for f in spec.fields)
    if EVERY_FIELD not in transition.accepts:
        return transition.editable(names)
    owned = owners(spec)
    return tuple(name for name in names if name not in owned
                 or (filled(data.get(name)) and any(may_take(step) for step in owned[name])))


def printed(spec: FormSpec, data: dict[str, Any]) -> tuple[FieldSpec, ...]:
    """The fields a copy of the record shows, printed or on its page: registration fields
    always (an empty one is a blank to notice), a later step's fields once filled."""
    owned = owners(spec)
    return tuple(f for f in spec.fields if f.name not in owned or filled(data.get(f.name)))
