"""A form version's JSON Schema (draft 2020-12): published by the API and enforced on submit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from core.auth.models import Department, User
from core.db import Database
from forms.fields import REGISTRY, References
from forms.spec.model import FormSpec

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def record_data_schema(spec: FormSpec) -> dict[str, Any]:
    properties = {}
    for field in spec.fields:
        schema = REGISTRY[field.type].json_schema(field)
        schema["title"] = field.label.get("en", field.name)
        schema["description"] = field.label.get("zh", "")
        properties[field.name] = schema
    return {
        "$schema": DIALECT,
        "$id": f"urn:dossier:form:{spec.code}:v{spec.version}",
        "title": spec.title["en"],
        "description": spec.title["zh"],
        "type": "object",
        "properties": properties,
        "required": [f.name for f in spec.fields if f.required],
        "additionalProperties": False,
    }


def published_schema(spec: FormSpec, users: Iterable[str], departments: Iterable[str]) -> dict[str, Any]:
    """The schema as ``GET /api/v1/forms/<code>`` publishes it: each user and department field
    (table columns too) lists the values valid now as ``enum``, so an integrator reads them
    instead of learning them from 422s. Built per request, because people and departments
    change; submission checks references against the database (:func:`forms.submission.known_references`)."""
    schema = record_data_schema(spec)
    known = References(users=sorted(users), departments=sorted(departments))
    for field in spec.fields:
        target = schema["properties"][field.name]
        if (values := REGISTRY[field.type].known_keys(known)) is not None:
            target["enum"] = values
        for column in field.columns:
            if (values := REGISTRY[column.type].known_keys(known)) is not None:
                target["items"]["properties"][column.name]["enum"] = values
    return schema


def reference_values(db: Database) -> tuple[list[str], list[str]]:
    """The active users' usernames and the department codes, as references may name them now."""
    with db.reading() as session:
        users = list(session.scalars(select(User.username).where(User.active.is_(True))))
        departments = list(session.scalars(select(Department.code)))
    return users, departments
