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
class Condition:
    """A field required only when another field holds a value: ``field`` equals ``equals``,
    or, for a table, any row's ``column`` does (RS: the customer signs when a visit was
    face-to-face). The spec language's one condition; :mod:`forms.validation` enforces it."""

    field: str
    equals: str
    column: str | None = None

    def met(self, data: dict[str, Any]) -> bool:
        value = data.get(self.field)
        if self.column is None:
            return value == self.equals
        return isinstance(value, list) and any(
            isinstance(row, dict) and row.get(self.column) == self.equals for row in value)


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
    #: Who signs a signature field (``{zh, en}``: 客户 / Customer), named on the pad and on paper.
    signer: Texts = field(default_factory=dict)
    #: Required only when this holds (``required_when = { field, column, equals }``).
    required_when: Condition | None = None
    #: The type's own keys (``FieldType.extra_keys``) as the spec wrote them, for keys no
    #: attribute above holds (a file field's ``accept``, ``max_files``…): the type reads them
    #: and checks them in ``check_spec``.
    options: dict[str, Any] = field(default_factory=dict)

    def choice_label(self, value: str, locale: str) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label.get(locale) or choice.label.get("zh", value)
        return value


#: Who may act, besides the roles: the person who submitted the record.
FILLER = "filler"
#: ``accepts`` value meaning every field of the form.
EVERY_FIELD = "*"
#: What a transition may stamp on the record besides its state.
STAMPS = frozenset({"countersign"})


@dataclass(frozen=True)
class Transition:
    """One action of a form's workflow, as the spec declares it.

    ``roles`` are role names or ``filler``; ``requires`` are fields that must hold a value once
    the action is done (they can be filled in by it; a yes/no field must be yes: closing a
    complaint requires the customer's acceptance), ``accepts`` more fields it may change
    (``*``: all); ``to`` empty keeps the state; ``reason`` makes a written reason required;
    ``stamp`` records a countersignature; ``task = false`` keeps an optional action (a spot
    check) out of the inbox."""

    name: str
    label: Texts
    from_states: tuple[str, ...]
    to: str
    roles: tuple[str, ...]
    requires: tuple[str, ...] = ()
    accepts: tuple[str, ...] = ()
    reason: bool = False
    stamp: str | None = None
    task: bool = True  # listed in the inbox while open to someone (false: optional, e.g. spot checks)

    def editable(self, spec_fields: tuple[str, ...]) -> tuple[str, ...]:
        """The fields this action may change, in the form's order."""
        wanted = set(self.requires) | set(self.accepts)
        return tuple(name for name in spec_fields if EVERY_FIELD in wanted or name in wanted)


@dataclass(frozen=True)
class Deadline:
    """A response deadline: ``hours`` (by the value of the choice field ``field``) after the
    moment in the datetime field ``start``; reaching one of the states ``met`` meets it.
    ``clock`` says how the hours count: ``calendar`` (the wall clock, every version before
    issue 22) or ``working`` (only working hours on the office's calendar: forms.working_time).
    While a record is in one of the states ``pause`` (waiting for the customer) the deadline
    does not run: the time spent there, on the same clock, is added to the allowed time when
    it leaves (forms.deadlines.refreshed)."""

    field: str
    start: str
    hours: dict[str, float]
    met: tuple[str, ...]
    clock: str = "calendar"
    pause: tuple[str, ...] = ()


@dataclass(frozen=True)
class Workflow:
    initial: str
    states: dict[str, Texts]
    transitions: tuple[Transition, ...] = ()
    deadline: Deadline | None = None

    def transition(self, name: str) -> Transition | None:
        return next((t for t in self.transitions if t.name == name), None)


@dataclass(frozen=True)
class Filing:
    """When a record is filed (归档): on reaching one of the ``final`` states, countersigned
    first where ``countersign`` says so. A filed record takes only corrections (勘误) and the
    actions listed in ``after`` (a visit register's follow-ups), each a new revision."""

    final: tuple[str, ...]
    countersign: bool = True
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonalData:
    """Who needs the fields marked ``personal`` (other roles see them masked, on screen and in
    print; the filler always sees them), and how many ``years`` after filing they are kept
    before a record still in the archive is anonymised (None: as long as the record)."""

    roles: tuple[str, ...]
    years: int | None = None


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
    filing: Filing | None = None
    personal: PersonalData | None = None
    #: Filled by the system, never offered to staff (the destruction register 销毁清册).
    system: bool = False
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def personal_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.personal)

    @property
    def indexed_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.indexed)
