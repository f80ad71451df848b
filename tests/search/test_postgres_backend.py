"""The PostgreSQL backend (search.postgres_backend) on a real server: every kind of query against
hand-made documents, idempotent writes, the index's state, an atomic rebuild, the scope, and
typed text that is hostile to SQL and to tsquery's syntax."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from core.clock import FrozenClock
from core.db import Database
from core.web import services
from search.backend import (
    FACETS,
    All,
    Any,
    BackendUnavailable,
    DateSpan,
    Everything,
    Nothing,
    Phrase,
    Prefix,
    Query,
    StoredHit,
    Term,
)
from search.backends import current_backend
from search.indexing import SearchDocument
from search.postgres_backend import INDEX_VERSION, PostgresBackend
from search.query import text_query
from search.service import search
from tests.support.instance import actor_of, make_app
from tests.support.lifecycle import submit_cp, work_outbox
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.postgres

MOMENT = datetime(2026, 3, 2, 1, 2, 3, 456789, tzinfo=UTC)
NAIVE = MOMENT.replace(tzinfo=None)  # the query tree's dates are naive UTC


def document(n: int, department: str, text_: str, revision: int = 1, form: str = "CP") -> SearchDocument:
    return SearchDocument(code=f"{form}-2026-{n:06d}", form=form, year=2026, state="submitted",
                          department=department, submitted_at=MOMENT + timedelta(hours=n),
                          revision=revision, title=f"投诉 {n}", texts=(text_, "上海恒丰"))


DOCUMENTS = [
    document(1, "CS", "外包装破损，联系人王小明，电话13912345678"),
    document(2, "SALES", "表面有划痕，客户要求退货 refunds"),
    document(3, "CS", "外包破了，装箱单缺失；订单SO-2026-88417"),
    document(4, "SERVICE", "客户，户要求上门 021-6234 5678", form="VR"),
    document(5, "CS", "It's a \\ back'slash & pipe | test: 'quoted' <-> !", form="VR"),
]


@pytest.fixture(scope="module")
def database(pg_server: PostgresServer, pg_template: str) -> Iterator[Database]:
    """A migrated database of its own for this module (tests build the index they need)."""
    db = Database(pg_server.create_database(template=pg_template))
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def built(database: Database) -> PostgresBackend:
    backend = PostgresBackend(database)
    assert backend.build(DOCUMENTS) == len(DOCUMENTS)
    return backend


def codes(backend: PostgresBackend, query: Query, scope: Query | None = None) -> set[str]:
    found = backend.find(query, scope=scope, facets=FACETS, newest_first=False, page=1, per_page=100)
    assert found.total == len(found.page) == backend.count(query if scope is None else All((query, scope)))
    return {hit.code for hit in found.page}


def numbers(*ns: int, form: str = "CP") -> set[str]:
    return {f"{form if n < 4 else 'VR'}-2026-{n:06d}" for n in ns}


@pytest.mark.parametrize(("query", "expected"), [
    (Term("cjk", "外包"), (1, 3)),
    (Term("cjk", "划痕"), (2,)),
    (Prefix("cjk", "外"), (1, 3)),
    (Prefix("cjk", "缺"), (3,)),
    (Prefix("cjk", "失"), (3,)),  # a run's last character
    (Phrase("cjk", ("外包", "包装")), (1,)),
    (Phrase("cjk", ("客户", "户要")), (2,)),  # 4 holds 客户 and 户要, but apart (，)
    (Term("words", "refund"), (2,)),
    (Term("words", "so-2026-088417"), (3,)),
    (Term("words", "02162345678"), (4,)),
    (Prefix("tail", "8765"), (1, 4)),
    (Term("tail", "8765"), (4,)),  # 5678 is a run of its own in 4 only
    (Term("code", "CP-2026-000002"), (2,)),
    (Prefix("code", "CP-2026-00000"), (1, 2, 3)),
    (Prefix("code", "VR-"), (4, 5)),
    (Prefix("code", "CP-2026-%"), ()),
    (Term("form", "VR"), (4, 5)),
    (Term("department", "CS"), (1, 3, 5)),
    (Term("year", "2026"), (1, 2, 3, 4, 5)),
    (Term("state", "closed"), ()),
    (DateSpan(NAIVE + timedelta(hours=2), NAIVE + timedelta(hours=3)), (2, 3)),
    (DateSpan(NAIVE + timedelta(hours=4, microseconds=1), None), (5,)),
    (DateSpan(None, NAIVE + timedelta(hours=1)), (1,)),
    (DateSpan(None, None), (1, 2, 3, 4, 5)),
    (All((Term("cjk", "外包"), Term("department", "CS"), Prefix("tail", "8765"))), (1,)),
    (Any((Term("cjk", "划痕"), Term("form", "VR"))), (2, 4, 5)),
    (Any((Term("cjk", "划痕"), Term("cjk", "上门"))), (2, 4)),
    (Any((Everything(), Term("cjk", "划痕"))), (1, 2, 3, 4, 5)),
    (All((Phrase("cjk", ("外包", "包装")), Any((Term("form", "VR"), Term("department", "CS"))))), (1,)),
    (Any(()), ()),
    (All(()), (1, 2, 3, 4, 5)),
    (Everything(), (1, 2, 3, 4, 5)),
    (Nothing(), ()),
    (All((Everything(), Nothing())), ()),
])
def test_every_kind_of_query(built: PostgresBackend, query: Query, expected: tuple[int, ...]) -> None:
    assert codes(built, query) == numbers(*expected)


def test_typed_text_and_facets(built: PostgresBackend) -> None:
    typed = text_query("外包")
    assert typed is not None
    found = built.find(typed, scope=None, facets=FACETS, newest_first=True, page=1, per_page=1)
    assert found.total == 2
    assert found.facets == {"form": {"CP": 2}, "year": {"2026": 2}, "state": {"submitted": 2},
                            "department": {"CS": 2}}
    body = "外包破了，装箱单缺失；订单SO-2026-88417 · 上海恒丰"
    assert found.page == (StoredHit("CP-2026-000003", "CP", "投诉 3", "submitted", "CS",
                                    MOMENT + timedelta(hours=3), body),)
    second = built.find(typed, scope=None, facets=(), newest_first=True, page=2, per_page=1)
    assert [hit.code for hit in second.page] == ["CP-2026-000001"] and second.facets == {}
    assert second.total == 2
    nothing = built.find(Nothing(), scope=None, facets=("form",), newest_first=False, page=1, per_page=5)
    assert (nothing.total, nothing.facets, nothing.page) == (0, {"form": {}}, ())


def test_relevance_counts_terms_and_without_terms_newest_first(built: PostgresBackend) -> None:
    query = Any((Term("cjk", "外包"), Term("cjk", "包装")))  # 1 holds both, 3 one
    found = built.find(query, scope=None, facets=(), newest_first=False, page=1, per_page=10)
    assert [hit.code for hit in found.page] == ["CP-2026-000001", "CP-2026-000003"]
    unscored = built.find(Prefix("code", "CP-"), scope=None, facets=(), newest_first=False, page=1,
                          per_page=10)
    assert [hit.code for hit in unscored.page] == ["CP-2026-000003", "CP-2026-000002", "CP-2026-000001"]


def test_scope_filters_totals_and_facets(built: PostgresBackend) -> None:
    department = built.find(Everything(), scope=Term("department", "CS"), facets=FACETS, newest_first=True,
                            page=1, per_page=10)
    assert department.total == 3 and department.facets["form"] == {"CP": 2, "VR": 1}
    assert department.facets["department"] == {"CS": 3}
    granted = Any((Term("code", "CP-2026-000002"), Term("code", "VR-2026-000004")))
    own = built.find(Term("cjk", "上海"), scope=Any((Term("department", "CS"), granted)), facets=FACETS,
                     newest_first=False, page=1, per_page=10)
    assert own.total == 5 and own.facets["department"] == {"CS": 3, "SALES": 1, "SERVICE": 1}
    assert built.find(Everything(), scope=Nothing(), facets=FACETS, newest_first=True, page=1,
                      per_page=10).facets == {name: {} for name in FACETS}


def test_put_replace_remove_are_idempotent(database: Database) -> None:
    backend = PostgresBackend(database)
    backend.build(DOCUMENTS[:2])
    changed = document(1, "SALES", "说明书缺失", revision=2)
    for _ in range(2):
        assert backend.put([changed, DOCUMENTS[2]]) == 2
        assert backend.indexed_revisions() == {"CP-2026-000001": 2, "CP-2026-000002": 1, "CP-2026-000003": 1}
        assert codes(backend, Term("cjk", "外包")) == numbers(3)
        assert codes(backend, Term("cjk", "说明")) == numbers(1)
    assert backend.put([]) == 0
    assert backend.remove(["CP-2026-000002", "CP-2026-000009"]) == 1
    assert backend.remove(["CP-2026-000002"]) == 0
    assert set(backend.indexed_revisions()) == {"CP-2026-000001", "CP-2026-000003"}


def test_problem_before_build_and_after_a_version_change(pg_server: PostgresServer, pg_template: str) -> None:
    db = Database(pg_server.create_database(template=pg_template))
    try:
        backend = PostgresBackend(db)
        assert "not been built" in (backend.problem() or "")
        for call in (lambda: backend.count(Everything()), lambda: backend.put(DOCUMENTS),
                     backend.indexed_revisions, lambda: backend.remove(["CP-2026-000001"])):
            with pytest.raises(BackendUnavailable, match="flask --app wsgi search rebuild"):
                call()
        backend.build(DOCUMENTS)
        assert backend.problem() is None
        with db.transaction() as session:
            session.execute(text("UPDATE search.meta SET version = '4 pg0'"))
        assert f"built with version 4 pg0, this Dossier reads {INDEX_VERSION}" in (backend.problem() or "")
        with pytest.raises(BackendUnavailable, match="search rebuild"):
            backend.find(Everything(), scope=None, facets=FACETS, newest_first=True, page=1, per_page=5)
        with db.transaction() as session:
            session.execute(text("DROP SCHEMA search CASCADE"))
        assert "db upgrade" in (backend.problem() or "")
        with pytest.raises(BackendUnavailable, match="db upgrade"):
            backend.count(Everything())
    finally:
        db.dispose()


def test_build_is_atomic(database: Database) -> None:
    """A search in another connection sees the old index until the rebuild commits."""
    backend = PostgresBackend(database)
    backend.build(DOCUMENTS[:2])
    seen: list[int] = []

    def during() -> Iterator[SearchDocument]:
        yield DOCUMENTS[4]
        seen.append(backend.count(Everything()))  # another pooled connection, mid-build
        seen.append(backend.count(Term("form", "VR")))

    steps: list[int] = []
    assert backend.build(during(), steps.append) == 1 and steps == [1]
    assert seen == [2, 0]
    assert backend.count(Everything()) == 1 and backend.count(Term("form", "VR")) == 1


HOSTILE = st.text(alphabet=st.sampled_from(list("'\"\\:*&|!<->()% _;-外包装客户1a")), min_size=1, max_size=12)


def hostile_fields(typed: str) -> dict[str, object]:
    """A document whose terms and keyword values are ``typed`` itself (as analysed fields
    given to build/put directly; the analysis would never make such terms)."""
    return {"code": "ZZ-2026-000009", "form": typed, "year": "2026", "state": "submitted",
            "department": typed, "submitted_at": NAIVE, "revision": 1,
            "title": typed, "body": typed, "cjk": ["猫" + typed], "words": ["zq" + typed + "x"], "tail": [],
            "cjk_text": ("猫" + typed).encode()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=HOSTILE)
def test_hostile_text_is_only_ever_a_value(built: PostgresBackend, typed: str) -> None:
    """Quotes, backslashes, tsquery operators and LIKE wildcards stay inside one lexeme, one
    value: a document holding exactly that text is the one found, and no other is."""
    built.put([hostile_fields(typed)])  # type: ignore[list-item]
    try:
        mine = {"ZZ-2026-000009"}
        assert codes(built, Term("cjk", "猫" + typed)) == mine
        assert codes(built, Prefix("words", "zq" + typed)) == mine
        assert codes(built, Term("words", "zq" + typed)) == set()
        assert codes(built, Term("department", typed)) == mine
        assert codes(built, Prefix("form", typed)) == mine
        assert codes(built, Prefix("code", typed)) == {c for c in numbers(1, 2, 3, 4, 5) | mine
                                                       if c.startswith(typed)}
        assert codes(built, Phrase("cjk", ("猫" + typed,))) == mine
        assert built.find(Term("cjk", "猫" + typed), scope=None, facets=("form",), newest_first=False, page=1,
                          per_page=5).facets == {"form": {typed: 1}}
    finally:
        built.remove(["ZZ-2026-000009"])


def test_pages_by_relevance_cover_every_match_once(database: Database,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The newest RANKED matches come first by relevance, the rest newest first; paging through
    gives every match once."""
    monkeypatch.setattr("search.postgres_backend.RANKED", 5)
    backend = PostgresBackend(database)
    monkeypatch.setattr("search.postgres_backend.BATCH", 10)
    steps: list[int] = []
    backend.build([document(n, "CS", "划痕" * (n % 4 + 1) + "，表面") for n in range(1, 24)], steps.append)
    assert steps == [10, 10, 3]  # as many as were written, a batch at a time
    query = Term("cjk", "划痕")
    pages = [backend.find(query, scope=None, facets=(), newest_first=False, page=page, per_page=4).page
             for page in range(1, 8)]
    seen = [hit.code for page in pages for hit in page]
    assert sorted(seen) == sorted(f"CP-2026-{n:06d}" for n in range(1, 24)) and not pages[-1]
    newest = {f"CP-2026-{n:06d}" for n in range(19, 24)}
    assert set(seen[:5]) == newest and seen[5:] == sorted(set(seen) - newest, reverse=True)
    assert seen[0] == "CP-2026-000023"  # the most 划痕 of the newest five (23 % 4 + 1 = 4)


