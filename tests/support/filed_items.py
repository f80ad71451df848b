"""A year of filed items with different 档号 groups, made through the real services: what the
归档文件目录 and the year's transfer are tested on (tests/archive/test_file_catalogue.py,
test_transfer.py)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from archive import holds, retention
from core.web import services
from tests.support.instance import VALID_CP, actor_of
from tests.support.lifecycle import COMPLAINT_STEPS, close_complaint, step, submit_cp, work_outbox

NAME = VALID_CP["customer_name"]
#: The sales department's people in the complaint's steps.
SALES = {"clerk": "sales", "supervisor": "sales_boss"}


@dataclass(frozen=True)
class FiledItems:
    """Codes of the filed complaints: Customer Service's under the 3-year class (KF, D3), one of
    them corrected after filing and one under a legal hold; Sales' (XS, D3); and one filed after
    the class became 30 years (KF, D30)."""

    service: list[str]
    sales: str
    thirty: str
    corrected: str
    held: str

    @property
    def all(self) -> list[str]:
        return [*self.service, self.sales, self.thirty]


def sales_complaint(app: Flask, **changes: str) -> str:
    code = submit_cp(app, "sales", **changes)
    for action, who, fields in COMPLAINT_STEPS:
        step(app, code, action, SALES[who], fields)
    step(app, code, "countersign", "sales_boss")
    return code


def file_items(app: Flask) -> FiledItems:
    """Four filed complaints across three 档号 groups, one corrected and one held (see the class)."""
    service = [submit_cp(app, "clerk", customer_name=f"{NAME}{n}") for n in range(2)]
    sales = sales_complaint(app, customer_name=f"{NAME}销售")
    for code in service:
        close_complaint(app, code)
    work_outbox(app)
    with app.app_context():
        s = services()
        admin, archivist = actor_of(app, "admin"), actor_of(app, "archivist")
        cls = next(c for c in retention.list_classes(s.db) if c.code == "complaint-3y")
        retention.update_class(s.db, s.clock, admin, cls.code, {**cls.values(), "years": 30}, zone=s.zone)
        hold = holds.create_hold(s.db, s.clock, archivist, name="诉讼", reason="起诉", owner="admin")
        holds.add_records(s.db, s.clock, archivist, hold.id, [service[1]])
    thirty = submit_cp(app, "clerk", customer_name=f"{NAME}三十")
    close_complaint(app, thirty)
    step(app, service[0], "correct", "supervisor", {"complaint": "划痕（更正）"}, reason="笔误")
    work_outbox(app)
    return FiledItems(service, sales, thirty, corrected=service[0], held=service[1])
