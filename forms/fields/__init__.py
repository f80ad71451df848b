"""Field types: a registry of classes, one per kind of input a spec may declare."""

# Importing the modules registers their types.
from forms.fields import choice, files, rows, scalar, signature  # noqa: F401
from forms.fields.base import (
    REGISTRY,
    BuildContext,
    DuplicateFieldType,
    FieldType,
    ParseError,
    Reading,
    References,
    is_empty,
    register,
    registered,
    unregister,
)

__all__ = ["REGISTRY", "BuildContext", "DuplicateFieldType", "FieldType", "ParseError", "Reading",
           "References", "is_empty", "register", "registered", "unregister"]
