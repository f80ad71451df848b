"""Moving records through their workflow with the real services: complaints submitted, taken
through their steps to closed and countersigned, filed by the outbox worker."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask

from core.clock import FrozenClock
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


#: The complaints filed on 2 March 2026 (the test clock's start) are kept to 31 December 2029:
#: this many days on, they are due for disposal.
DAYS_TO_2030 = (date(2030, 1, 1) - date(2026, 3, 2)).days


def submit_cp(app: Flask, username: str = "clerk", **changes: Any) -> str:
    """A valid complaint (``VALID_CP`` with ``changes``) submitted by ``username``; its code."""
    with app.app_context():
        s = services()
        return submit(s.db, s.clock, s.zone, actor_of(app, username), "CP", {**VALID_CP, **changes}).code


def submit_complaints(app: Flask, clock: FrozenClock, username: str, count: int) -> list[str]:
    """``count`` complaints by ``username``, in pairs submitted in the same microsecond (so the
    order's tie-break, the id, matters); their codes, oldest first."""
    actor, codes = actor_of(app, username), []
    with app.app_context():
        s = services()
        for i in range(count):
            codes.append(submit(s.db, clock, s.zone, actor, "CP", dict(VALID_CP)).code)
            if i % 2:
                clock.advance(seconds=61, microseconds=1)
    return codes


def new_complaint(app: Flask, **changes: Any) -> str:
    """The clerk's complaint (:func:`submit_cp`)."""
    return submit_cp(app, "clerk", **changes)


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


def filed_complaints(app: Flask, count: int) -> list[str]:
    """``count`` complaints closed, countersigned and filed (the outbox worked once); their codes."""
    codes = [new_complaint(app) for _ in range(count)]
    for code in codes:
        close_complaint(app, code)
    work_outbox(app)
    return codes
