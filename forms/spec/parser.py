"""Turning a spec file into a :class:`FormSpec`, reporting every problem at once.

Each problem names the file, the field and what is wrong, e.g.
``forms/specs/CP.toml: field 'phone': unknown type 'fone' (known: choice, date, …)``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from core.auth.roles import Role
from forms.fields import REGISTRY
from forms.fields.base import COMMON_KEYS
from forms.spec.archive_rules import parse_filing, parse_personal
from forms.spec.model import (
    EVERY_FIELD,
    FILLER,
    STAMPS,
    Choice,
    Condition,
    Deadline,
    FieldSpec,
    FormSpec,
    Texts,
    Transition,
    Workflow,
)

CODE_PATTERN = re.compile(r"^[A-Z]{2,4}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TOP_LEVEL_KEYS = frozenset({"code", "version", "title", "department", "category", "retention",
                            "description", "fields", "workflow", "print", "filing", "personal",
                            "system"})
ROLE_NAMES = frozenset(r.value for r in Role)
TRANSITION_KEYS = frozenset({"name", "label", "from", "to", "roles", "requires", "accepts", "reason",
                             "stamp", "task"})


class SpecError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Problems:
    """Collects problems with a location prefix so every message says where it is."""

    def __init__(self, source: str) -> None:
        self.source, self.items = source, []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{self.source}: {where + ': ' if where else ''}{message}")


def load_spec_file(path: Path) -> FormSpec:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SpecError([f"{path}: not valid TOML: {exc}"]) from exc
    spec = parse_spec(raw, str(path))
    if path.stem != spec.code:
        raise SpecError([f"{path}: the file name must be the form code ({spec.code}.toml)"])
    return spec


def parse_spec(raw: dict[str, Any], source: str) -> FormSpec:
    problems = _Problems(source)
    for key in sorted(set(raw) - TOP_LEVEL_KEYS):
        problems.add("", f"unknown key {key!r} (allowed: {', '.join(sorted(TOP_LEVEL_KEYS))})")
    code = raw.get("code")
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        problems.add("code", "must be 2-4 capital letters, e.g. 'CP'")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.add("version", "must be a whole number ≥ 1")
    for key in ("department", "retention"):
        if not isinstance(raw.get(key), str) or not raw.get(key):
            problems.add(key, "is required and must be text")
    title = _texts(raw.get("title"), "title", problems)
    category = _texts(raw.get("category"), "category", problems)
    description = _texts(raw.get("description"), "description", problems, required=False)
    fields = _fields(raw.get("fields"), problems)
    _check_conditions(fields, problems)
    workflow = _workflow(raw.get("workflow"), {f.name: f for f in fields}, problems)
    print_layout = _print_layout(raw.get("print", {}), {f.name: f for f in fields}, problems)
    filing = parse_filing(raw.get("filing"), workflow.states, workflow.transitions, problems)
    personal = parse_personal(raw.get("personal"), problems)
    if not isinstance(raw.get("system", False), bool):
        problems.add("system", "must be true or false")
    if problems.items:
        raise SpecError(problems.items)
    return FormSpec(code=code, version=version, title=title, department=raw["department"],
                    category=category, retention=raw["retention"], fields=tuple(fields),
                    workflow=workflow, description=description, print_layout=print_layout,
                    filing=filing, personal=personal, system=raw.get("system") is True, raw=raw)


PRINT_KEYS = frozenset({"summary", "variants", "response_hours"})
PRINT_VARIANTS = frozenset({"business", "customer", "receipt"})


def _print_layout(value: Any, fields: dict[str, FieldSpec], problems: _Problems) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems.add("print", "must be a table")
        return {}
    for key in sorted(set(value) - PRINT_KEYS):
        problems.add("print", f"unknown key {key!r} (allowed: {', '.join(sorted(PRINT_KEYS))})")
    for name in value.get("summary", []):
        if name not in fields:
            problems.add("print.summary", f"names unknown field {name!r}")
    for variant in value.get("variants", []):
        if variant not in PRINT_VARIANTS:
            problems.add("print.variants", f"unknown variant {variant!r} "
                                           f"(known: {', '.join(sorted(PRINT_VARIANTS))})")
    hours = value.get("response_hours", {})
    level = fields.get("level")
    levels = {c.value for c in level.choices} if level else set()
    if hours and not isinstance(hours, dict):
        problems.add("print.response_hours", "must be a table of level = hours")
    elif hours:
        for key, number in hours.items():
            if key not in levels:
                problems.add("print.response_hours", f"{key!r} is not a choice of field 'level'")
            if isinstance(number, bool) or not isinstance(number, int | float) or number <= 0:
                problems.add("print.response_hours", f"hours for level {key!r} must be a positive number")
    return value


def _texts(value: Any, where: str, problems: _Problems, required: bool = True) -> Texts:
    if value is None and not required:
        return {}
    if not isinstance(value, dict) or not all(
            isinstance(value.get(lang), str) and value.get(lang).strip() for lang in ("zh", "en")):
        problems.add(where, "needs texts in both languages: { zh = \"…\", en = \"…\" }")
        return {}
    return {"zh": value["zh"], "en": _without_gloss(value["en"])}


#: A Chinese term in brackets after an English text: "Correct (勘误)".
_GLOSS = re.compile(r"\s*[(（][\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\s]+[)）]\s*$")


def _without_gloss(english: str) -> str:
    """English pages read in English: a Chinese gloss after an English label is dropped (the
    Chinese page has the Chinese label). Applied when a spec is read, so it also holds for the
    versions already approved and stored (their raw text, and so their hash, stays as it was)."""
    return _GLOSS.sub("", english) or english


def _fields(value: Any, problems: _Problems) -> list[FieldSpec]:
    if not isinstance(value, list) or not value:
        problems.add("fields", "needs at least one [[fields]] entry")
        return []
    return _field_list(value, "field", problems)


def _field_list(items: Iterable[Any], kind: str, problems: _Problems) -> list[FieldSpec]:
    parsed, seen = [], set()
    for index, item in enumerate(items, start=1):
        field = _field(item, f"{kind} #{index}", problems)
        if field is None:
            continue
        if field.name in seen:
            problems.add(f"{kind} {field.name!r}", "the name is used twice")
        seen.add(field.name)
        parsed.append(field)
    return parsed


def _field(item: Any, fallback_where: str, problems: _Problems) -> FieldSpec | None:
    if not isinstance(item, dict):
        problems.add(fallback_where, "must be a table")
        return None
    name = item.get("name")
    where = f"field {name!r}" if isinstance(name, str) else fallback_where
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        problems.add(where, "name must be lower-case letters, digits and _, starting with a letter")
        return None
    type_name = item.get("type")
    if type_name not in REGISTRY:
        problems.add(where, f"unknown type {type_name!r} (known: {', '.join(sorted(REGISTRY))})")
        return None
    field_type = REGISTRY[type_name]
    allowed = COMMON_KEYS | field_type.extra_keys | {"required_when"}
    for key in sorted(set(item) - allowed):
        problems.add(where, f"key {key!r} does not apply to type {type_name!r} "
                            f"(allowed: {', '.join(sorted(allowed))})")
    before = len(problems.items)
    spec = FieldSpec(
        name=name, type=type_name, label=_texts(item.get("label"), f"{where} label", problems),
        required=_flag(item, "required", where, problems),
        help=_texts(item.get("help"), f"{where} help", problems, required=False),
        choices=_choices(item.get("choices", []), where, problems),
        columns=tuple(_field_list(item.get("columns", []), f"{where} column", problems)),
        min=_number(item, "min", where, problems), max=_number(item, "max", where, problems),
        min_length=item.get("min_length"), max_length=item.get("max_length"),
        min_rows=item.get("min_rows", 0), max_rows=item.get("max_rows", 50),
        indexed=_flag(item, "indexed", where, problems),
        personal=_flag(item, "personal", where, problems),
        signer=_texts(item.get("signer"), f"{where} signer", problems, required=False),
        required_when=_condition(item.get("required_when"), where, problems),
        options={key: item[key] for key in field_type.extra_keys if key in item},
    )
    if len(problems.items) == before:
        for message in field_type.check_spec(spec):
            problems.add(where, message)
    return spec


def _condition(value: Any, where: str, problems: _Problems) -> Condition | None:
    """``required_when = { field = "visits", column = "method", equals = "face" }``; whether it
    names a field, column and choice of this form is checked once all fields are read."""
    if value is None:
        return None
    keys = {"field", "column", "equals"}
    if (not isinstance(value, dict) or set(value) - keys or not all(
            isinstance(value.get(k), str) for k in ("field", "equals"))
            or not isinstance(value.get("column", ""), str)):
        problems.add(where, 'required_when must be { field = "…", equals = "…" } (column = "…" for a table)')
        return None
    return Condition(value["field"], value["equals"], value.get("column"))


def _check_conditions(fields: list[FieldSpec], problems: _Problems) -> None:
    """Each ``required_when`` names another field of the form (a table's column), and a value it
    can hold where that is a choice."""
    by_name = {f.name: f for f in fields}
    for field in fields:
        condition = field.required_when
        if condition is None:
            continue
        where = f"field {field.name!r}: required_when"
        target = by_name.get(condition.field)
        if target is not None and condition.column is not None:
            target = next((c for c in target.columns if c.name == condition.column), None)
        if target is None or target.name == field.name:
            problems.add(where, f"names no other field {condition.field!r}"
                                f"{f' with column {condition.column!r}' if condition.column else ''}")
        elif target.choices and condition.equals not in {c.value for c in target.choices}:
            problems.add(where, f"{condition.equals!r} is not a choice of {target.name!r}")
        if field.required:
            problems.add(where, "a field with required = true is always required")


def _flag(item: dict[str, Any], key: str, where: str, problems: _Problems) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        problems.add(where, f"{key} must be true or false")
        return False
    return value


def _number(item: dict[str, Any], key: str, where: str, problems: _Problems) -> float | None:
    value = item.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        problems.add(where, f"{key} must be a number")
        return None
    return value


def _choices(value: Any, where: str, problems: _Problems) -> tuple[Choice, ...]:
    if not isinstance(value, list):
        problems.add(where, "choices must be a list of { value, zh, en }")
        return ()
    choices = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
            problems.add(where, "each choice needs value, zh and en")
            continue
        label = _texts(entry, f"{where} choice {entry['value']!r}", problems)
        choices.append(Choice(entry["value"], label))
    return tuple(choices)


def _workflow(value: Any, fields: dict[str, FieldSpec], problems: _Problems) -> Workflow:
    if not isinstance(value, dict):
        problems.add("workflow", "needs a [workflow] table with initial and states")
        return Workflow("", {})
    states_raw = value.get("states")
    states = {}
    if not isinstance(states_raw, dict) or not states_raw:
        problems.add("workflow.states", "needs at least one state with zh/en labels")
    else:
        states = {name: _texts(t, f"workflow state {name!r}", problems)
                  for name, t in states_raw.items()}
    initial = value.get("initial")
    if initial not in states:
        problems.add("workflow.initial", f"{initial!r} is not one of the states")
    transitions = [_transition(t, states, set(fields), problems)
                   for t in value.get("transitions", [])]
    deadline = (_deadline(value["deadline"], states, initial, fields, problems)
                if "deadline" in value else None)
    return Workflow(initial or "", states, tuple(t for t in transitions if t), deadline)


#: How a deadline's hours count (model.Deadline.clock).
CLOCKS = ("calendar", "working")
DEADLINE_KEYS = frozenset({"field", "start", "hours", "met", "clock", "pause"})


def _deadline(value: Any, states: dict[str, Texts], initial: Any, fields: dict[str, FieldSpec],
              problems: _Problems) -> Deadline | None:
    where = "workflow.deadline"
    if not isinstance(value, dict):
        problems.add(where, "must be a table with field, start, hours and met")
        return None
    unknown = set(value) - DEADLINE_KEYS
    if unknown:
        problems.add(where, f"unknown keys {', '.join(sorted(unknown))} "
                            f"(known: {', '.join(sorted(DEADLINE_KEYS))})")
    clock = value.get("clock", "calendar")
    if clock not in CLOCKS:
        problems.add(where, f"clock {clock!r} must be one of: {', '.join(CLOCKS)}")
    field, start = fields.get(value.get("field", "")), fields.get(value.get("start", ""))
    if field is None or not REGISTRY[field.type].picks_one_choice:
        problems.add(where, f"field {value.get('field')!r} must name a choice field of this form")
    if start is None or not REGISTRY[start.type].holds_moment:
        problems.add(where, f"start {value.get('start')!r} must name a datetime field of this form")
    hours = value.get("hours")
    if not isinstance(hours, dict) or not hours:
        problems.add(where, "hours must map choice values to hours, e.g. { \"1\" = 5 }")
        hours = {}
    known = {c.value for c in field.choices} if field is not None else set()
    for choice, amount in hours.items():
        if field is not None and choice not in known:
            problems.add(where, f"hours: {choice!r} is not a value of {field.name}")
        if isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0:
            problems.add(where, f"hours: {choice!r} must be a positive number of hours")
    met = value.get("met", [])
    if not isinstance(met, list) or not met:
        problems.add(where, "met must list the states that meet the deadline")
        met = []
    for state in met:
        if state not in states:
            problems.add(where, f"met: state {state!r} is not declared in workflow.states")
    pause = _pause(value.get("pause", []), states, initial, met, problems)
    return Deadline(str(value.get("field")), str(value.get("start")),
                    {k: float(v) for k, v in hours.items() if isinstance(v, int | float)}, tuple(met),
                    clock if clock in CLOCKS else "calendar", pause)


def _pause(value: Any, states: dict[str, Texts], initial: Any, met: list[Any],
           problems: _Problems) -> tuple[str, ...]:
    """``pause = ["awaiting_customer"]``: states the record waits in for someone outside the
    office. Not the initial state (a deadline is set when the record is submitted, before any
    state change could pause it) and not a state that meets the deadline (a met deadline no
    longer runs: there would be nothing to pause)."""
    where = "workflow.deadline"
    if not isinstance(value, list) or not all(isinstance(state, str) for state in value):
        problems.add(where, 'pause must list states, e.g. pause = ["awaiting_customer"]')
        return ()
    for state in value:
        if state not in states:
            problems.add(where, f"pause: state {state!r} is not declared in workflow.states")
        elif state == initial:
            problems.add(where, f"pause: {state!r} is the initial state; a deadline cannot be paused "
                                "from submission")
        elif state in met:
            problems.add(where, f"pause: {state!r} meets the deadline (met); it cannot also pause it")
    if len(set(value)) != len(value):
        problems.add(where, "pause: a state is listed twice")
    return tuple(value)


def _transition(item: Any, states: dict[str, Texts], field_names: set[str],
                problems: _Problems) -> Transition | None:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        problems.add("workflow.transitions", "each transition needs a name")
        return None
    where = f"workflow transition {item['name']!r}"
    unknown = set(item) - TRANSITION_KEYS
    if unknown:
        known = ", ".join(sorted(TRANSITION_KEYS))
        problems.add(where, f"unknown keys {', '.join(sorted(unknown))} (known: {known})")
    from_states = item.get("from", [])
    from_states = [from_states] if isinstance(from_states, str) else from_states
    if not from_states:
        problems.add(where, "needs from = the states it can be taken in")
    to = item.get("to", "")
    for state in [*from_states, *([to] if to else [])]:
        if state not in states:
            problems.add(where, f"state {state!r} is not declared in workflow.states")
    roles = item.get("roles", [])
    if not roles:
        problems.add(where, "needs roles = who may take it")
    for role in roles:
        if role not in ROLE_NAMES | {FILLER}:
            known = ", ".join(sorted(ROLE_NAMES | {FILLER}))
            problems.add(where, f"unknown role {role!r} (known: {known})")
    for key in ("requires", "accepts"):
        for name in item.get(key, []):
            if name not in field_names and not (key == "accepts" and name == EVERY_FIELD):
                problems.add(where, f"{key} unknown field {name!r}")
    stamp = item.get("stamp")
    if stamp is not None and stamp not in STAMPS:
        problems.add(where, f"unknown stamp {stamp!r} (known: {', '.join(sorted(STAMPS))})")
    for key in ("reason", "task"):
        if not isinstance(item.get(key, key == "task"), bool):
            problems.add(where, f"{key} must be true or false")
    label = _texts(item.get("label"), f"{where} label", problems)
    return Transition(item["name"], label, tuple(from_states), to, tuple(roles),
                      tuple(item.get("requires", [])), tuple(item.get("accepts", [])),
                      item.get("reason", False) is True, stamp, item.get("task", True) is not False)
