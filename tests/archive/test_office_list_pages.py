"""The records office's long lists a page at a time (issue 16): the disposal due list, the
destruction lists, the review list's service, the legal holds and the filing queue. Each page
continues the list's order, a page past the end leads back to the first, each page is audited
with the codes it shows, titles stay masked for the records office, and every statement of
these lists is served by an index (the PostgreSQL twin: test_postgres_office_list_queries.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import select

from archive import disposal, filing, holds
from core.audit.models import AuditEvent
from core.clock import FrozenClock
from core.web import services
from forms import report_api
from tests.support.instance import VALID_CP, actor_of
from tests.support.lifecycle import DAYS_TO_2030, close_complaint, filed_complaints, new_complaint
from tests.support.office_lists import office_list_statements
from tests.support.query_plans import plan_of, scanned_tables

NAME, MASKED = VALID_CP["customer_name"], VALID_CP["customer_name"][0] + "***"


def last_list(app: Flask, name: str) -> dict:  # type: ignore[type-arg]
    with app.app_context(), services().db.reading() as session:
        details = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "record.list")
                                  .order_by(AuditEvent.seq.desc()))
        return next(d for d in details if d.get("list") == name)


def test_the_due_list_pages_in_order_audited_and_masked(app, clock, logged_in, token_for, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(disposal, "PER_PAGE", 2)
    codes = filed_complaints(app, 5)
    clock.current = clock.current.replace(microsecond=123456)
    clock.advance(days=DAYS_TO_2030)
    archivist = logged_in("archivist")
    first, second = archivist.get("/archive/disposal").text, archivist.get("/archive/disposal?page=2").text
    assert [c in first for c in codes] == [True, True, False, False, False]
    assert [c in second for c in codes] == [False, False, True, True, False]
    assert second.index(codes[2]) < second.index(codes[3])
    assert 'rel="prev"' in second and 'rel="next"' in second
    assert NAME not in second and MASKED in second
    assert last_list(app, "due-destroy") == {"list": "due-destroy", "codes": codes[2:4], "page": 2}
    last = archivist.get("/archive/disposal?page=3").text
    assert codes[4] in last and 'rel="next"' not in last
    assert archivist.get("/archive/disposal?page=4").location.endswith("/archive/disposal")
    api = app.test_client().get("/api/v1/archive/disposal/due?page=3", headers=token_for("archivist")).json
    assert ([r["code"] for r in api["records"]], api["page"], api["more"]) == (codes[4:], 3, False)


def test_a_list_proposed_from_page_two_and_the_lists_paged(app, clock, logged_in, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(disposal, "PER_PAGE", 2)
    monkeypatch.setattr(disposal, "LISTS_PER_PAGE", 1)
    codes = filed_complaints(app, 4)
    clock.advance(days=DAYS_TO_2030)
    with app.app_context():
        s = services()
        archivist = actor_of(app, "archivist")
        older = disposal.propose(s.db, s.clock, s.zone, archivist, codes[2:4], "第二页")
        newer = disposal.propose(s.db, s.clock, s.zone, archivist, codes[:1], "到期销毁")
    page = logged_in("archivist").get("/archive/disposal?lists=2").text
    assert f"DL-{older.id}" in page and f"DL-{newer.id}" not in page and 'rel="prev"' in page
    assert codes[1] in page and codes[0] not in page  # the due list: what no open list holds


def test_the_review_list_pages(app, clock, monkeypatch):  # type: ignore[no-untyped-def]
    codes = filed_complaints(app, 3)
    with app.app_context(), services().db.transaction() as session:  # their class ends in a review
        session.execute(filing.Record.__table__.update().values(end_action="review"))
    clock.advance(days=DAYS_TO_2030)
    with app.app_context():
        s = services()
        pages = [disposal.due_page(s.db, s.clock, s.zone, actor_of(app, "archivist"), action="review",
                                   page=n, per_page=2) for n in (1, 2)]
    assert [[d.code for d in p.items] for p in pages] == [codes[:2], codes[2:]]
    assert [p.more for p in pages] == [True, False]


def test_the_holds_page_by_page_with_their_records_counted(app, logged_in, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(holds, "HOLDS_PER_PAGE", 1)
    codes = [new_complaint(app) for _ in range(2)]
    with app.app_context():
        s = services()
        archivist = actor_of(app, "archivist")
        first = holds.create_hold(s.db, s.clock, archivist, name="诉讼甲", reason="起诉", owner="archivist")
        holds.add_records(s.db, s.clock, archivist, first.id, codes)
        holds.create_hold(s.db, s.clock, archivist, name="诉讼乙", reason="起诉", owner="archivist")
    client = logged_in("archivist")
    newest, older = client.get("/archive/holds").text, client.get("/archive/holds?page=2").text
    assert "诉讼乙" in newest and "诉讼甲" not in newest and 'rel="next"' in newest
    assert "诉讼甲" in older and "<td>2</td>" in older and 'rel="prev"' in older
    assert client.get("/archive/holds?page=3").location.endswith("/archive/holds")


def test_the_filing_queue_pages_oldest_first(app, clock, logged_in, token_for, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(filing, "QUEUE_PER_PAGE", 1)
    monkeypatch.setattr(report_api, "API_PER_PAGE", 1)
    waiting = []
    for minute in (1, 2):
        clock.current = datetime(2026, 3, 2, 1, 30 + minute, 0, 123456, tzinfo=UTC)
        waiting.append(new_complaint(app))
        close_complaint(app, waiting[-1], countersign=False)
    client = logged_in("archivist")
    first, second = client.get("/archive/").text, client.get("/archive/?page=2").text
    assert waiting[0] in first and waiting[1] not in first and 'rel="next"' in first
    assert waiting[1] in second and NAME not in second and MASKED in second
    assert last_list(app, "filing-queue") == {"list": "filing-queue", "codes": waiting[1:], "page": 2}
    api = app.test_client().get("/api/v1/archive/filing-queue?page=2", headers=token_for("archivist")).json
    assert [r["code"] for r in api["records"]] == waiting[1:] and api["more"] is False


def test_the_office_lists_read_nothing_whole(app: Flask, clock: FrozenClock) -> None:
    captured = office_list_statements(app, clock)
    # The holds are walked newest first by their key and stop after a page (SQLite names that
    # walk "SCAN legal_holds"): no sort, nothing read past the page.
    walks = [c for c in captured if "FROM legal_holds" in c[0]]
    assert walks and all("TEMP B-TREE" not in plan_of(app, *walk) for walk in walks)
    rest = [c for c in captured if c not in walks]
    assert rest and scanned_tables(app, rest) == {}
    for fragment, index in OFFICE_INDEXES.items():  # each list walks its own index (migration 0015)
        found = [c for c in rest if fragment in c[0]]
        assert found and all(index in plan_of(app, *c) for c in found), fragment


#: A fragment of each list's statement → the index that must serve it.
OFFICE_INDEXES = {"records.retention_until <": "ix_records_due", "UNION ALL": "ix_records_unfiled",
                  "records.form_code = ? AND records.submitted_at >=": "ix_records_form_month"}



def test_the_apis_holds_and_destruction_lists_are_each_ones_view(app: Flask, clock: FrozenClock) -> None:
    """list_holds and list_lists read every hold's codes and every list's items together;
    each entry is still what the hold's or the list's own page shows."""
    codes = filed_complaints(app, 3)
    clock.advance(days=DAYS_TO_2030)
    with app.app_context():
        s = services()
        archivist, admin = actor_of(app, "archivist"), actor_of(app, "admin")
        held = holds.create_hold(s.db, s.clock, archivist, name="诉讼甲", reason="起诉", owner="clerk")
        holds.add_records(s.db, s.clock, archivist, held.id, codes[:2])
        released = holds.create_hold(s.db, s.clock, archivist, name="诉讼乙", reason="起诉", owner="sales")
        holds.release_hold(s.db, s.clock, archivist, released.id, "已结案")
        rejected = disposal.propose(s.db, s.clock, s.zone, archivist, codes[2:], "到期销毁")
        disposal.decide(s.db, s.clock, admin, rejected.id, approve=False, reason="再等一年")
        proposed = disposal.propose(s.db, s.clock, s.zone, archivist, codes[2:], "到期销毁")
        assert holds.list_holds(s.db, archivist) == [holds.get_hold(s.db, archivist, h.id)
                                                     for h in (released, held)]
        assert disposal.list_lists(s.db, archivist) == [disposal.get_list(s.db, archivist, d.id)
                                                        for d in (proposed, rejected)]
        assert holds.list_holds(s.db, archivist)[1].codes == tuple(codes[:2])
