"""The records office's lists are served by indexes on PostgreSQL too (issue 16): the due
lists, the destruction lists, the holds, the filing queue and the RS month read no table that
grows with the archive whole, and the database orders the RS month as the filing rule says.
The SQLite twin, and the lists' paging: tests/archive/test_office_list_pages.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.web import services
from forms.renewal_filing import filing_page
from forms.submission import submit
from tests.support.instance import actor_of
from tests.support.office_lists import office_list_statements
from tests.support.query_plans import scanned_tables
from tests.support.samples import RS_DATA

pytestmark = pytest.mark.postgres

#: Registers handed in against filing order: grace (due 5 Jan), lapsed 20 Feb (staff
#: supervisor), lapsed 25 Feb, lapsed 20 Feb (staff clerk), grace (due 2 Jan).
VARIANTS = [{"policy_state": "grace", "due_date": "2026-01-05"},
            {"lapse_date": "2026-02-20", "service_staff": "supervisor"}, {"lapse_date": "2026-02-25"},
            {"lapse_date": "2026-02-20", "service_staff": "clerk"},
            {"policy_state": "grace", "due_date": "2026-01-02"}]


def test_the_office_lists_read_nothing_whole_on_postgresql(pg_app, clock):  # type: ignore[no-untyped-def]
    captured = office_list_statements(pg_app, clock)
    assert captured and scanned_tables(pg_app, captured) == {}


def test_the_rs_filing_order_is_the_same_on_postgresql(pg_app, clock):  # type: ignore[no-untyped-def]
    """Lapsed first by lapse date, then the grace period's by due date; then staff member, code."""
    clock.current = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
    with pg_app.app_context():
        s = services()
        clerk = actor_of(pg_app, "clerk")
        codes = [submit(s.db, s.clock, s.zone, clerk, "RS", {**RS_DATA, **v}).code for v in VARIANTS]
        first = filing_page(s.db, s.clock, s.zone, clerk, clock.current.date(), per_page=3)
        second = filing_page(s.db, s.clock, s.zone, clerk, clock.current.date(), page=2, per_page=3)
    assert [e.code for e in first.entries + second.entries] == [codes[i] for i in (3, 1, 2, 4, 0)]
    assert first.total == 5 and [e.number for e in second.entries] == [4, 5]
