"""Printing a record: plain data from the record and its form version, into the print layout.

The template context is plain strings and lists (no ORM objects, no callables), and the
layout has its own autoescaping Jinja environment, so printing needs no request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from archive.records import RecordView, get_record
from core.auth.roles import Actor
from core.clock import Clock, local
from core.config import PROJECT_ROOT
from core.db import Database
from forms import versions
from forms.fields import REGISTRY
from forms.pdf.render import Renderer
from forms.spec.model import FormSpec

LAYOUTS = Environment(loader=FileSystemLoader(PROJECT_ROOT / "templates" / "pdf"),
                      autoescape=select_autoescape(default=True, default_for_string=True))


@dataclass(frozen=True)
class Printout:
    code: str
    pdf: bytes


def print_record(db: Database, clock: Clock, zone: ZoneInfo, renderer: Renderer, actor: Actor,
                 code: str, company: str) -> Printout:
    """The record's handout as PDF; permission-checked and audited as ``record.print``."""
    record = get_record(db, clock, actor, code, channel="pdf", purpose="print")
    spec = versions.spec_version(db, record.form_code, record.form_version)
    html = LAYOUTS.get_template("record.html").render(
        **print_context(spec, record, zone, company, printed_at=local(clock.now(), zone)))
    return Printout(record.code, renderer.render(html).pdf)


def print_context(spec: FormSpec, record: RecordView, zone: ZoneInfo, company: str,
                  printed_at: Any) -> dict[str, Any]:
    """Everything the layout shows, as plain data (labels in Chinese, as the office prints)."""
    fields = []
    for field in spec.fields:
        value = record.data.get(field.name)
        entry: dict[str, Any] = {"label": field.label["zh"], "wide": field.type in ("textarea", "rows")}
        if field.type == "rows":
            entry["columns"] = [c.label["zh"] for c in field.columns]
            entry["rows"] = [[REGISTRY[c.type].display(c, row.get(c.name), "zh") for c in field.columns]
                             for row in value or []]
        else:
            entry["value"] = REGISTRY[field.type].display(field, value, "zh")
        fields.append(entry)
    submitted = local(record.submitted_at, zone)
    return {
        "company": company, "title": spec.title["zh"], "title_en": spec.title["en"],
        "form_code": spec.code, "form_version": spec.version, "code": record.code,
        "department": record.department_name[0],
        "state": spec.workflow.states.get(record.state, {}).get("zh", record.state),
        "submitted_at": submitted.strftime("%Y-%m-%d %H:%M"),
        "submitted_date": submitted.strftime("%Y-%m-%d"),
        "filler": record.submitted_by_name, "printed_at": printed_at.strftime("%Y-%m-%d %H:%M"),
        "fields": fields,
    }
