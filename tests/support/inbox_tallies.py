"""The record tallies and the inbox checked against brute force, after every kind of write.

:func:`check` compares the tallies the database keeps (``record_tallies``, moved by triggers)
with a GROUP BY over the records, and for every test user the navigation's count and the inbox
page's total and codes with the records the workflow itself (:func:`forms.workflow.permitted`,
record by record) says wait for them. :func:`walk_write_paths` takes an instance through every
write path the records table has (submission, each workflow action, correction, filing,
anonymisation, the deadline tick, disposal, statements touching several records) and checks
after each; import and restore are checked by the engine's own test module. :func:`inbox_plans`
asks the database how it answers the inbox page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from flask import Flask
from sqlalchemy import func, select, text, update

from archive import disposal
from archive.models import Record
from archive.records import may_see
from archive.tallies import NO_DEPARTMENT, RecordTally
from core.auth.models import User
from core.clock import FrozenClock
from core.web import services
from forms.anonymise import anonymise_record
from forms.inbox import inbox, inbox_count
from forms.printing import CORRECTION
from forms.registers import disposal_hooks
from forms.versions import spec_version
from forms.workflow import permitted
from tests.support.destruction import witness
from tests.support.instance import TEST_USERS, actor_of, login
from tests.support.lifecycle import CLASSIFIED, close_complaint, new_complaint, step, work_outbox
from tests.support.query_plans import long_history, plan_of, scanned_tables, statements

AR = {"applicant_department": "CS", "records_wanted": "CP-2026-000001", "purpose": "audit",
      "reason": "审计", "period_from": "2026-03-02", "period_to": "2026-03-09"}
VISIT = {"visit_date": "2026-03-02", "customer_name": "周女士", "phone": "13700001111",
         "needs": "三居室", "receiving_staff": "sales"}
SEEN = ("code", "form_code", "form_version", "state", "countersigned_at", "department_id")
#: The tally key of a record row, as the triggers compute it.
KEY = ("form_code", "form_version", "state", "department_id", "countersigned", "submitted_by_id")


def kept_tallies(app: Flask) -> dict[tuple[Any, ...], int]:
    with app.app_context(), services().db.reading() as session:
        rows = session.execute(select(RecordTally).where(RecordTally.n != 0)).scalars()
        return {tuple(getattr(r, k) for k in KEY): r.n for r in rows}


def counted_tallies(app: Flask) -> dict[tuple[Any, ...], int]:
    signed = Record.countersigned_at.is_not(None)
    department = func.coalesce(Record.department_id, NO_DEPARTMENT)
    with app.app_context(), services().db.reading() as session:
        rows = session.execute(select(Record.form_code, Record.form_version, Record.state, department, signed,
                                      Record.submitted_by_id, func.count()).group_by(
            Record.form_code, Record.form_version, Record.state, department, signed, Record.submitted_by_id))
        return {(f, v, s, d, bool(c), u): n for f, v, s, d, c, u, n in rows}


def waiting_by_workflow(app: Flask, username: str) -> set[str]:
    """The codes waiting for ``username``, record by record, as the workflow decides."""
    actor = actor_of(app, username)
    with app.app_context():
        db = services().db
        with db.reading() as session:
            rows = session.execute(select(Record, User.username)
                                   .join(User, User.id == Record.submitted_by_id)).all()
            seen = [(SimpleNamespace(**{c: getattr(record, c) for c in SEEN}), submitter)
                    for record, submitter in rows]
        found = set()
        for record, submitter in seen:
            if not may_see(actor, record):  # type: ignore[arg-type]
                continue
            view = SimpleNamespace(form_code=record.form_code, submitted_by=submitter)
            for transition in spec_version(db, record.form_code, record.form_version).workflow.transitions:
                given = transition.stamp == "countersign" and record.countersigned_at is not None
                if (record.state in transition.from_states and transition.task
                        and transition.name != CORRECTION and not given
                        and permitted(actor, view, transition)):  # type: ignore[arg-type]
                    found.add(record.code)
    return found


def check(app: Flask, after: str) -> None:
    """The kept tallies equal a count of the records; every user's count, inbox total and inbox
    codes equal what the workflow says waits for them."""
    assert kept_tallies(app) == counted_tallies(app), f"tallies after {after}"
    with app.app_context(), services().db.reading() as session:
        present = set(session.scalars(select(User.username)))
    for username in sorted(present & set(TEST_USERS)):
        expected = waiting_by_workflow(app, username)
        actor = actor_of(app, username)
        with app.app_context():
            s = services()
            count = inbox_count(s.db, actor)
            tasks, total = inbox(s.db, s.clock, actor)
        assert count == total == len(expected), f"{username}'s count after {after}"
        assert {t.code for t in tasks} == expected, f"{username}'s inbox after {after}"


def submit(app: Flask, username: str, form: str, data: dict[str, Any]) -> str:
    from forms.submission import submit as submit_form

    with app.app_context():
        s = services()
        return submit_form(s.db, s.clock, s.zone, actor_of(app, username), form, data).code


def walk_write_paths(app: Flask, clock: FrozenClock) -> list[str]:
    """Every write path of the records table, each followed by :func:`check`; the steps' names."""
    done: list[str] = []

    def checked(name: str) -> None:
        check(app, name)
        done.append(name)

    cp, other = new_complaint(app), new_complaint(app, customer_name="北京宏达")
    ar = submit(app, "clerk", "AR", AR)
    submit(app, "sales", "VR", VISIT)
    submit(app, "sales", "AR", {**AR, "applicant_department": "SALES"})
    checked("submissions")
    for action, who, fields, reason in [
            ("countersign", "supervisor", {}, ""), ("return", "supervisor", {}, "补订单号"),
            ("complete", "clerk", {}, ""), ("classify", "supervisor", CLASSIFIED, ""),
            ("correct", "clerk", {"complaint": "划痕与破损"}, "笔误")]:
        step(app, cp, action, who, fields, reason)
        checked(action)
    step(app, ar, "approve", "archivist")
    checked("approve")
    close_complaint(app, other)
    checked("close and countersign")
    work_outbox(app)
    checked("filing")
    clock.advance(days=1)
    app.test_cli_runner().invoke(args=["workflow", "tick"])
    checked("deadline tick")
    _anonymise(app, clock, other)
    checked("anonymisation")
    _destroy(app, clock, other)
    checked("disposal")
    _several_at_once(app)
    checked("statements on several records")
    return done


