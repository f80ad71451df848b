"""Field values by name: a user or department field shows the person's display name and the
department's name (:mod:`core.auth.names`), every other type its own display."""

from __future__ import annotations

from typing import Any

from core.auth.names import Names, load_names
from forms.fields import REGISTRY
from forms.spec.model import FieldSpec

__all__ = ["REFERENCES", "Names", "display", "load_names"]

#: Field types whose stored value is a key to be named.
REFERENCES = frozenset({"user", "department"})


def display(spec: FieldSpec, value: Any, locale: str, names: Names) -> str:
    """A stored value as shown: the field type's display, references by name."""
    if value is None:
        return ""
    if spec.type == "user":
        return names.user(str(value))
    if spec.type == "department":
        return names.department(str(value), locale)
    return str(REGISTRY[spec.type].display(spec, value, locale))
