"""A worker process killed with SIGKILL in the middle of its work: nothing is lost. Once its
leases run out the next worker finishes every PDF and index entry, and the index matches."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask

from archive.renditions import renditions_of
from core.clock import FrozenClock
from core.outbox import queue
from core.web import services
from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of

PROJECT = Path(__file__).resolve().parents[2]


def test_killing_the_worker_mid_task_loses_nothing(app: Flask, clock: FrozenClock) -> None:
    with app.app_context():
        s = services()
        codes = [submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP",
                        {**VALID_CP, "complaint": f"第{n}批货物破损"}).code for n in range(12)]
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "run", "--interval", "0.2"],
        cwd=PROJECT, env={**os.environ, "DOSSIER_INSTANCE": app.instance_path},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        with app.app_context():
            while time.monotonic() < deadline and not renditions_of(services().db, codes[2]):
                time.sleep(0.05)  # kill it once it is well into the work
            assert renditions_of(services().db, codes[2]), "the worker never got going"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    with app.app_context():
        left = queue.pending(services().db)
    assert left, "the worker finished everything before it was killed; nothing was tested"
    # Its leases were taken with the real clock: move past them, then another worker goes on.
    clock.current = datetime.now(UTC) + timedelta(minutes=6)
    result = app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    assert ", 0 failed" in result.output, result.output
    with app.app_context():
        assert queue.pending(services().db) == []
        assert all(len(renditions_of(services().db, code)) == 1 for code in codes)
    check = app.test_cli_runner().invoke(args=["search", "check"])
    assert check.exit_code == 0 and "matches the database" in check.output, check.output
