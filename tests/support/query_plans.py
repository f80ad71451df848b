"""What a page asks the database, and whether each statement is served by an index (issue 16).

Pages that show one record or one page of results must cost the same in an archive of 300
records and of 100,000: their statements are captured while the page is served and each one's
plan is asked of the database. SQLite names a table read whole ``SCAN t``; PostgreSQL, with
sequential scans priced out (``enable_seqscan = off``, so tiny test tables cannot make a scan
the cheaper plan), says ``Seq Scan on t`` only where no index can serve.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event, text

from core.web import services
from forms.submission import submit
from forms.workflow import act
from tests.support.instance import VALID_CP, actor_of

#: Tables that grow with the archive. Users, departments, form versions, retention classes and
#: the audit head are the office's own small tables.
GROWING = {"records", "record_revisions", "renditions", "outbox", "held_records", "legal_holds",
           "access_grants", "audit_events", "tombstones", "drafts", "customer_claims"}
SQLITE_SCAN = re.compile(r"\bSCAN (\w+)")
POSTGRES_SCAN = re.compile(r"Seq Scan on (\w+)")

#: A complaint taken to closed and countersigned, then corrected five times: eleven revisions.
LONG_HISTORY = [
    ("classify", "supervisor", {"cause_class": "quality", "level": "2", "responsible_department": "QA"}),
    ("investigate", "clerk", {"investigation": "已核实，属于包装问题。"}),
    ("respond", "clerk", {"root_cause": "运输包装强度不足", "corrective_action": "改用加强纸箱",
                          "customer_reply": "已致电客户说明改善措施"}),
    ("close", "supervisor", {"customer_accepted": True}), ("countersign", "supervisor", {}),
    *[("correct", "supervisor", {"complaint": f"划痕，第 {n} 次勘误"}) for n in range(1, 6)],
]


def long_history(app: Flask) -> str:
    """Submit a complaint and take it through :data:`LONG_HISTORY`; its code."""
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP", VALID_CP).code
        for action, username, fields in LONG_HISTORY:
            act(s.db, s.clock, s.zone, actor_of(app, username), code, action, fields=fields,
                reason="录入错误" if action == "correct" else "")
        with s.db.engine.connect() as connection:  # planner statistics, as a real archive has
            connection.execute(text("ANALYZE"))
            connection.commit()
    return code


@contextmanager
def statements(app: Flask) -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements the application runs meanwhile, with their parameters."""
    seen: list[tuple[str, Any]] = []
    with app.app_context():
        engine = services().db.engine

    def remember(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", remember)


@contextmanager
def every_statement(app: Flask) -> Iterator[list[tuple[str, object]]]:
    """Every SQL statement (with parameters) run on the app's engine inside the block, writes
    included (:func:`statements` keeps the reads only)."""
    seen: list[tuple[str, object]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        seen.append((statement, parameters))
    with app.app_context():
        engine = services().db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def scanned_tables(app: Flask, captured: list[tuple[str, Any]]) -> dict[str, str]:
    """Growing table → the first captured statement whose plan reads it whole."""
    scanned: dict[str, str] = {}
    with app.app_context(), services().db.engine.connect() as connection:
        raw = connection.connection.driver_connection
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            raw.execute("SET enable_seqscan = off")
        for statement, parameters in captured:
            plan = [str(row[-1] if not postgres else row[0]) for row in raw.execute(
                ("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + statement, parameters).fetchall()]
            for table in (POSTGRES_SCAN if postgres else SQLITE_SCAN).findall("\n".join(plan)):
                if table in GROWING:
                    scanned.setdefault(table, statement)
        raw.rollback()
    return scanned


def plan_of(app: Flask, statement: str, parameters: Any) -> str:
    """The database's plan of one statement (sequential scans priced out on PostgreSQL)."""
    with app.app_context(), services().db.engine.connect() as connection:
        raw = connection.connection.driver_connection
        if connection.dialect.name == "postgresql":
            raw.execute("SET enable_seqscan = off")
            rows = raw.execute("EXPLAIN " + statement, parameters).fetchall()
            raw.rollback()
            return "\n".join(row[0] for row in rows)
        return "\n".join(row[-1] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters))
