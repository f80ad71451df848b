"""The validator of record data: JSON Schema draft 2020-12 with patterns read as the published
schema means them.

A schema's ``pattern`` is an ECMA-262 regular expression, where ``$`` is the end of the text.
Python's ``$`` also matches before a final line break, so with jsonschema's own ``pattern``
check ``"13800138000\\n"`` passed as a phone (and ``"12\\n"`` as a decimal, ``"a@b.cn\\n"`` as
an e-mail) and was stored with its line break; found by tests/forms/test_field_properties.py.
(ECMA's ``\\d`` is 0-9 only, Python's any decimal digit: the field types' patterns say [0-9].)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def ecma_pattern(validator: Any, pattern: str, instance: Any,
                 schema: dict[str, Any]) -> Iterator[ValidationError]:
    """The ``pattern`` keyword: a match that ``$`` ended before a final line break is none."""
    if not validator.is_type(instance, "string"):
        return
    match = _compiled(pattern).search(instance)
    anchored = pattern.endswith("$") and not pattern.endswith("\\$")
    if match is None or (anchored and match.end() != len(instance)):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


RecordValidator = validators.extend(Draft202012Validator, {"pattern": ecma_pattern})
