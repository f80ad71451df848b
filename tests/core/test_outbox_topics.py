"""Workers of named topics (issue 18): ``outbox run --topics`` claims only those rows and
``--skip-topics`` every row but those, so indexing never waits behind archival rendering;
a name no package registered is refused with the registered ones; ``--no-jobs`` leaves the
periodic jobs to another worker."""

from __future__ import annotations

import threading

import click
import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.outbox import queue
from core.outbox.cli import _topic_names, app_worker
from core.outbox.models import ScheduledJob
from core.outbox.worker import OutboxWorker
from core.web import services
from tests.support.lifecycle import submit_cp
from tests.support.outbox import enqueue_rows, pending_subjects

REGISTERED = ("archive.filing_stamp, archive.purge_files, audit.checkpoint, notify.email, pdf.archival, "
              "search.index")


def three_topics(app: Flask) -> None:
    for topic in ("a", "b", "c"):
        enqueue_rows(app, topic, [f"{topic}1", f"{topic}2"])


def work(app: Flask, **selection: frozenset[str]) -> list[str]:
    seen: list[str] = []
    with app.app_context():
        handlers = {topic: (lambda task: seen.append(task.subject)) for topic in ("a", "b")}
        OutboxWorker(services().db, services().clock, handlers, name="w", **selection).run_once()
    return seen


def test_a_worker_of_topics_claims_only_their_rows(app: Flask) -> None:
    three_topics(app)
    assert work(app, topics=frozenset({"b"})) == ["b1", "b2"]
    assert pending_subjects(app) == [("a", "a1"), ("a", "a2"), ("c", "c1"), ("c", "c2")]


def test_a_worker_skipping_topics_claims_every_other_row_even_without_a_handler(app: Flask) -> None:
    three_topics(app)
    assert work(app, skip_topics=frozenset({"b"})) == ["a1", "a2"]
    # c has no handler in this worker: its rows were tried and failed visibly, b's left alone
    with app.app_context():
        items = queue.pending(services().db)
    assert [(i.subject, i.attempts) for i in items] == [("b1", 0), ("b2", 0), ("c1", 1), ("c2", 1)]
    assert items[-1].last_error == "LookupError: no handler for topic 'c' in this worker"


def test_outbox_run_with_topics_works_only_those(app: Flask) -> None:
    code = submit_cp(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["outbox", "run", "--once", "--topics", "search.index"])
    assert result.exit_code == 0 and "Outbox: 1 done, 0 failed." in result.output, result.output
    assert pending_subjects(app) == [("pdf.archival", code)]
    result = runner.invoke(args=["outbox", "run", "--once",
                                 "--skip-topics", "search.index,archive.purge_files"])
    assert "Outbox: 1 done, 0 failed." in result.output and pending_subjects(app) == []


def test_topics_may_be_repeated_and_comma_separated(app: Flask) -> None:
    submit_cp(app)
    result = app.test_cli_runner().invoke(args=["outbox", "run", "--once", "--topics", "search.index,",
                                                "--topics", " pdf.archival"])
    assert "Outbox: 2 done, 0 failed." in result.output and pending_subjects(app) == []


@pytest.mark.parametrize(("args", "message"), [
    (["--topics", "search.indx"], "Invalid value for --topics: no such topic 'search.indx'; "
                                  f"the registered topics are: {REGISTERED}"),
    (["--skip-topics", "pdf,search.index"], "Invalid value for --skip-topics: no such topic 'pdf'; "),
    (["--topics", ","], "Invalid value for --topics: no such topic (none given); "),
    (["--topics", "search.index", "--skip-topics", "pdf.archival"],
     "give --topics or --skip-topics, not both"),
])
def test_a_wrong_topic_is_refused_naming_the_registered_ones(app: Flask, args: list[str],
                                                            message: str) -> None:
    submit_cp(app)
    result = app.test_cli_runner().invoke(args=["outbox", "run", "--once", *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output and len(pending_subjects(app)) == 2  # nothing worked


def test_a_worker_without_jobs_runs_none_and_with_once_jobs_are_asked_for(app: Flask) -> None:
    with app.app_context():
        assert app_worker(with_jobs=False).jobs == {} and app_worker().jobs
        worker, stop = app_worker(topics={"search.index"}, with_jobs=False), threading.Event()
        timer = threading.Timer(0.3, stop.set)
        timer.start()
        worker.run_forever(interval=0.1, stop=stop)  # several passes, none of them runs a job
        with services().db.reading() as session:
            assert session.scalar(select(func.count()).select_from(ScheduledJob)) == 0
    runner = app.test_cli_runner()
    assert "Job " not in runner.invoke(args=["outbox", "run", "--once", "--no-jobs"]).output
    assert "Job " not in runner.invoke(args=["outbox", "run", "--once"]).output
    assert "Job deadline_tick: ok" in runner.invoke(args=["outbox", "run", "--once", "--jobs"]).output


def test_the_worker_says_which_topics_it_takes(app: Flask) -> None:
    from core.outbox.cli import OutboxHandlers, _describe
    from core.ports import registry

    with app.app_context():
        known = registry(OutboxHandlers)
        assert _describe(app_worker(topics={"search.index"}), known) == "search.index (batches of 100)"
        assert _describe(app_worker(skip_topics={"search.index", "pdf.archival"}), known) == \
            "archive.filing_stamp, archive.purge_files, audit.checkpoint, notify.email, any other"



TOPIC_TEXT = st.lists(st.one_of(st.sampled_from(["search.index", "pdf.archival", ",", " ", ""]),
                                st.text(max_size=12)), max_size=4)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200)
@given(values=st.lists(TOPIC_TEXT.map(",".join), max_size=3))
def test_any_topics_option_gives_registered_names_or_a_refusal_naming_them(app: Flask,
                                                                          values: list[str]) -> None:
    with app.app_context():
        try:
            names = _topic_names("--topics", tuple(values))
        except click.BadParameter as exc:
            assert f"the registered topics are: {REGISTERED}" in exc.format_message()
            return
    assert (names is None) == (not values)
    assert names is None or (names and names <= set(REGISTERED.split(", ")))
