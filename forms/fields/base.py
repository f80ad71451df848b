"""The field-type protocol and its registry.

A field type answers five questions about one kind of field: which extra spec keys it accepts
(and whether their values make sense), its JSON Schema, its WTForms field, how to turn what a
person typed into a stored value, and how to show a stored value. Adding a type is one class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from wtforms.fields.core import UnboundField

from forms.spec.model import FieldSpec

COMMON_KEYS = frozenset({"name", "type", "label", "required", "help", "indexed", "personal"})


class ParseError(ValueError):
    """What a person typed cannot be read as this type; the message is shown beside the field."""


@dataclass(frozen=True)
class BuildContext:
    """Per-request facts a form needs to be built: language and the pickers' options."""

    locale: str = "zh"
    users: tuple[tuple[str, str], ...] = ()
    departments: tuple[tuple[str, str], ...] = ()
    zone_name: str = "Asia/Shanghai"


class FieldType:
    name: ClassVar[str]
    extra_keys: ClassVar[frozenset[str]] = frozenset()

    def check_spec(self, spec: FieldSpec) -> list[str]:
        """Problems with this field's declaration beyond the key names (none by default)."""
        return []

    def json_schema(self, spec: FieldSpec) -> dict[str, Any]:
        raise NotImplementedError

    def form_field(self, spec: FieldSpec, ctx: BuildContext) -> UnboundField:
        raise NotImplementedError

    def parse(self, spec: FieldSpec, raw: Any, ctx: BuildContext) -> Any:
        """Typed input → stored value; ``None`` when empty; raises :class:`ParseError`."""
        if raw is None:
            return None
        text = str(raw).strip()
        return text or None

    def format_message(self) -> str:
        """What to say when a stored value does not match this type's pattern."""
        return _("This value is not in the expected format.")

    def check_value(self, spec: FieldSpec, value: Any) -> str | None:
        """Checks beyond the JSON Schema (calendar validity and such); a message or None."""
        return None

    def normalise(self, spec: FieldSpec, value: Any, zone: ZoneInfo | None = None) -> Any:
        """A valid value in its type's one stored form, so that the same answer sent two ways
        (a time with ``Z`` or ``+00:00``) is stored, compared and fingerprinted the same.
        ``zone``: the office's, where the stored form depends on it (a time is kept in it)."""
        return value

    def display(self, spec: FieldSpec, value: Any, locale: str) -> str:
        return "" if value is None else str(value)

    def as_input(self, spec: FieldSpec, value: Any, ctx: BuildContext) -> Any:
        """A stored value as a person would type it, to pre-fill a form that changes it."""
        return value


REGISTRY: dict[str, FieldType] = {}


def register(cls: type[FieldType]) -> type[FieldType]:
    REGISTRY[cls.name] = cls()
    return cls

