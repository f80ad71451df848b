"""Submissions per second through the HTTP API, served the way production serves it.

For each backend (SQLite in the instance; PostgreSQL started the way the test suite starts it)
this makes a fresh instance with ``flask init`` and ``flask demo``, creates a bearer token for
``clerk``, starts gunicorn on 127.0.0.1 with ``DOSSIER_INSTANCE``/``DOSSIER_DATABASE_URL``, and
POSTs complaints to ``/api/v1/records`` from 1, 4 and 16 concurrent clients. After every run it
checks in the database that no code is duplicated and none is missing (sequence 1..N contiguous,
counter = N, one record per 201 response) and exits with status 1 if not.

    .venv/bin/python benchmarks/submit.py [--backends sqlite postgres] [--requests 2000]
        [--worker-class sync|gthread] [--workers 2] [--threads 1] [--profile DIR]

Default server: ``gunicorn -k sync -w 2`` (one worker process per core). On this 2-core machine it
was the fastest layout measured, on both backends (see docs/benchmarks.md): a sync worker takes a
new connection per request, so the next request goes to whichever worker is free, whereas a
gthread worker keeps its keep-alive connections and the load splits unevenly (one core idles);
every extra process or thread only adds context switches and waiters on SQLite's write lock.

The clients run on the same machine and share its 2 cores with the server: ``client cores`` says
how much of them the load generator itself used, ``server ms`` the server's CPU per submission
(gunicorn, plus the PostgreSQL server processes for that backend) and ``other cores`` how much
CPU went to anything else on the machine meanwhile (a run with other cores well above 0 was
disturbed and is worth repeating).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.machine import busy_seconds, describe  # noqa: E402
from tests.support.postgres import PostgresServer, free_port, start_server  # noqa: E402

VENV_BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BODY = json.dumps({"form": "CP", "data": {
    "channel": "phone", "received_at": "2026-03-02T09:00:00+08:00",
    "customer_name": "上海恒丰贸易有限公司", "phone": "13800138000",
    "complaint": "收到的第二批货物外包装破损，部分产品表面有划痕，影响销售。"}}, ensure_ascii=False).encode()


def flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True, timeout=300)
    return result.stdout


# --- CPU accounting from /proc ------------------------------------------------------------------

def tree_cpu_seconds(pid: int) -> float:
    """CPU used by ``pid`` and its children, live or reaped (utime+stime+cutime+cstime)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue  # exited meanwhile: its time is in its parent's cutime once reaped
        total += sum(int(value) for value in fields[11:15]) / CLOCK_TICKS
        pending.extend(int(child) for child in children)
    return total


# --- server and clients -------------------------------------------------------------------------

@dataclass
class Server:
    port: int
    pids: list[int]  # gunicorn's master, and the PostgreSQL postmaster when there is one

    def cpu_seconds(self) -> float:
        return sum(tree_cpu_seconds(pid) for pid in self.pids)


@contextmanager
def gunicorn(env: dict[str, str], args: argparse.Namespace, extra_pids: list[int]) -> Iterator[Server]:
    port = free_port()
    command = [str(VENV_BIN / "gunicorn"), "-k", args.worker_class, "-w", str(args.workers),
               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    if args.worker_class == "gthread":
        command[3:3] = ["--threads", str(args.threads)]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("gunicorn did not come up") from None
                time.sleep(0.2)
        yield Server(port, [process.pid, *extra_pids])
    finally:
        process.terminate()
        process.wait(timeout=30)


def run_clients(port: int, token: str, clients: int, total: int) -> tuple[float, list[float]]:
    """``total`` submissions spread over ``clients`` connections; (seconds, latencies)."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def client(count: int) -> None:
        mine: list[float] = []
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            barrier.wait()
            for _ in range(count):  # reconnects by itself when the server closes the connection
                started = time.perf_counter()
                connection.request("POST", "/api/v1/records", body=BODY, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 201:
                    raise RuntimeError(f"HTTP {response.status}")
                mine.append(time.perf_counter() - started)
            connection.close()
        except Exception as exc:
            with lock:
                failures.append(repr(exc))
        finally:
            with lock:
                latencies.extend(mine)

    shares = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in shares]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=600)
    elapsed = time.perf_counter() - started
    if failures or len(latencies) != total:
        raise SystemExit(f"{len(failures)} clients failed ({len(latencies)}/{total} submissions "
                         f"made), e.g. {failures[:3]}")
    return elapsed, latencies


def stored_complaints(database_url: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT COUNT(*) FROM records WHERE form_code = 'CP'")).scalar_one()
    engine.dispose()
    return count


def check_codes(database_url: str, expected: int) -> list[str]:
    """What is wrong with the stored CP codes (empty when nothing): duplicates, gaps, count."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows, codes, keys = connection.execute(text(
            "SELECT COUNT(*), COUNT(DISTINCT code), COUNT(DISTINCT CAST(year AS BIGINT) * 10000000 + seq) "
            "FROM records WHERE form_code = 'CP'")).one()
        years = connection.execute(text(
            "SELECT r.year, COUNT(*), MIN(r.seq), MAX(r.seq), MAX(c.value) FROM records r "
            "JOIN code_counters c ON c.category = r.form_code AND c.year = r.year "
            "WHERE r.form_code = 'CP' GROUP BY r.year")).all()
    engine.dispose()
    problems = []
    if rows != expected:
        problems.append(f"{rows} records for {expected} accepted submissions")
    if rows != codes or rows != keys:
        problems.append(f"{rows - min(codes, keys)} duplicate codes")
    for year, count, low, high, counter in years:
        if (low, high, counter) != (1, count, count):
            problems.append(f"{year}: {count} records numbered {low}..{high}, counter at {counter} "
                            f"({high - count} missing)")
    return problems


