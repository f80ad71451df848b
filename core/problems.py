"""Refusals that name what is wrong, field by field: services raise them, views show each
message beside its field (and the API returns them as ``fields``)."""

from __future__ import annotations


class FieldProblems(ValueError):
    """The values a service refused; ``errors`` maps each field name to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
