"""Holds and controlled disposal, end to end with the real services and a frozen clock: the due
list, a proposed and approved destruction list, a hold placed after approval, execution,
tombstones, the filed destruction register, and the review list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from archive import disposal, holds
from archive.disposal import DisposalRefused
from archive.models import Record, Rendition, Tombstone
from archive.office import KEEPERS
from archive.retention import ClassView, list_classes, update_class
from core.auth.roles import NotFound, PermissionDenied
from core.clock import FrozenClock
from core.web import services
from forms.registers import disposal_hooks
from tests.support.destruction import witness
from tests.support.instance import actor_of
from tests.support.lifecycle import DAYS_TO_2030, filed_complaints, work_outbox


def due(app: Flask, action: str = "destroy") -> list[str]:
    with app.app_context():
        s = services()
        return [d.code for d in disposal.due_list(s.db, s.clock, s.zone, actor_of(app, "archivist"),
                                                  action=action)]


def test_nothing_is_due_before_the_last_day_and_everything_after(app: Flask,
                                                                  clock: FrozenClock) -> None:
    codes = filed_complaints(app, 2)
    clock.advance(days=DAYS_TO_2030 - 1)  # 31 December 2029: still kept
    assert due(app) == []
    clock.advance(days=1)
    assert due(app) == codes


def test_an_approved_list_is_executed_except_what_a_later_hold_reaches(app: Flask,
                                                                       clock: FrozenClock) -> None:
    kept, destroyed = filed_complaints(app, 2)
    clock.advance(days=DAYS_TO_2030)
    with app.app_context():
        s = services()
        archivist, admin = actor_of(app, "archivist"), actor_of(app, "admin")
        listed = disposal.propose(s.db, s.clock, s.zone, archivist, [kept, destroyed], "2029 年到期客诉")
        assert due(app) == []  # on an open list: not proposed twice
        with pytest.raises(PermissionDenied):
            disposal.decide(s.db, s.clock, archivist, listed.id, approve=True)
        disposal.decide(s.db, s.clock, admin, listed.id, approve=True)
        witness(app, listed.id)
        hold = holds.create_hold(s.db, s.clock, archivist, name="诉讼 2030-01", reason="客户起诉",
                                 owner="archivist")
        holds.add_records(s.db, s.clock, archivist, hold.id, [kept])
        paths = list(_paths(app, destroyed))
        hooks = disposal_hooks(s.db, s.clock, s.zone)
        done = disposal.execute(s.db, s.clock, s.zone, archivist, listed.id, hooks)
    assert done.state == "executed" and dict(done.items) == {kept: "held", destroyed: "destroyed"}
    with app.app_context(), services().db.reading() as session:
        assert session.scalar(select(Record).where(Record.code == destroyed)) is None
        assert session.scalar(select(Record).where(Record.code == kept)) is not None
        tomb = session.scalar(select(Tombstone).where(Tombstone.code == destroyed))
        assert tomb.retention_class == "complaint-3y" and tomb.retention_until == date(2029, 12, 31)
        assert tomb.disposal_list_id == done.id
        assert session.scalars(select(Rendition).join(Record)).all()  # the kept one's copies stay
    assert all(p.exists() for p in paths)  # files go after commit
    work_outbox(app)
    assert not any(p.exists() for p in paths)
    with app.app_context(), services().db.reading() as session:  # the register is filed, permanently
        register = session.scalar(select(Record).where(Record.code == done.register_code))
        assert register.form_code == "DD" and register.filed_at is not None
        assert register.retention_until is None and register.end_action == "permanent"
        assert [i["code"] for i in register.data["items"]] == [kept, destroyed]
        assert "上海恒丰" not in str(register.data)  # no personal data in the register


def test_a_released_hold_lets_the_record_go_on_the_next_list(app: Flask, clock: FrozenClock) -> None:
    [code] = filed_complaints(app, 1)
    with app.app_context():
        s = services()
        archivist = actor_of(app, "archivist")
        hold = holds.create_hold(s.db, s.clock, archivist, name="审计", reason="年度审计", owner="admin")
        holds.add_records(s.db, s.clock, archivist, hold.id, [code])
        clock.advance(days=DAYS_TO_2030)
        assert due(app) == []
        with pytest.raises(DisposalRefused, match=code):
            disposal.propose(s.db, s.clock, s.zone, archivist, [code], "到期")
        released = holds.release_hold(s.db, s.clock, archivist, hold.id, "审计结束")
        assert not released.active
    assert due(app) == [code]


def test_holds_refuse_unknown_codes_and_bad_values(app: Flask) -> None:
    with app.app_context():
        s = services()
        archivist = actor_of(app, "archivist")
        with pytest.raises(holds.InvalidHold) as bad:
            holds.create_hold(s.db, s.clock, archivist, name="", reason="", owner="nobody")
        assert set(bad.value.errors) == {"name", "reason", "owner"}
        hold = holds.create_hold(s.db, s.clock, archivist, name="x", reason="y", owner="archivist")
        with pytest.raises(holds.InvalidHold, match="CP-2026-999999"):
            holds.add_records(s.db, s.clock, archivist, hold.id, ["CP-2026-999999"])
        with pytest.raises(PermissionDenied):
            holds.create_hold(s.db, s.clock, actor_of(app, "clerk"), name="x", reason="y", owner="clerk")
        with pytest.raises(NotFound):
            holds.release_hold(s.db, s.clock, archivist, 999, "z")
    assert {k.value for k in KEEPERS} == {"archivist", "admin"}


def test_a_review_class_reaches_the_review_list_and_the_archivist_decides(app: Flask,
                                                                         clock: FrozenClock) -> None:
    kept, cleared = filed_complaints(app, 2)
    with app.app_context():
        s = services()
        admin, archivist = actor_of(app, "admin"), actor_of(app, "archivist")
        [cls] = [c for c in _classes(app) if c.code == "complaint-3y"]
        update_class(s.db, s.clock, admin, cls.code, {**cls.values(), "action": "review"}, zone=s.zone)
        hold = holds.create_hold(s.db, s.clock, archivist, name="复核诉讼", reason="客户起诉",
                                 owner="archivist")
        holds.add_records(s.db, s.clock, archivist, hold.id, [kept])
        clock.advance(days=DAYS_TO_2030)
        assert due(app) == [] and due(app, "review") == [kept, cleared]
        listed = disposal.due_list(s.db, s.clock, s.zone, archivist, action="review")
        assert [d.held for d in listed] == [True, False]  # the review list says which are held
        until = disposal.review(s.db, s.clock, s.zone, archivist, kept, keep_years=2, reason="典型案例")
        assert until == date(2031, 12, 31)
        disposal.review(s.db, s.clock, s.zone, archivist, cleared, keep_years=0, reason="无保留价值")
        with pytest.raises(DisposalRefused, match="理由"):
            disposal.review(s.db, s.clock, s.zone, archivist, kept, keep_years=1, reason=" ")
    assert due(app, "review") == [] and due(app) == [cleared]


def _classes(app: Flask) -> list[ClassView]:
    return list_classes(services().db)


def _paths(app: Flask, code: str) -> list[Path]:
    with services().db.reading() as session:
        rows = session.scalars(select(Rendition.path).join(Record).where(Record.code == code)).all()
    return [Path(app.instance_path) / "renditions" / p for p in rows]


def test_a_record_whose_schedule_changed_after_the_proposal_is_not_destroyed(app: Flask,
                                                                               clock: FrozenClock) -> None:
    """The list is a proposal; the schedule at the moment of destruction decides: a class made
    longer after the proposal keeps its records, and the register says so."""
    kept, destroyed = filed_complaints(app, 2)
    clock.advance(days=DAYS_TO_2030)
    with app.app_context():
        s = services()
        archivist, admin = actor_of(app, "archivist"), actor_of(app, "admin")
        listed = disposal.propose(s.db, s.clock, s.zone, archivist, [kept, destroyed], "到期")
        disposal.decide(s.db, s.clock, admin, listed.id, approve=True)
        witness(app, listed.id)
        with s.db.transaction() as session:  # as if its class had been edited to keep 10 years
            session.scalar(select(Record).where(Record.code == kept)).retention_until = date(2036, 12, 31)
        hooks = disposal_hooks(s.db, s.clock, s.zone)
        done = disposal.execute(s.db, s.clock, s.zone, archivist, listed.id, hooks)
    assert dict(done.items) == {kept: "kept", destroyed: "destroyed"}
    with app.app_context(), services().db.reading() as session:
        assert session.scalar(select(Record).where(Record.code == kept)) is not None
        assert session.scalar(select(Tombstone).where(Tombstone.code == kept)) is None
        register = session.scalar(select(Record).where(Record.code == done.register_code))
        outcomes = {i["code"]: i["outcome"] for i in register.data["items"]}
        assert outcomes == {kept: "kept", destroyed: "destroyed"}
        assert register.data["destroyed_count"] == 1


def test_a_class_changed_to_review_after_the_proposal_keeps_its_records(app: Flask,
                                                                        clock: FrozenClock) -> None:
    [code] = filed_complaints(app, 1)
    clock.advance(days=DAYS_TO_2030)
    with app.app_context():
        s = services()
        archivist, admin = actor_of(app, "archivist"), actor_of(app, "admin")
        listed = disposal.propose(s.db, s.clock, s.zone, archivist, [code], "到期")
        [cls] = [c for c in list_classes(s.db) if c.code == "complaint-3y"]
        values = {name: getattr(cls, name) for name in ("name_zh", "name_en", "years", "months", "trigger",
                                                         "event_field", "at_year_end", "mandate")}
        update_class(s.db, s.clock, admin, "complaint-3y", {**values, "action": "review"}, zone=s.zone)
        disposal.decide(s.db, s.clock, admin, listed.id, approve=True)
        witness(app, listed.id)
        hooks = disposal_hooks(s.db, s.clock, s.zone)
        done = disposal.execute(s.db, s.clock, s.zone, archivist, listed.id, hooks)
    assert dict(done.items) == {code: "kept"}
    assert due(app, "review") == [code]
