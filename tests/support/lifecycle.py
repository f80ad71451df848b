"""Moving records through their workflow with the real services, for archive tests."""

from __future__ import annotations

from typing import Any

from flask import Flask

from core.web import services
from forms.submission import submit
from forms.workflow import act
from tests.support.instance import VALID_CP, actor_of

CLASSIFIED = {"cause_class": "quality", "level": "2", "responsible_department": "CS"}
COMPLAINT_STEPS: list[tuple[str, str, dict[str, Any]]] = [
    ("classify", "supervisor", CLASSIFIED),
    ("investigate", "clerk", {"investigation": "到货检验抽查 50 件，12 件划伤"}),
    ("respond", "clerk", {"root_cause": "包装衬垫不足", "corrective_action": "增加珍珠棉衬垫",
                          "customer_reply": "已电话告知并补发"}),
    ("close", "supervisor", {"customer_accepted": True}),
]


def new_complaint(app: Flask, **changes: Any) -> str:
    with app.app_context():
        s = services()
        return submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP", {**VALID_CP, **changes}).code


def step(app: Flask, code: str, action: str, who: str, fields: dict[str, Any] | None = None,
         reason: str = "") -> None:
    with app.app_context():
        s = services()
        act(s.db, s.clock, s.zone, actor_of(app, who), code, action, fields=fields or {}, reason=reason)


def close_complaint(app: Flask, code: str, *, countersign: bool = True, **classified: Any) -> None:
    """Classify (with ``classified`` overriding the defaults), investigate, respond, close, and
    countersign unless told not to."""
    for action, who, fields in COMPLAINT_STEPS:
        step(app, code, action, who, {**fields, **classified} if action == "classify" else fields)
    if countersign:
        step(app, code, "countersign", "supervisor")


def work_outbox(app: Flask) -> str:
    return app.test_cli_runner().invoke(args=["outbox", "run", "--once"]).output