def test_an_instance_that_searches_in_postgresql(pg_server: PostgresServer, pg_template: str,
                                                 instance_dir: Path, clock: FrozenClock) -> None:
    """SEARCH_BACKEND = "postgres": search check says to rebuild, rebuild indexes the records, the
    outbox indexes a new one, and the search service finds them within each user's scope."""
    app = make_app(pg_server.create_database(template=pg_template), clock, SEARCH_BACKEND="postgres")
    runner = app.test_cli_runner()
    try:
        unbuilt = runner.invoke(args=["search", "check"])
        assert unbuilt.exit_code == 1 and "flask --app wsgi search rebuild" in unbuilt.output
        first = submit_cp(app, customer_name="上海恒丰贸易", complaint="外包装破损，表面有划痕",
                          phone="13800138000")
        rebuilt = runner.invoke(args=["search", "rebuild", "--processes", "2"])
        assert "Search index rebuilt: 1 record(s)" in rebuilt.output, rebuilt.output
        clock.advance(days=1)
        second = submit_cp(app, "sales", customer_name="杭州远大", complaint="表面有划痕，要求退货")
        assert " 0 failed" in work_outbox(app)  # its PDF and its index entry (put)
        with app.app_context():
            s = services()
            assert current_backend().name == "postgres"

            def codes_for(username: str, typed: str) -> list[str]:
                result = search(s.db, s.clock, s.zone, current_backend(), actor_of(app, username), text=typed)
                return [hit.code for hit in result.hits]

            assert codes_for("admin", "划痕") == [second, first]
            assert codes_for("clerk", "划痕") == [first]
            assert codes_for("admin", "8000 外包装") == [first]
        assert runner.invoke(args=["search", "check"]).exit_code == 0
    finally:
        with app.app_context():
            services().db.dispose()


