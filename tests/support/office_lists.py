"""The records office's lists with something in each, and the statements that read them: what
the index tests of those lists (SQLite and PostgreSQL) ask the database's plan of."""

from __future__ import annotations

from typing import Any

from flask import Flask

from archive import disposal, filing, holds
from archive.ports import archive_ports
from core.clock import FrozenClock
from core.web import services
from forms.renewal_filing import filing_page
from tests.support.instance import actor_of
from tests.support.lifecycle import DAYS_TO_2030, filed_complaints
from tests.support.query_plans import statements


def office_list_statements(app: Flask, clock: FrozenClock) -> list[tuple[str, Any]]:
    """Every statement of the office's lists (both due lists, the destruction lists, the holds,
    the filing queue, the RS month for the records office and for a clerk), with something in
    each: a due record held, one on an open list."""
    codes = filed_complaints(app, 2)
    clock.advance(days=DAYS_TO_2030)
    with app.app_context():
        s = services()
        archivist, clerk = actor_of(app, "archivist"), actor_of(app, "clerk")
        hold = holds.create_hold(s.db, s.clock, archivist, name="诉讼", reason="起诉", owner="archivist")
        holds.add_records(s.db, s.clock, archivist, hold.id, codes[:1])
        disposal.propose(s.db, s.clock, s.zone, archivist, codes[1:], "到期销毁")
        rules = archive_ports().filing_rules()
        with statements(app) as captured:
            for action in ("destroy", "review"):
                disposal.due_page(s.db, s.clock, s.zone, archivist, action=action)
            disposal.recent_lists(s.db, archivist)
            holds.hold_summaries(s.db, archivist)
            filing.queue_page(s.db, s.clock, archivist, rules)
            for actor in (archivist, clerk):
                filing_page(s.db, s.clock, s.zone, actor, clock.current.date())
    return captured
