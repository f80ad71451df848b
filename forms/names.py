"""Field values by name: a user or department field shows the person's display name and the
department's name (:mod:`core.auth.names`), every other type its own display. The field type
decides (:meth:`forms.fields.FieldType.shown`)."""

from __future__ import annotations

from typing import Any

from core.auth.names import Names, load_names
from forms.fields import REGISTRY, Reading
from forms.spec.model import FieldSpec

__all__ = ["Names", "display", "load_names"]


def display(spec: FieldSpec, value: Any, locale: str, names: Names) -> str:
    """A stored value as shown: the field type's display, references by name."""
    return REGISTRY[spec.type].shown(spec, value, Reading(locale, names))
