"""The outbox on a real PostgreSQL server: concurrent workers pass each other with SKIP LOCKED
and every row is worked exactly once; the archival rendition is stored from a PostgreSQL instance."""

from __future__ import annotations

import threading

from flask import Flask

from archive.renditions import renditions_of
from core.outbox import queue
from core.outbox.queue import Task
from core.outbox.worker import OutboxWorker
from core.web import services
from forms.submission import submit
from tests.support.file_stores import rendition_path
from tests.support.instance import VALID_CP, actor_of

ROWS = 60


def test_two_workers_share_the_rows_and_work_each_exactly_once(pg_app: Flask) -> None:
    with pg_app.app_context():
        s = services()
        with s.db.transaction() as session:
            for n in range(ROWS):
                queue.enqueue(session, topic="test.topic", subject=f"S{n:03d}", at=s.clock.now())
        seen: list[tuple[str, str]] = []
        lock = threading.Lock()
        gate = threading.Barrier(2)

        def work(name: str) -> None:
            def handler(task: Task) -> None:
                with lock:
                    seen.append((name, task.subject))

            gate.wait()
            with pg_app.app_context():
                OutboxWorker(s.db, s.clock, {"test.topic": handler}, name=name).run_once()

        threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        subjects = [subject for _, subject in seen]
        assert sorted(subjects) == [f"S{n:03d}" for n in range(ROWS)]  # all, none twice
        assert queue.counts(s.db) == {"test.topic": {"waiting": 0, "failing": 0, "done": ROWS}}


def test_the_archival_rendition_is_stored_from_a_postgresql_instance(pg_app: Flask) -> None:
    with pg_app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(pg_app, "clerk"), "CP", VALID_CP).code
    result = pg_app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    assert "2 done, 0 failed" in result.output, result.output  # the PDF and the index entry
    with pg_app.app_context():
        [stored] = renditions_of(services().db, code)
    path = rendition_path(pg_app, code)
    assert path.read_bytes().startswith(b"%PDF-") and stored.size == path.stat().st_size
