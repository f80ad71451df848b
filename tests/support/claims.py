"""A visit-register claim held open by a concurrent transaction (PostgreSQL tests): whatever
registers or corrects onto that phone meanwhile must wait for it, then see it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

from flask import Flask

from core.clock import Clock
from core.web import services
from forms.models import CustomerClaim
from forms.rules.visit_register import lock_customer


def while_a_claim_is_open(app: Flask, clock: Clock, *, phone: str, record_code: str, until: date,
                          work: Callable[[], object], what: str) -> object:
    """Run ``work`` (in the app's context) while another transaction has claimed ``phone`` for
    "sales" under the per-phone lock and not yet committed; assert that ``work`` waits until that
    commit; return what it returned, or the exception it raised."""
    claimed, commit = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def hold() -> None:
        with app.app_context(), services().db.transaction() as session:
            lock_customer(session, [phone])
            session.add(CustomerClaim(record_code=record_code, phone=phone, staff="sales",
                                      registered_at=clock.now(), valid_until=until))
            session.flush()
            claimed.set()
            commit.wait(10)

    def run() -> None:
        with app.app_context():
            try:
                outcome["result"] = work()
            except Exception as exc:  # handed to the test to assert on
                outcome["result"] = exc

    holder = threading.Thread(target=hold)
    holder.start()
    assert claimed.wait(10)
    waiter = threading.Thread(target=run)
    waiter.start()
    waiter.join(1.0)
    assert waiter.is_alive(), f"{what} went ahead while the claim on {phone} was uncommitted"
    commit.set()
    holder.join(10)
    waiter.join(10)
    return outcome["result"]
