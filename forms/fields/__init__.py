"""Field types: a registry of classes, one per kind of input a spec may declare."""

from forms.fields.base import REGISTRY, BuildContext, FieldType, ParseError, field_type

# Importing the modules registers their types.
from forms.fields import choice, rows, scalar  # noqa: E402,F401,I001

__all__ = ["REGISTRY", "BuildContext", "FieldType", "ParseError", "field_type"]