# --- one backend --------------------------------------------------------------------------------

@dataclass
class Row:
    backend: str
    clients: int
    submissions: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    server_ms: float
    busy_cores: float
    client_cores: float
    problems: list[str]

    @property
    def per_second(self) -> float:
        return self.submissions / self.seconds

    @property
    def other_cores(self) -> float:
        """Cores busy with neither the server nor the load generator (other work on the machine)."""
        return max(0.0, self.busy_cores - self.server_ms * self.per_second / 1000 - self.client_cores)


def measure(backend: str, server: Server, token: str, clients: int, total: int, url: str,
            expected: int) -> Row:
    server_cpu, busy, own = server.cpu_seconds(), busy_seconds(), time.process_time()
    elapsed, latencies = run_clients(server.port, token, clients, total)
    server_cpu, busy = server.cpu_seconds() - server_cpu, busy_seconds() - busy
    own = time.process_time() - own
    q = statistics.quantiles(latencies, n=100)
    return Row(backend, clients, total, elapsed, q[49] * 1000, q[94] * 1000, q[98] * 1000,
               server_cpu / total * 1000, busy / elapsed, own / elapsed, check_codes(url, expected))


@contextmanager
def py_spy(pid: int, output: Path) -> Iterator[None]:
    """Sample the server (all gunicorn processes) while the block runs; raw folded stacks."""
    spy = subprocess.Popen([str(VENV_BIN / "py-spy"), "record", "--pid", str(pid), "--subprocesses",
                            "--rate", "250", "--format", "raw", "--output", str(output),
                            "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # let it attach
    try:
        yield
    finally:
        spy.send_signal(2)
        spy.wait(timeout=60)


def bench_backend(backend: str, args: argparse.Namespace, pg: PostgresServer | None) -> list[Row]:
    instance = Path(tempfile.mkdtemp(prefix=f"dossier-bench-{backend}-"))
    env = {**os.environ, "DOSSIER_INSTANCE": str(instance)}
    env.pop("DOSSIER_DATABASE_URL", None)
    url = f"sqlite:///{instance / 'dossier.sqlite3'}"
    if pg is not None:
        url = env["DOSSIER_DATABASE_URL"] = pg.create_database("bench")
    flask(env, "init")
    flask(env, "demo")
    token = flask(env, "tokens", "create", "clerk", "--label", "benchmark").strip()
    postmaster = [int((pg.data / "postmaster.pid").read_text().split()[0])] if pg else []
    rows: list[Row] = []
    with gunicorn(env, args, postmaster) as server:
        expected = stored_complaints(url) + 200  # `demo` files a few sample complaints
        run_clients(server.port, token, 8, 200)  # warm up every worker and its connections
        for clients in args.clients:
            expected += args.requests
            profile = args.profile and clients == max(args.clients)
            with py_spy(server.pids[0], args.profile / f"{backend}-{clients}.txt") if profile \
                    else _nothing():
                rows.append(measure(backend, server, token, clients, args.requests, url, expected))
            print_row(rows[-1])
    return rows


@contextmanager
def _nothing() -> Iterator[None]:
    yield


# --- output -------------------------------------------------------------------------------------

COLUMNS = ("clients", "backend", "submissions", "seconds", "subs/s", "p50 ms", "p95 ms", "p99 ms",
           "server ms", "client cores", "other cores", "codes")


def print_header() -> None:
    print("| " + " | ".join(COLUMNS) + " |")
    print("| " + " | ".join("---" if c in ("backend", "codes") else "---:" for c in COLUMNS) + " |")


def print_row(row: Row) -> None:
    codes = "; ".join(row.problems) if row.problems else "OK: 0 duplicate, 0 missing"
    cells = (row.clients, row.backend, row.submissions, f"{row.seconds:.2f}", f"{row.per_second:.0f}",
             f"{row.p50_ms:.1f}", f"{row.p95_ms:.1f}", f"{row.p99_ms:.1f}", f"{row.server_ms:.2f}",
             f"{row.client_cores:.2f}", f"{row.other_cores:.2f}", codes)
    print("| " + " | ".join(str(c) for c in cells) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"],
                        choices=["sqlite", "postgres"])
    parser.add_argument("--clients", nargs="+", type=int, default=[1, 4, 16])
    parser.add_argument("--requests", type=int, default=2000, help="submissions per client count")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--profile", type=Path, default=None,
                        help="write py-spy samples of the largest client count into this folder")
    args = parser.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    print(f"machine: {describe()}")
    threads = f" x {args.threads} threads" if args.worker_class == "gthread" else ""
    print(f"server: gunicorn -k {args.worker_class}, {args.workers} workers{threads}\n")
    print_header()
    rows: list[Row] = []
    for backend in args.backends:
        pg = start_server() if backend == "postgres" else None
        try:
            rows += bench_backend(backend, args, pg)
        finally:
            if pg is not None:
                pg.stop()
    if any(row.problems for row in rows):
        raise SystemExit("code check FAILED: see the codes column")


if __name__ == "__main__":
    main()
