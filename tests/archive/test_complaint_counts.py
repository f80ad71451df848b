"""The kept complaint counts (migration 0013's triggers) against a brute-force recount after every
kind of write, on SQLite and PostgreSQL: submit either side of a week boundary in the office's
zone (to the microsecond), classify, the other workflow steps, a correction (勘误), the deadline
tick and the clock alone, filing, anonymisation, destruction, import and restore. The weekly
statistics read from them must equal what the old page computed from every complaint, and the
catalogue's kept count of filed records per volume a count of the records."""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from archive import disposal
from archive.models import CatalogueVolume, Record
from archive.overdue import overdue_since
from archive.retention import ensure_defaults
from core import db_schema
from core.audit import trail
from core.auth import accounts
from core.auth.departments import ensure_default_departments
from core.clock import FrozenClock
from core.web import services
from forms import versions
from forms.complaint_counts import DIMENSIONS, UNSET, ensure_counted, week_start
from forms.models import ComplaintCount, ComplaintWeek
from forms.registers import disposal_hooks
from forms.spec.library import load_or_fail
from forms.statistics import MAX_WEEKS, complaint_stats
from tests.support.destruction import witness
from tests.support.instance import PASSWORD, actor_of, make_app
from tests.support.lifecycle import new_complaint, step, work_outbox

ENGINES = [pytest.param("app", id="sqlite"),
           pytest.param("pg_app", id="postgresql", marks=pytest.mark.postgres)]
