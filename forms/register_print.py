"""The destruction register's own printed layout (销毁清册, templates/pdf/destruction_register.html):
a table of 序号, 档号, 题名, 年度, 保管期限, 已保管年限, 页数, 销毁原因, then the appraisal, the
approval, the execution and both witnesses with the moment each confirmed, and lines where each
of them signs. Used for the DD record's archival copy (the one kept permanently) and its handout,
from the record's stored data (forms/registers.py writes it), instead of the generic layout.

Registers filed before issue 20 (DD version 2, without witnesses) keep the generic layout.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from jinja2 import Environment

from archive.archival_codes import retention_label
from archive.records import RecordView
from forms.spec.model import FormSpec

REGISTER_FORM = "DD"
TEMPLATE = "destruction_register.html"
OUTCOMES = {"destroyed": "已销毁", "held": "冻结中，未销毁", "kept": "保管期已变更，未销毁",
            "gone": "已不存在"}

Layout = Callable[..., str]


def record_layout(layouts: Environment, spec: FormSpec, record: RecordView,
                  template: str = "record.html") -> Layout:
    """How ``record`` prints (``layouts``: forms.printing.LAYOUTS): the register's own layout for
    a destruction register that names its witnesses, otherwise ``template`` as before."""
    if spec.code == REGISTER_FORM and spec.field("witnesses") is not None:
        extra = register_context(record.data)
        return lambda **context: layouts.get_template(TEMPLATE).render(**context, **extra)
    return layouts.get_template(template).render


def register_context(data: dict[str, Any]) -> dict[str, Any]:
    """The register's data as the layout prints it (plain strings, Chinese as the office files it)."""
    return {"register": {
        "list_no": data.get("list_no", ""),
        "appraisal": {"by": data.get("appraised_by", ""), "at": _moment(data.get("appraised_at")),
                      "text": data.get("appraisal", "")},
        "approved": {"by": data.get("approved_by", ""), "at": _moment(data.get("approved_at"))},
        "executed": {"by": data.get("executed_by", ""), "at": _moment(data.get("executed_at"))},
        "witnesses": [{"name": w.get("name", ""), "at": _moment(w.get("confirmed_at"))}
                      for w in data.get("witnesses", [])],
        "destroyed": data.get("destroyed_count", 0),
        "pages": sum(int(i.get("pages") or 0) for i in data.get("items", [])
                     if i.get("outcome") == "destroyed"),
        "lines": [_line(item) for item in data.get("items", [])],
    }}


def _line(item: dict[str, Any]) -> dict[str, Any]:
    retention = item.get("retention", "")
    return {"seq": item.get("seq", ""), "reference": item.get("archival_code") or item.get("code", ""),
            "code": item.get("code", "") if item.get("archival_code") else "",
            "title": item.get("title", "") or "—", "year": item.get("year", "") or "—",
            "retention": f"{retention} {_label(retention)}".strip() or "—",
            "years_kept": item.get("years_kept", "—"), "pages": item.get("pages") or "—",
            "reason": item.get("reason", "") or "—",
            "outcome": "" if item.get("outcome") == "destroyed"
            else OUTCOMES.get(item.get("outcome", ""), "")}


def _label(code: str) -> str:
    try:
        return retention_label(code, "zh") if code else ""
    except ValueError:
        return ""


def _moment(text: str | None) -> str:
    """A stored office time to the second, as a register writes it (the fraction is in the data)."""
    if not text:
        return "—"
    try:
        return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return text
