"""A record is found by its 档号, whole or by its start, on both search backends (Whoosh on the
SQLite instance, PostgreSQL's own index on a PostgreSQL instance), as soon as the outbox has
indexed its filing; records given theirs by ``flask init`` too. A whole 档号 finds that record
only (typed alone, the search page opens it, for those who may see it); its start every record
whose 档号 begins so; a dot typed "." or "・" is read as "·"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import update

from archive.models import Record
from core.clock import FrozenClock
from core.web import services
from forms.submission import submit
from search.backends import current_backend
from search.service import search
from tests.support.archival import MICRO_START, archival_codes
from tests.support.instance import actor_of, login, make_app
from tests.support.lifecycle import filed_complaints, step, work_outbox

VISIT = {"visit_date": "2026-03-02", "customer_name": "周女士", "phone": "13700001111",
         "needs": "三室两厅", "receiving_staff": "sales"}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(MICRO_START)


@pytest.fixture(params=["whoosh", pytest.param("postgres", marks=pytest.mark.postgres)])
def search_app(request: pytest.FixtureRequest, clock: FrozenClock, instance_dir: Path) -> Iterator[Flask]:
    if request.param == "whoosh":
        yield request.getfixturevalue("app")
        return
    server, template = request.getfixturevalue("pg_server"), request.getfixturevalue("pg_template")
    app = make_app(server.create_database(template=template), clock, SEARCH_BACKEND="postgres")
    yield app
    with app.app_context():
        services().db.dispose()


def filed(app: Flask) -> dict[str, str]:
    """Three complaints (Customer Service) and a visit (Sales) filed and indexed: code → 档号."""
    filed_complaints(app, 3)
    with app.app_context():
        s = services()
        visit = submit(s.db, s.clock, s.zone, actor_of(app, "sales"), "VR", VISIT).code
    step(app, visit, "confirm", "sales_boss")
    step(app, visit, "countersign", "sales_boss")
    work_outbox(app)
    work_outbox(app)  # the search entries queued by filing
    return {code: text for code, text in archival_codes(app).items() if text}


def found(app: Flask, typed: str) -> list[str]:
    with app.app_context():
        s = services()
        result = search(s.db, s.clock, s.zone, current_backend(), actor_of(app, "admin"), text=typed)
        return sorted(hit.code for hit in result.hits)


def test_a_record_is_found_by_its_archival_code_whole_or_by_its_start(search_app: Flask) -> None:
    given = filed(search_app)
    by_reference = {text: code for code, text in given.items()}
    complaints = sorted(code for code in given if code.startswith("CP-"))
    [visit] = [code for code in given if code.startswith("VR-")]
    assert sorted(by_reference) == ["Q012-WS·2026-D3-KF-0001", "Q012-WS·2026-D3-KF-0002",
                                    "Q012-WS·2026-D3-KF-0003", "Q012-WS·2026-D3-XS-0001"]
    assert found(search_app, "Q012-WS·2026-D3-KF-0002") == [by_reference["Q012-WS·2026-D3-KF-0002"]]
    assert found(search_app, "q012-ws·2026-d3-xs-0001") == [visit]  # any case
    assert found(search_app, "Q012-WS.2026-D3-KF-0001") == [by_reference["Q012-WS·2026-D3-KF-0001"]]
    assert found(search_app, "Q012-WS・2026-D3-KF") == complaints
    assert found(search_app, "Q012-WS·2026-D3-KF-") == complaints
    assert found(search_app, "Q012-WS·2026") == sorted(given)
    assert found(search_app, "Q012-WS·") == sorted(given)
    assert found(search_app, "Q012-WS·2026-D3-XS") == [visit]
    assert found(search_app, "Q012-WS·2025") == []
    assert found(search_app, "Q012-WS·2026-D3-KF-000") == complaints  # the start of the item number
    assert found(search_app, "Q012-WS·2026-D3-KF-0004") == []  # not given yet
    assert found(search_app, "Q012-WS·2026-D3-KF 划痕") == complaints  # with other words (AND)


def test_records_given_their_archival_code_by_init_are_found(search_app: Flask) -> None:
    given = filed(search_app)
    with search_app.app_context(), services().db.transaction() as session:
        session.execute(update(Record).values(archival_code=None))
    rebuilt = search_app.test_cli_runner().invoke(args=["search", "rebuild"])  # indexed as they were
    assert rebuilt.exit_code == 0, rebuilt.output
    assert found(search_app, "Q012-WS·2026") == []  # no 档号 yet (as before 档号 were minted)
    result = search_app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    work_outbox(search_app)
    assert found(search_app, "Q012-WS·2026") == sorted(given)


def test_a_whole_archival_code_typed_alone_opens_its_record_for_those_who_see_it(search_app: Flask) -> None:
    given = filed(search_app)
    [(code, reference)] = [(c, t) for c, t in given.items() if t.endswith("KF-0002")]
    supervisor, sales = search_app.test_client(), search_app.test_client()
    login(supervisor, "supervisor")
    login(sales, "sales")
    opened = supervisor.get("/search", query_string={"q": reference.lower()})
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/records/{code}")
    listed = supervisor.get("/search", query_string={"q": "Q012-WS·2026-D3-KF"})  # a start: the list
    assert listed.status_code == 200
    outside = sales.get("/search", query_string={"q": reference})  # not the clerk's department
    assert outside.status_code == 200 and code not in outside.text