READERS = ("auditor", "supervisor", "sales_boss")
#: Sunday 1 March 2026, 23:59:59.999999 in Shanghai: one microsecond before a week begins.
LAST_MOMENT = datetime(2026, 3, 1, 15, 59, 59, 999999, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(LAST_MOMENT)


def kept(app: Flask) -> dict[tuple[Any, ...], tuple[int, int]]:
    """The kept counts, rows counted down to nothing left out."""
    with app.app_context(), services().db.reading() as session:
        rows = session.execute(select(ComplaintCount)).scalars().all()
        assert all(r.records >= 0 and 0 <= r.late <= r.records for r in rows)
        return {(r.week, r.department_id, r.dimension, r.value): (r.records, r.late)
                for r in rows if r.records}


def recounted(app: Flask) -> dict[tuple[Any, ...], tuple[int, int]]:
    """The same counts from every complaint, in Python."""
    found: Counter[tuple[Any, ...]] = Counter()
    late: Counter[tuple[Any, ...]] = Counter()
    with app.app_context(), services().db.reading() as session:
        zone = services().zone
        for r in session.scalars(select(Record).where(Record.form_code == "CP")):
            week = week_start(r.submitted_at.astimezone(zone).date())
            keys = [("*", ""), *((d, str(r.data.get(d) or UNSET)) for d in DIMENSIONS)]
            if r.due_at and not r.deadline_met_at and not r.overdue_at:  # running: by the day it falls due
                keys.append(("due", r.due_at.date().isoformat()))
            for dimension, value in keys:
                key = (week, r.department_id or 0, dimension, value)
                found[key] += 1
                met_late = r.deadline_met_at is not None and r.deadline_met_at > r.due_at
                late[key] += bool(r.due_at and (r.overdue_at or met_late))
    return {key: (n, late[key]) for key, n in found.items()}


def kept_volumes(app: Flask) -> dict[tuple[str, int, str], int]:
    with app.app_context(), services().db.reading() as session:
        rows = session.scalars(select(CatalogueVolume)).all()
        assert all(r.records >= 0 for r in rows)
        return {(r.form_code, r.year, r.volume): r.records for r in rows if r.records}


def recounted_volumes(app: Flask) -> dict[tuple[str, int, str], int]:
    with app.app_context(), services().db.reading() as session:
        return dict(Counter((r.form_code, r.year, r.volume or "") for r in session.scalars(
            select(Record).where(Record.filed_at.is_not(None)))))


def old_statistics(app: Flask, who: str) -> list[tuple[Any, ...]]:
    """What the statistics page computed before the kept counts: every complaint of the period."""
    with app.app_context(), services().db.reading() as session:
        s, actor = services(), actor_of(app, who)
        now = s.clock.now()
        first = week_start(now.astimezone(s.zone).date()) - timedelta(weeks=MAX_WEEKS - 1)
        weeks = {first + timedelta(weeks=n): [0, 0, {d: Counter() for d in DIMENSIONS}]
                 for n in range(MAX_WEEKS)}
        for r in session.scalars(select(Record).where(Record.form_code == "CP")):
            week = weeks.get(week_start(r.submitted_at.astimezone(s.zone).date()))
            if week is None or not (actor.sees_all_departments or r.department_id == actor.department_id):
                continue
            week[0] += 1
            week[1] += overdue_since(r.due_at, r.deadline_met_at, r.overdue_at, now) is not None
            for d in DIMENSIONS:
                week[2][d][str(r.data.get(d) or UNSET)] += 1
    return [(start, total, overdue, by) for start, (total, overdue, by) in weeks.items()]


def agree(app: Flask) -> None:
    """The kept counts equal the recount, and each reader's statistics the old page's."""
    with app.app_context():
        s = services()
        shown = {who: complaint_stats(s.db, s.clock, s.zone, actor_of(app, who), weeks=MAX_WEEKS, locale="en")
                 for who in READERS}
    assert kept(app) == recounted(app)
    assert kept_volumes(app) == recounted_volumes(app)
    for who, stats in shown.items():
        assert [(w.start, w.total, w.overdue, {d: +w.by[d] for d in DIMENSIONS}) for w in stats.weeks] == \
            old_statistics(app, who), who


def destroy(app: Flask, code: str) -> None:
    with app.app_context():
        s = services()
        archivist = actor_of(app, "archivist")
        listed = disposal.propose(s.db, s.clock, s.zone, archivist, [code], "到期销毁")
        disposal.decide(s.db, s.clock, actor_of(app, "admin"), listed.id, approve=True)
        witness(app, listed.id)
        hooks = disposal_hooks(s.db, s.clock, s.zone)
        done = disposal.execute(s.db, s.clock, s.zone, archivist, listed.id, hooks)
    assert dict(done.items) == {code: "destroyed"}


def lifetime(app: Flask, clock: FrozenClock) -> dict[str, str]:
    """Complaints through every kind of write, the counts checked after each."""
    agree(app)  # builds the weeks and counts (none yet)
    sunday = new_complaint(app, channel="visit")  # the last microsecond of a week
    clock.advance(microseconds=2)
    monday = new_complaint(app, channel="online")  # the first of the next
    other = new_complaint(app)
    agree(app)
    assert {(week, n) for (week, _d, dimension, _v), (n, _late) in kept(app).items() if dimension == "*"} == {
        (date(2026, 2, 23), 1), (date(2026, 3, 2), 2)}  # either side of Monday 00:00 in Shanghai
    step(app, sunday, "classify", "supervisor", {"cause_class": "quality", "level": "1",
                                                 "responsible_department": "CS"})
    step(app, monday, "classify", "supervisor", {"cause_class": "non_quality", "level": "2",
                                                 "responsible_department": "QA"})
    step(app, other, "return", "supervisor", reason="请补充订单信息")
    agree(app)
    step(app, other, "complete", "clerk", {"order_no": "SO-2026-0001"})
    step(app, sunday, "investigate", "clerk", {"investigation": "抽检"})
    step(app, sunday, "respond", "clerk", {"root_cause": "运输", "corrective_action": "加固",
                                           "customer_reply": "已回复"})  # met in time
    agree(app)
    # the unclassified one's deadline passed today: received Monday 09:00, 5 working hours: 15:00
    # in Shanghai, 07:00 UTC (CP v6 counts working time)
    clock.current = datetime(2026, 3, 2, 8, 0, 0, 1, tzinfo=UTC)
    agree(app)
    assert [(w[0], w[2]) for w in old_statistics(app, "auditor") if w[1]][-1] == (date(2026, 3, 2), 1)
    clock.advance(days=3)  # the others' deadlines passed days ago: overdue by the clock alone
    agree(app)
    assert "Marked" in app.test_cli_runner().invoke(args=["workflow", "tick"]).output
    agree(app)  # now late for good
    step(app, monday, "correct", "supervisor", {"channel": "phone", "level": "3"}, reason="渠道记错")
    step(app, sunday, "correct", "clerk", {"channel": "head_office"}, reason="渠道记错")
    agree(app)
    step(app, sunday, "close", "supervisor", {"customer_accepted": True})
    step(app, sunday, "countersign", "supervisor")
    work_outbox(app)  # the archival copy, then filing
    agree(app)
    step(app, monday, "investigate", "clerk", {"investigation": "抽检"})
    step(app, monday, "respond", "clerk", {"root_cause": "运输", "corrective_action": "加固",
                                           "customer_reply": "已回复"})  # met, late
    step(app, monday, "close", "supervisor", {"customer_accepted": True})
    step(app, monday, "countersign", "supervisor")
    work_outbox(app)
    with app.app_context(), services().db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Record).where(
            Record.code.in_([sunday, monday]), Record.filed_at.is_not(None))) == 2
    agree(app)
    clock.current = datetime(2029, 6, 1, 1, 0, 0, 654321, tzinfo=UTC)
    result = app.test_cli_runner().invoke(args=["personal", "anonymise", "--by", "archivist"])
    assert "2 record(s) anonymised" in result.output, result.output
    agree(app)
    clock.current = datetime(2030, 1, 2, 1, 0, 0, 654321, tzinfo=UTC)
    destroy(app, sunday)
    agree(app)
    assert not [key for key in kept(app) if key[0] == date(2026, 2, 23)]  # that week's only one went
    clock.current = LAST_MOMENT + timedelta(days=20)
    agree(app)  # the statistics of those weeks again
    return {"monday": monday, "other": other}


