"""Moving an existing instance's search index from Whoosh into PostgreSQL, as docs/scaling.md
tells an operator: records indexed by Whoosh on a PostgreSQL instance; SEARCH_BACKEND switched to
"postgres"; ``search check`` says every record is missing and to rebuild; ``search rebuild``
indexes them all; ``search check`` is clean; an index row lost later is named by ``check`` and put
back by ``check --repair``."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text

from core.clock import FrozenClock
from core.web import services
from search.backends import current_backend
from tests.support.instance import make_app
from tests.support.lifecycle import submit_cp, work_outbox

pytestmark = pytest.mark.postgres


def test_an_instance_moves_its_index_from_whoosh_to_postgresql(pg_app: Flask, clock: FrozenClock) -> None:
    codes = [submit_cp(pg_app, customer_name=f"迁移客户{n}", complaint="外包装破损") for n in range(3)]
    assert " 0 failed" in work_outbox(pg_app)
    with pg_app.app_context():
        assert current_backend().name == "whoosh"
    assert pg_app.test_cli_runner().invoke(args=["search", "check"]).exit_code == 0

    moved = make_app(pg_app.config["DATABASE_URL"], clock, SEARCH_BACKEND="postgres")
    runner = moved.test_cli_runner()
    try:
        before = runner.invoke(args=["search", "check"])
        assert before.exit_code == 1 and "flask --app wsgi search rebuild" in before.output, before.output
        rebuilt = runner.invoke(args=["search", "rebuild"])
        assert rebuilt.exit_code == 0, rebuilt.output
        assert "Search index rebuilt: 3 record(s)" in rebuilt.output
        checked = runner.invoke(args=["search", "check"])
        assert checked.exit_code == 0 and "The index matches the database." in checked.output

        with moved.app_context(), services().db.transaction() as session:
            session.execute(text("DELETE FROM search.documents WHERE code = :code"), {"code": codes[1]})
        lost = runner.invoke(args=["search", "check"])
        assert lost.exit_code == 1 and f"missing: 1 ({codes[1]})" in lost.output, lost.output
        repaired = runner.invoke(args=["search", "check", "--repair"])
        assert repaired.exit_code == 0 and "the index matches the database" in repaired.output
        assert runner.invoke(args=["search", "check"]).exit_code == 0
    finally:
        with moved.app_context():
            services().db.dispose()
