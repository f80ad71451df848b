"""An application holds the office calendar from its creation, so a deadline computed inside a
transaction never needs a second connection to load it.

The CI run that found it: 16 threads submitting complaints at once (CP v6 counts working time)
each asked for the not-yet-loaded calendar while holding its transaction's connection; each load
took another connection and the pool (5 + 10) ran out, 30 s timeouts."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from sqlalchemy import select

from core.web import services
from forms import office_calendar
from forms.working_time import OfficeCalendar, current


def test_an_application_holds_its_calendar_from_creation(app: Flask):
    held = app.extensions[office_calendar.EXTENSION]
    assert isinstance(held.calendar, OfficeCalendar)
    assert held.revision >= 0


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_threads_each_holding_a_connection_get_the_calendar_without_another(backend, request):
    """As many threads as the pool has connections, each inside a transaction, all asking at
    once: every one gets the calendar (with a second connection each this would wait 30 s and
    time out)."""
    app: Flask = request.getfixturevalue("app" if backend == "sqlite" else "pg_app")
    with app.app_context():
        pool = services().db.engine.pool
        width = pool.size() + pool._max_overflow if backend == "postgres" else 4
    barrier = threading.Barrier(width)

    def ask() -> OfficeCalendar:
        with app.app_context(), services().db.reading() as session:
            session.execute(select(1))  # this thread's connection, held until it returns
            barrier.wait(timeout=20)
            return current()

    with ThreadPoolExecutor(width) as threads:
        calendars = list(threads.map(lambda _: ask(), range(width)))
    assert len(calendars) == width
    assert all(isinstance(c, OfficeCalendar) for c in calendars)
    assert len({id(c) for c in calendars}) == 1  # the one the application holds