@pytest.mark.parametrize("engine", ENGINES)
def test_the_kept_counts_follow_every_kind_of_write(engine: str, request: pytest.FixtureRequest,
                                                    clock: FrozenClock) -> None:
    app = request.getfixturevalue(engine)
    lifetime(app, clock)
    with app.app_context(), services().db.reading() as session:
        assert session.scalar(select(ComplaintWeek.zone).limit(1)) == "Asia/Shanghai"


def empty_instance(url: str, clock: FrozenClock) -> Flask:
    """A new instance as `flask init` and one `users create` leave it."""
    target = make_app(url, clock)
    with target.app_context():
        s = services()
        db_schema.upgrade(s.db)
        ensure_default_departments(s.db)
        ensure_defaults(s.db, s.clock)
        versions.register_specs(s.db, s.clock, load_or_fail())
        accounts.create_user(s.db, s.clock, username="admin", password=PASSWORD, role="admin",
                             department_code="ARCHIVE")
    return target


@pytest.mark.parametrize("engine", ENGINES)
def test_imported_complaints_are_counted(engine: str, request: pytest.FixtureRequest, clock: FrozenClock,
                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = request.getfixturevalue(engine)
    lifetime(app, clock)
    out = tmp_path / "export"
    exported = app.test_cli_runner().invoke(args=["archive", "export", "--lang", "en", "--out", str(out),
                                                  "--by", "archivist"])
    assert exported.exit_code == 0, exported.output
    monkeypatch.setenv("DOSSIER_INSTANCE", str(tmp_path / "target"))
    url = (request.getfixturevalue("pg_server").create_database() if engine == "pg_app"
           else f"sqlite:///{tmp_path}/target.sqlite3")
    target = empty_instance(url, clock)
    with target.app_context():
        ensure_counted(services().db, services().zone)  # as `flask init` does: the triggers count the import
    imported = target.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
    assert imported.exit_code == 0, imported.output
    assert kept(target) == recounted(target) == recounted(app) and kept(target)
    assert kept_volumes(target) == recounted_volumes(target) == recounted_volumes(app)
    with target.app_context():
        services().db.dispose()


def test_a_restored_instance_keeps_its_counts(app: Flask, clock: FrozenClock, tmp_path: Path) -> None:
    lifetime(app, clock)
    before = kept(app)
    backup = app.test_cli_runner().invoke(args=["archive", "backup",
                                                "--lang", "en", "--out", str(tmp_path / "backup")])
    assert backup.exit_code == 0, backup.output
    instance = Path(app.instance_path)
    with app.app_context():
        services().db.dispose()
    for name in ("dossier.sqlite3", "dossier.sqlite3-wal", "dossier.sqlite3-shm"):
        (instance / name).unlink(missing_ok=True)
    shutil.rmtree(instance / "renditions")
    restored = app.test_cli_runner().invoke(args=["archive", "restore",
                                                  "--lang", "en", str(tmp_path / "backup")])
    assert restored.exit_code == 0, restored.output
    assert kept(app) == before == recounted(app)
    assert kept_volumes(app) == recounted_volumes(app)
    agree(app)


def test_another_zone_rebuilds_the_weeks_and_the_counts(app: Flask, clock: FrozenClock) -> None:
    lifetime(app, clock)
    database = Path(app.instance_path) / "dossier.sqlite3"
    with app.app_context():
        services().db.dispose()
    london = make_app(f"sqlite:///{database}", clock, TIMEZONE="Europe/London")
    agree(london)
    # Monday 00:00:00.000001 in Shanghai is Sunday afternoon in London
    assert {key[0] for key in kept(london)} == {date(2026, 2, 23)}
    with london.app_context(), services().db.reading() as session:
        assert session.scalar(select(ComplaintWeek.zone).limit(1)) == "Europe/London"
    with london.app_context():
        services().db.dispose()


@pytest.mark.postgres
def test_a_writer_waiting_for_the_audit_head_holds_no_count_row(pg_app: Flask) -> None:
    """One transaction holds the audit head, then marks a complaint overdue (its week's counts
    move); a complaint of the same week and department submitted meanwhile inserts its record,
    then waits for the head. Had its count rows been taken at the insert, each would wait for
    the other (PostgreSQL ends one as a deadlock); taken at commit, both go through."""
    listed = new_complaint(pg_app)
    agree(pg_app)  # the weeks are filled: the triggers count
    holding, go = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def hold_the_head() -> None:
        try:
            with pg_app.app_context(), services().db.transaction() as session:
                trail.append(session, at=services().clock.now(), actor=None, action="test.hold",
                             object_type="record", object_id=listed)
                holding.set()
                go.wait(10)
                session.execute(update(Record).where(Record.code == listed).values(
                    due_at=services().clock.now(), overdue_at=services().clock.now()))
            outcome["holder"] = "committed"
        except Exception as exc:  # handed to the test to assert on
            outcome["holder"] = exc

    def submit_one() -> None:
        try:
            outcome["waiter"] = new_complaint(pg_app)
        except Exception as exc:
            outcome["waiter"] = exc

    holder = threading.Thread(target=hold_the_head)
    holder.start()
    assert holding.wait(10)
    waiter = threading.Thread(target=submit_one)
    waiter.start()
    waiter.join(1.0)
    assert waiter.is_alive(), "the submission went ahead while the audit head was held"
    go.set()
    holder.join(15)
    waiter.join(15)
    assert outcome == {"holder": "committed", "waiter": "CP-2026-000002"}
    agree(pg_app)