def tables_as_they_are(db: Database) -> dict[str, object]:
    """search.documents' and search.shown's indexes, constraints, storage parameters and column
    storage, as the catalogue says."""
    with db.reading() as session:
        return {
            "indexes": sorted(session.execute(text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'search'")).all()),
            "constraints": sorted(session.execute(text(
                "SELECT conrelid::regclass::text, conname, contype FROM pg_constraint "
                "WHERE connamespace = 'search'::regnamespace")).all()),
            "options": sorted(session.execute(text(
                "SELECT relname, reloptions FROM pg_class WHERE relnamespace = 'search'::regnamespace "
                "AND relkind = 'r'")).all(), key=str),
            "storage": sorted(session.execute(text(
                "SELECT attrelid::regclass::text, attname, attstorage, attnotnull FROM pg_attribute "
                "WHERE attrelid IN ('search.documents'::regclass, 'search.shown'::regclass) "
                "AND attnum > 0 AND NOT attisdropped")).all()),
        }


def test_a_rebuild_leaves_the_tables_as_the_migration_made_them(pg_server: PostgresServer,
                                                                 pg_template: str) -> None:
    db = Database(pg_server.create_database(template=pg_template))
    try:
        migrated = tables_as_they_are(db)
        assert ("search.documents", "documents_pkey", "p") in migrated["constraints"]  # type: ignore[operator]
        backend = PostgresBackend(db)
        backend.build(DOCUMENTS)
        backend.build(DOCUMENTS[:2])
        assert tables_as_they_are(db) == migrated
        assert codes(backend, Everything()) == numbers(1, 2)
    finally:
        db.dispose()