def _anonymise(app: Flask, clock: FrozenClock, code: str) -> None:
    """Filed long ago (the date set as tests/forms/test_anonymise.py does), then anonymised."""
    with app.app_context(), services().db.transaction() as session:
        session.execute(update(Record).where(Record.code == code).values(
            filed_at=datetime(2022, 3, 1, tzinfo=UTC)))
    with app.app_context():
        s = services()
        assert anonymise_record(s.db, s.clock, s.zone, actor_of(app, "archivist"), code)


def _destroy(app: Flask, clock: FrozenClock, code: str) -> None:
    """Past its retention: proposed, approved and executed (the register is a new record)."""
    with app.app_context(), services().db.transaction() as session:
        session.execute(update(Record).where(Record.code == code).values(
            retention_until=datetime(2026, 1, 1).date(), end_action="destroy"))
    with app.app_context():
        s = services()
        archivist = actor_of(app, "archivist")
        listed = disposal.propose(s.db, s.clock, s.zone, archivist, [code], "到期销毁")
        disposal.decide(s.db, s.clock, actor_of(app, "admin"), listed.id, approve=True)
        witness(app, listed.id)
        hooks = disposal_hooks(s.db, s.clock, s.zone)
        done = disposal.execute(s.db, s.clock, s.zone, archivist, listed.id, hooks)
    assert dict(done.items) == {code: "destroyed"}
    work_outbox(app)


def _several_at_once(app: Flask) -> None:
    """Statements moving several records between kinds at once (the access requests' department
    cleared, every countersignature withdrawn), as an administrator's repair would."""
    with app.app_context(), services().db.transaction() as session:
        session.execute(text("UPDATE records SET department_id = NULL WHERE form_code = 'AR'"))
        session.execute(text("UPDATE records SET countersigned_at = NULL"))


def inbox_plans(app: Flask) -> dict[str, dict[str, str]]:
    """username → the growing tables read whole while the inbox page (and its count) is served;
    and the plans of the inbox's merged statement, under "plans"."""
    first = new_complaint(app)
    close_complaint(app, new_complaint(app), countersign=False)
    submit(app, "clerk", "AR", AR)
    submit(app, "sales", "VR", VISIT)
    step(app, first, "return", "supervisor", {}, "补订单号")
    long_history(app)  # and ANALYZE
    found: dict[str, dict[str, str]] = {"plans": {}}
    for username in ("supervisor", "clerk", "archivist", "auditor"):
        client = app.test_client()
        login(client, username)
        with statements(app) as seen:
            assert client.get("/inbox").status_code == 200
        found[username] = scanned_tables(app, seen)
        merged = [(sql, params) for sql, params in seen if "UNION ALL" in sql]
        if merged:
            found["plans"][username] = plan_of(app, *merged[0])
    return found
