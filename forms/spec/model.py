"""The parsed, validated shape of a form spec. Plain immutable data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Texts = dict[str, str]  # {"zh": ..., "en": ...}


@dataclass(frozen=True)
class Choice:
    value: str
    label: Texts


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    label: Texts
    required: bool = False
    help: Texts = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    columns: tuple[FieldSpec, ...] = ()
    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_rows: int = 0
    max_rows: int = 50
    indexed: bool = False
    personal: bool = False

    def choice_label(self, value: str, locale: str) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label.get(locale) or choice.label.get("zh", value)
        return value


@dataclass(frozen=True)
class Transition:
    name: str
    label: Texts
    from_states: tuple[str, ...]
    to: str
    roles: tuple[str, ...]
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Workflow:
    initial: str
    states: dict[str, Texts]
    transitions: tuple[Transition, ...] = ()


@dataclass(frozen=True, eq=False)
class FormSpec:
    """A whole form version. Compared and hashed by identity: parsed specs are cached."""

    code: str
    version: int
    title: Texts
    department: str
    category: Texts
    retention: str
    fields: tuple[FieldSpec, ...]
    workflow: Workflow
    description: Texts = field(default_factory=dict)
    print_layout: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def indexed_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.indexed)
