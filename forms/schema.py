"""A form version's JSON Schema (draft 2020-12): published by the API and enforced on submit."""

from __future__ import annotations

from typing import Any

from forms.fields import REGISTRY
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
