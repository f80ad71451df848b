"""Where one API submission's server CPU goes, measured in-process, one step at a time.

Companion to ``benchmarks/submit.py``: that one measures the whole server under load; this one
times each step of the same request on a fresh SQLite instance (one thread, no contention), in
CPU milliseconds per call (``time.process_time``):

    .venv/bin/python benchmarks/submit_breakdown.py [--calls 2000]

The steps are the ones the API runs for ``POST /api/v1/records``, called the way it calls them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.submit import BODY, flask  # noqa: E402

STEPS = [
    ("whole request through Flask (WSGI call, JSON in and out)", "wsgi"),
    ("Flask alone: the same request to an unknown path (404)", "wsgi_404"),
    ("bearer-token lookup (one read transaction)", "token"),
    ("current approved form version (one read transaction)", "spec"),
    ("validation (JSON Schema + field checks)", "validate"),
    ("write transaction: flock, counter, record, revision, audit event, commit", "write"),
    ("  of which: empty write transaction (flock + BEGIN IMMEDIATE + COMMIT)", "empty_write"),
    ("  of which: audit append alone, in its own write transaction", "audit"),
    ("empty read transaction (for the next line)", "empty_read"),
    ("department by primary key (`session.get`, as create_record does under the lock)", "department"),
]


def per_call(function: Callable[[], object], calls: int) -> float:
    for _ in range(min(50, calls)):
        function()
    started = time.process_time()
    for _ in range(calls):
        function()
    return (time.process_time() - started) / calls * 1000


def environ(token: str, path: str) -> dict:
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(BODY),
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "wsgi.version": (1, 0), "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(BODY)), "HTTP_AUTHORIZATION": f"Bearer {token}",
    }


def measure(calls: int) -> list[tuple[str, float]]:
    from core.app import create_app
    from core.audit import trail
    from core.auth import accounts
    from core.auth.models import Department
    from core.web import services
    from forms.submission import known_references, summary
    from forms.validation import validate
    from forms.versions import current_spec

    app = create_app()
    data = json.loads(BODY)["data"]
    with app.app_context():
        s = services()
        token = flask(dict(os.environ), "tokens", "create", "clerk", "--label", "breakdown").strip()
        actor = accounts.actor_for_token(s.db, token)
        spec = current_spec(s.db, "CP")

        def wsgi(path: str = "/api/v1/records", expect: str = "201") -> None:
            status: list[str] = []
            body = app.wsgi_app(environ(token, path), lambda st, _h, _e=None: status.append(st))
            b"".join(body)
            assert status[0].startswith(expect), status

        def write() -> None:
            from archive.records import create_record

            clean = validate(spec, data)
            with s.db.transaction() as session:
                create_record(session, clock=s.clock, zone=s.zone, actor=actor, form_code="CP",
                              form_version=spec.version, state=spec.workflow.initial,
                              title=summary(spec, clean), data=clean, department=actor.department)

        def empty_write() -> None:
            with s.db.transaction():
                pass

        def audit() -> None:
            with s.db.transaction() as session:
                trail.append(session, at=s.clock.now(), actor=actor, action="bench", object_id="x")

        def empty_read() -> None:
            with s.db.reading():
                pass

        def department() -> None:
            with s.db.reading() as session:
                session.get(Department, actor.department_id)

        steps: dict[str, Callable[[], object]] = {
            "wsgi": wsgi, "wsgi_404": lambda: wsgi("/api/v1/nothing-here", "404"),
            "token": lambda: accounts.actor_for_token(s.db, token),
            "spec": lambda: current_spec(s.db, "CP"),
            "validate": lambda: validate(spec, data, users=set(), departments=set())
            and known_references(s.db, spec, data),
            "write": write, "empty_write": empty_write, "audit": audit,
            "empty_read": empty_read, "department": department,
        }
        results = [(label, per_call(steps[key], calls)) for label, key in STEPS]
        s.db.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000, help="calls per step")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="dossier-breakdown-"))
    os.environ["DOSSIER_INSTANCE"] = str(instance)
    os.environ.pop("DOSSIER_DATABASE_URL", None)
    os.chdir(ROOT)
    flask(dict(os.environ), "init")
    flask(dict(os.environ), "demo")
    print("| step | CPU ms per call |\n| --- | ---: |")
    for label, milliseconds in measure(args.calls):
        print(f"| {label} | {milliseconds:.2f} |")


if __name__ == "__main__":
    main()
