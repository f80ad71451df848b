"""The periodic jobs the outbox worker runs (issue 15, item 3): one worker pass runs every due
job on a frozen clock; a second worker leaves alone a job whose lease another holds (and takes
it once that lease has run out); ``flask jobs`` lists each job's schedule, last run and result;
the schedule comes from the instance config's ``[jobs]`` table."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from archive.models import Record
from core.audit.models import AuditEvent
from core.clock import FrozenClock
from core.config import instance_paths, load_config
from core.outbox import jobs
from core.outbox.cli import app_worker
from core.outbox.jobs import Outcome, register_job
from core.outbox.worker import OutboxWorker
from core.web import services
from tests.support.instance import VALID_CP

T0 = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
JOB_NAMES = ["audit_checkpoint", "deadline_tick", "fixity_verify", "notify_digest", "notify_outbox_failing",
             "outbox_prune", "personal_anonymise"]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


def late_complaint(client, token_for) -> str:  # type: ignore[no-untyped-def]
    received = (T0 - timedelta(days=11)).isoformat()
    made = client.post("/api/v1/records", headers=token_for("clerk"),
                       json={"form": "CP", "data": {**VALID_CP, "received_at": received}})
    return str(made.json["code"])


def one_pass(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["outbox", "run", "--once", "--jobs"])
    return f"exit {result.exit_code}\n{result.output}"


def test_one_worker_pass_runs_every_due_job_and_jobs_lists_them(app: Flask, client, token_for,  # type: ignore[no-untyped-def]
                                                                clock: FrozenClock) -> None:
    code = late_complaint(client, token_for)
    app.config["PERSONAL_ANONYMISE_BY"] = "archivist"
    listed = app.test_cli_runner().invoke(args=["jobs"]).output
    assert [line.split()[0] for line in listed.splitlines()[::2]] == JOB_NAMES
    assert listed.count("never run") == len(JOB_NAMES)
    assert "every 60 s" in listed and "every 86400 s" in listed

    output = one_pass(app)
    assert output.startswith("exit 0")
    for name in JOB_NAMES:
        assert f"Job {name}: ok" in output
    assert f"1 newly overdue: {code}" in output
    with app.app_context(), services().db.reading() as session:
        assert session.scalar(select(Record.overdue_at).where(Record.code == code)) == T0
        verified = session.scalar(select(AuditEvent).where(AuditEvent.action == "archive.verify"))
        assert verified.actor_name == "scheduler"

    result = app.test_cli_runner().invoke(args=["jobs"])
    assert result.exit_code == 0, result.exception
    listed = result.output
    assert "never run" not in listed
    assert listed.count("last run 2026-03-02 01:30:00 UTC, ok") == len(JOB_NAMES)
    assert f"1 newly overdue: {code}" in listed and "clean: " in listed

    assert "Job " not in one_pass(app)  # nothing is due again at the same moment
    clock.advance(seconds=60)
    again = one_pass(app)
    assert "Job deadline_tick: ok: 0 deadline(s) set, 0 newly overdue; 1 overdue in all" in again
    assert "Job fixity_verify" not in again  # daily


def test_a_second_worker_leaves_a_job_another_holds(app: Flask, clock: FrozenClock) -> None:
    seen: list[list[str]] = []

    def probe() -> Outcome:  # runs under worker a's lease: worker b passes by meanwhile
        seen.append([run.name for run in other.run_jobs()])
        return Outcome(True, "probed")

    register_job(app, "probe", probe, every=60, description="test job")
    with app.app_context():
        first, other = app_worker(), app_worker()
        first.name, other.name = "a", "b"
        other.jobs = {"probe": other.jobs["probe"]}
        assert [run.name for run in first.run_jobs() if run.name == "probe"] == ["probe"]
        assert seen == [[]]  # b did not run probe while a held it

        clock.advance(seconds=60)
        assert jobs.claim(services().db, services().clock, "probe", "dead", 60)  # a worker that dies
        clock.advance(seconds=60)
        assert other.run_jobs() == []  # its lease still holds
        clock.advance(seconds=jobs.LEASE.total_seconds())
        assert [run.name for run in other.run_jobs()] == ["probe"]
        assert seen[-1] == []  # (probe ran b's own pass: itself leased, nothing else of b's due)
    listed = app.test_cli_runner().invoke(args=["jobs"]).output
    assert "probe" in listed and "ok: probed" in listed


def test_a_failing_job_is_recorded_and_the_others_run(app: Flask) -> None:
    def broken() -> Outcome:
        raise RuntimeError("disk full")

    register_job(app, "broken", broken, every=60, description="test job")
    output = one_pass(app)
    assert output.startswith("exit 1") and "Job broken: FAILED: RuntimeError: disk full" in output
    assert "Job deadline_tick: ok" in output
    assert "Job personal_anonymise: FAILED: not run: set personal_anonymise_by" in output
    listed = app.test_cli_runner().invoke(args=["jobs"]).output
    assert "FAILED: RuntimeError: disk full" in listed


def test_a_failed_daily_job_is_tried_again_minutes_later_not_a_day(app: Flask, clock: FrozenClock) -> None:
    """The first ./bootstrap.sh serve ran personal_anonymise before its setting was made; once
    made, the job still waited a whole day to run."""
    assert "Job personal_anonymise: FAILED" in one_pass(app)
    app.config["PERSONAL_ANONYMISE_BY"] = "archivist"
    clock.advance(seconds=jobs.RETRY_AFTER_FAILURE.total_seconds() - 1)
    assert "personal_anonymise" not in one_pass(app)  # not yet: a failing job is not hammered
    clock.advance(seconds=1, microseconds=250)
    assert "Job personal_anonymise: ok" in one_pass(app)
    clock.advance(seconds=jobs.RETRY_AFTER_FAILURE.total_seconds())
    assert "personal_anonymise" not in one_pass(app)  # ran well: daily again


def test_the_schedule_comes_from_the_instance_config(app: Flask) -> None:
    app.config["JOBS"] = {"deadline_tick": 0, "outbox_prune": 7200}
    listed = app.test_cli_runner().invoke(args=["jobs"]).output
    assert "deadline_tick        off" in listed and "every 7200 s" in listed
    output = one_pass(app)
    assert "Job deadline_tick" not in output and "Job outbox_prune: ok" in output
    app.config["JOBS"] = {"deadline_tick": "often"}
    refused = app.test_cli_runner().invoke(args=["jobs"])
    assert refused.exit_code == 1
    assert "jobs.deadline_tick: must be a whole number of seconds" in refused.output
    app.config["JOBS"] = {"deadline_tik": 60}
    refused = app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    assert refused.exit_code == 1 and "jobs.deadline_tik: no such job" in refused.output


def test_the_outbox_worker_started_by_serve_runs_the_jobs(app: Flask) -> None:
    """``run_forever`` (what ``outbox run`` does) runs the due jobs on each pass."""
    ran: list[str] = []
    with app.app_context():
        worker = app_worker()
        stop = threading.Event()

        def stop_after_first(report_jobs: list[jobs.JobRun]) -> None:
            ran.extend(run.name for run in report_jobs)
            stop.set()

        assert isinstance(worker, OutboxWorker)
        worker.run_forever(interval=0.1, stop=stop, on_jobs=stop_after_first)
        with services().db.reading() as session:
            events = session.scalar(select(func.count()).select_from(AuditEvent)
                                    .where(AuditEvent.action == "archive.verify"))
    assert "deadline_tick" in ran and "fixity_verify" in ran and events == 1


def test_the_config_file_sets_the_schedule_and_the_anonymising_archivist(instance_dir) -> None:  # type: ignore[no-untyped-def]
    (instance_dir / "config.toml").write_text('jobs = { deadline_tick = 0, fixity_verify = 3600 }\n'
                                              'personal_anonymise_by = "archivist"\n')
    config = load_config(instance_paths())
    assert config["PERSONAL_ANONYMISE_BY"] == "archivist"
    registered = {name: jobs.Job(name, 60, lambda: Outcome(True, ""), "") for name in JOB_NAMES}
    every = jobs.schedule(config, registered)
    assert every == {"audit_checkpoint": 60, "deadline_tick": 0, "fixity_verify": 3600,
                     "notify_digest": 60, "notify_outbox_failing": 60, "outbox_prune": 60,
                     "personal_anonymise": 60}


@given(st.lists(st.from_regex(r"CP-20\d\d-\d{6}", fullmatch=True), max_size=40, unique=True))
def test_a_result_names_the_first_codes_and_counts_the_rest(codes: list[str]) -> None:
    """A tick after a long stop marks thousands overdue: its one-line result stays short."""
    from forms.jobs import NAMED_CODES, named

    text = named(codes)
    assert all(code in text for code in codes[:NAMED_CODES])
    assert not any(code in text for code in codes[NAMED_CODES:])
    assert text.endswith(f" and {len(codes) - NAMED_CODES} more") == (len(codes) > NAMED_CODES)
    assert (text == "") == (not codes)
