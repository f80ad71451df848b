"""The records office's lists are served by indexes on PostgreSQL too (issue 16): the due
lists, the destruction lists, the holds, the filing queue and the RS month read no table that
grows with the archive whole. The SQLite twin, and the lists' paging:
tests/archive/test_office_list_pages.py."""

from __future__ import annotations

import pytest

from tests.archive.test_office_list_pages import office_list_statements
from tests.support.query_plans import scanned_tables

pytestmark = pytest.mark.postgres


def test_the_office_lists_read_nothing_whole_on_postgresql(pg_app, clock):  # type: ignore[no-untyped-def]
    captured = office_list_statements(pg_app, clock)
    assert captured and scanned_tables(pg_app, captured) == {}
