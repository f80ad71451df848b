"""Two app servers, one database, one bucket (issue 18, "Proof on this machine").

Two instance folders, A and B, each with its own config.toml and secret key, name the same
PostgreSQL database (``search_backend = "postgres"``: the index is in it) and the same bucket of
the suite's Swift (``file_store = "s3"``). ``flask init`` runs once, from A, with the demo users
and their tokens (in this process: each ``flask`` process costs seconds). Then, as separate
processes: a waitress server for each folder and one outbox worker of each
kind (``search.index`` from A, ``pdf.archival`` from B, every other topic with the jobs from A),
as ``./bootstrap.sh serve`` starts them. Everything below goes through the HTTP API with bearer
tokens (a token is a database row, so it works on both servers), and the CLI where there is no
API (``archive verify``):

- a complaint submitted on A is found by search on B (the time it took is printed, not asserted:
  a timed assertion fails on a loaded CI machine, not on a wrong index; the freshness figure,
  target p95 ≤ 2 s, is benchmarks/freshness.py's, in docs/benchmarks.md);
- once its archival copy is rendered (by the worker of B's folder) it downloads from B, a PDF
  whose SHA-256 is the ``renditions`` row's;
- a retention class changed on A makes it due; a destruction list proposed and approved on A,
  a legal hold placed on B, and the list executed on A spares it ("held"): still readable, its
  copy still downloads;
- ``archive verify`` exits 0 from both folders.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from core.app import create_app
from core.auth import accounts
from core.web import services
from forms import demo
from tests.support.lifecycle import COMPLAINT_STEPS
from tests.support.s3_fixtures import S3Bucket
from tests.support.two_servers import ROOT, VENV_BIN, Api, Cluster, cluster, environment, poll, write_instance

pytestmark = [pytest.mark.postgres, pytest.mark.s3]

USERS = ("admin", "archivist", "supervisor", "clerk", "auditor")
#: Received in 2020: a class counting one month from the complaint's receipt makes it due.
COMPLAINT = {"channel": "phone", "received_at": "2020-03-02T09:00:00+08:00",
             "customer_name": "双机验证有限公司", "phone": "13800138000",
             "complaint": "两台服务器共用一个数据库与一个存储桶，检查检索与销毁。"}
ONE_MONTH_FROM_RECEIPT = {"trigger": "event", "event_field": "received_at", "years": 0, "months": 1,
                          "at_year_end": False}


@pytest.fixture
def database(pg_url: str) -> Iterator[Engine]:
    engine = create_engine(pg_url)
    yield engine
    engine.dispose()


def instances(tmp_path: Path, pg_url: str, bucket: S3Bucket) -> tuple[Path, Path]:
    s3 = {key.lower(): value for key, value in bucket.config("office").items()}
    shared = {"database_url": pg_url, "search_backend": "postgres", **s3,
              "public_url": "http://127.0.0.1:5000"}
    return write_instance(tmp_path / "a", shared), write_instance(tmp_path / "b", shared)


def prepare(instance: Path) -> dict[str, str]:
    """``flask init`` for ``instance`` (and so for the shared database), the demo users with the
    form versions approved, and an API token of each user in ``USERS``."""
    app = create_app(instance_path=instance)
    try:
        initialised = app.test_cli_runner().invoke(args=["init"])
        assert initialised.exit_code == 0, initialised.output
        with app.app_context():
            s = services()
            demo.ensure_demo_users(s.db, s.clock)
            demo.approve_pending(s.db, s.clock)
            return {user: accounts.create_token(s.db, s.clock, user, "two servers") for user in USERS}
    finally:
        with app.app_context():
            services().db.dispose()


def verify_both(folders: tuple[Path, Path]) -> None:
    """``archive verify`` from each folder (at the same time), each exiting 0."""
    runs = [subprocess.Popen([str(VENV_BIN / "flask"), "--app", "wsgi", "archive", "verify",
                              "--lang", "en"], cwd=ROOT,
                             env=environment(folder), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for folder in folders]
    for folder, run in zip(folders, runs, strict=True):
        output = run.communicate(timeout=120)[0].decode("utf-8", "replace")
        assert run.returncode == 0, f"archive verify from {folder.name} exited {run.returncode}: {output}"


def start(running: Cluster, a: Path, b: Path) -> tuple[int, int]:
    """The three workers (from either folder, as an operator may place them) and both servers."""
    running.worker("worker-search", a, "--topics", "search.index", "--no-jobs", "--interval", "0.25")
    running.worker("worker-pdf", b, "--topics", "pdf.archival", "--no-jobs")
    running.worker("worker-rest", a, "--skip-topics", "search.index,pdf.archival")
    return running.serve("server-a", a), running.serve("server-b", b)


def found(api: Api, query: str, code: str | None = None) -> bool:
    hits = api.expect(200, "GET", "/search", "clerk", q=query).json()["hits"]
    return any(code is None or hit["code"] == code for hit in hits)


def pending(database: Engine) -> int:
    with database.connect() as connection:
        return connection.execute(text("SELECT COUNT(*) FROM outbox WHERE done_at IS NULL")).scalar_one()


def filed_revision(database: Engine, code: str) -> int | None:
    """The revision at which ``code`` was filed (its last), once it is."""
    with database.connect() as connection:
        row = connection.execute(text("SELECT filed_at, revision FROM records WHERE code = :code"),
                                 {"code": code}).one()
    return row.revision if row.filed_at is not None else None


def rendition_sha256(database: Engine, code: str, revision: int) -> str:
    with database.connect() as connection:
        return connection.execute(text(
            "SELECT r.sha256 FROM renditions r JOIN records c ON c.id = r.record_id "
            "WHERE c.code = :code AND r.revision = :revision AND r.kind = 'archival'"),
            {"code": code, "revision": revision}).scalar_one()


def submit_and_find(a: Api, b: Api, timeout: float = 10) -> tuple[str, float]:
    """A complaint submitted on A; its code and the seconds until search on B found it."""
    answer = a.expect(201, "POST", "/records", "clerk", {"form": "CP", "data": COMPLAINT})
    answered = time.monotonic()
    code = answer.json()["code"]
    poll(f"{code} found by search on B", lambda: found(b, code, code), timeout=timeout, interval=0.02)
    return code, time.monotonic() - answered


def close_and_file(a: Api, b: Api, database: Engine, code: str) -> int:
    """The complaint taken to closed and countersigned (steps alternating between the servers),
    then filed by the workers; its last revision."""
    for number, (action, user, fields) in enumerate([*COMPLAINT_STEPS, ("countersign", "supervisor", {})]):
        server = (a, b)[number % 2]
        server.expect(200, "POST", f"/records/{code}/actions/{action}", user, {"fields": fields})
    revision, _ = poll(f"{code} filed", lambda: filed_revision(database, code), timeout=40, interval=0.2)
    return revision


def archival_from(api: Api, code: str) -> bytes:
    answer = api.expect(200, "GET", f"/records/{code}/archival", "archivist")
    assert answer.body.startswith(b"%PDF-"), answer
    assert answer.headers["x-content-sha256"] == hashlib.sha256(answer.body).hexdigest()
    return answer.body


def destroy_with_hold(a: Api, b: Api, code: str) -> dict[str, object]:
    """Due (class changed on A), proposed and approved on A, held on B, executed on A."""
    classes = a.expect(200, "GET", "/archive/retention-classes", "admin").json()["classes"]
    assert any(c["code"] == "complaint-3y" for c in classes), classes
    a.expect(200, "PATCH", "/archive/retention-classes/complaint-3y", "admin", ONE_MONTH_FROM_RECEIPT)
    due = b.expect(200, "GET", "/archive/disposal/due", "archivist").json()["records"]
    assert [d["code"] for d in due] == [code], due
    listed = a.expect(201, "POST", "/archive/disposal-lists", "archivist",
                      {"codes": [code], "note": "两台服务器"}).json()
    a.expect(200, "POST", f"/archive/disposal-lists/{listed['id']}/decision", "admin", {"approve": True})
    b.expect(200, "POST", f"/archive/disposal-lists/{listed['id']}/witnesses", "archivist",
             {"witnesses": ["auditor", "admin"]})
    for server, witness in ((b, "auditor"), (a, "admin")):  # each as themselves, one on each server
        server.expect(200, "POST", f"/archive/disposal-lists/{listed['id']}/confirm", witness)
    hold = b.expect(201, "POST", "/archive/holds", "archivist",
                    {"name": "诉讼保全", "reason": "客户已起诉，保全相关档案"}).json()
    added = b.expect(200, "POST", f"/archive/holds/{hold['id']}/records", "archivist", {"codes": [code]})
    assert added.json()["added"] == [code], added
    return a.expect(200, "POST", f"/archive/disposal-lists/{listed['id']}/execute", "archivist").json()


def test_two_servers_share_one_database_and_one_bucket(
        tmp_path: Path, pg_url: str, s3_bucket: S3Bucket, database: Engine,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOSSIER_DATABASE_URL", raising=False)  # each folder's config.toml decides
    a_folder, b_folder = instances(tmp_path, pg_url, s3_bucket)
    lap = Laps()
    tokens = prepare(a_folder)
    shutil.copy(a_folder / "audit.key", b_folder / "audit.key")  # one trail, one key (docs/archival.md)
    lap("init")
    with cluster() as running:
        a_port, b_port = start(running, a_folder, b_folder)
        a, b = Api("A", a_port, tokens), Api("B", b_port, tokens)
        submit_and_find(a, b, timeout=30)  # the workers are up (a first search.index claim waits for them)
        lap("start")

        code, freshness = submit_and_find(a, b, timeout=30)
        print(f"\n{code} submitted on A was found by search on B after {freshness:.3f} s")

        revision = close_and_file(a, b, database, code)
        pdf = archival_from(b, code)
        assert hashlib.sha256(pdf).hexdigest() == rendition_sha256(database, code, revision)
        lap("filed")

        executed = destroy_with_hold(a, b, code)
        assert executed["state"] == "executed" and executed["items"] == [{"code": code, "outcome": "held"}]
        assert a.expect(200, "GET", f"/records/{code}", "archivist").json()["code"] == code
        assert archival_from(a, code) == pdf
        lap("held")

        poll("the outbox drained", lambda: pending(database) == 0, timeout=40, interval=0.2)
        running.check_alive()
        verify_both((a_folder, b_folder))
        lap("verified")
    print("seconds:", lap)


class Laps:
    """Seconds each phase took (printed, so a slow run shows where)."""

    def __init__(self) -> None:
        self.last, self.laps = time.monotonic(), {}  # type: ignore[var-annotated]

    def __call__(self, name: str) -> None:
        now = time.monotonic()
        self.laps[name], self.last = round(now - self.last, 1), now

    def __str__(self) -> str:
        return ", ".join(f"{name} {seconds}" for name, seconds in self.laps.items())
