"""A record's one-line title, from the fields its spec's ``print.summary`` names.

Its own module, importing only the field types, because both submitting (which writes the
stored title) and masking (which recomputes it from masked data) need it.
"""

from __future__ import annotations

from typing import Any

from forms.fields import REGISTRY
from forms.spec.model import FormSpec


def summary(spec: FormSpec, data: dict[str, Any], locale: str = "zh") -> str:
    """A one-line title for lists, from the fields the spec's print hints name."""
    parts = []
    for name in spec.print_layout.get("summary", []):
        field = spec.field(name)
        if field and name in data:
            parts.append(REGISTRY[field.type].display(field, data[name], locale))
    text = " · ".join(p.replace("\n", " ") for p in parts if p)
    return text[:200] or spec.title.get(locale, spec.code)
