"""Submissions per second through the HTTP API, the way production runs it.

For each backend (SQLite in the instance; PostgreSQL started like the test suite does) this makes
a fresh instance with ``flask init`` and ``flask demo``, starts gunicorn, and POSTs complaints to
``/api/v1/records`` with 1, 4 and 16 concurrent keep-alive clients. After every run it checks in
the database that the codes are distinct and contiguous (no duplicate, no missing number).

    .venv/bin/python benchmarks/submit.py [--backends sqlite postgres] [--requests 2000]

Clients run on the same 2-core machine as the server, so they compete for the CPU: the figures
are a floor for what a separate client machine would see. The ``client`` column says how many
cores the load generator itself used. Default server: 4 single-threaded workers, the fastest
layout measured here (threads in one worker make a lock holder wait for the GIL behind its
siblings, which stretches every SQLite write lock).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from tests.support.postgres import free_port, start_server  # noqa: E402

VENV_BIN = Path(sys.executable).parent
BODY = json.dumps({"form": "CP", "data": {
    "channel": "phone", "received_at": "2026-03-02T09:00:00+08:00",
    "customer_name": "上海恒丰贸易有限公司", "phone": "13800138000",
    "complaint": "收到的第二批货物外包装破损，部分产品表面有划痕，影响销售。"}}, ensure_ascii=False).encode()


def flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True)
    return result.stdout


@contextmanager
def gunicorn(env: dict[str, str], workers: int, threads: int):
    port = free_port()
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-k", "gthread", "--threads", str(threads),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


client_cpu: list[float] = []  # cores used by the load generator itself, per run


def run_clients(port: int, token: str, clients: int, total: int) -> tuple[float, list[float]]:
    """``total`` submissions spread over ``clients`` keep-alive connections."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def client(count: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        barrier.wait()
        for _ in range(count):
            started = time.perf_counter()
            connection.request("POST", "/api/v1/records", body=BODY, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 201:
                with lock:
                    errors.append(f"HTTP {response.status}")
        connection.close()
        with lock:
            latencies.extend(mine)

    shares = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    threads = [threading.Thread(target=client, args=(n,)) for n in shares]
    for thread in threads:
        thread.start()
    barrier.wait()
    started, cpu_started = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    client_cpu.append((time.process_time() - cpu_started) / elapsed)
    if errors:
        raise SystemExit(f"{len(errors)} failed submissions, e.g. {errors[:3]}")
    return elapsed, latencies


def check_codes(database_url: str) -> tuple[int, int, int]:
    """(records, duplicates, missing numbers) among this year's CP codes."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        seqs = [row[0] for row in connection.execute(text(
            "SELECT seq FROM records WHERE form_code = 'CP' ORDER BY seq"))]
        codes = connection.execute(text(
            "SELECT COUNT(*), COUNT(DISTINCT code) FROM records")).one()
    engine.dispose()
    duplicates = codes[0] - codes[1] + (len(seqs) - len(set(seqs)))
    missing = (max(seqs) - len(set(seqs))) if seqs else 0
    return len(seqs), duplicates, missing


def bench_backend(name: str, database_url: str | None, args: argparse.Namespace) -> list[dict]:
    instance = Path(tempfile.mkdtemp(prefix=f"dossier-bench-{name}-"))
    env = {**os.environ, "DOSSIER_INSTANCE": str(instance)}
    env.pop("DOSSIER_DATABASE_URL", None)
    if database_url:
        env["DOSSIER_DATABASE_URL"] = database_url
    flask(env, "init")
    flask(env, "demo")
    token = flask(env, "tokens", "create", "clerk", "--label", "benchmark").strip()
    url = database_url or f"sqlite:///{instance / 'dossier.sqlite3'}"
    rows = []
    with gunicorn(env, args.workers, args.threads) as port:
        run_clients(port, token, 4, 100)  # warm up every worker
        for clients in args.clients:
            elapsed, latencies = run_clients(port, token, clients, args.requests)
            records, duplicates, missing = check_codes(url)
            quantiles = statistics.quantiles(latencies, n=100)
            rows.append({"backend": name, "clients": clients, "submissions": len(latencies),
                         "seconds": elapsed, "per_second": len(latencies) / elapsed,
                         "p50_ms": quantiles[49] * 1000, "p95_ms": quantiles[94] * 1000,
                         "p99_ms": quantiles[98] * 1000, "client_cores": client_cpu[-1],
                         "records": records,
                         "duplicates": duplicates, "missing": missing})
            print_row(rows[-1])
    return rows


def print_row(row: dict) -> None:
    print(f"{row['backend']:<10} {row['clients']:>7} {row['submissions']:>11} {row['seconds']:>8.2f} "
          f"{row['per_second']:>9.0f} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} "
          f"{row['client_cores']:>7.2f} {row['records']:>8} {row['duplicates']:>5} {row['missing']:>7}",
          flush=True)


def machine() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")),
                 platform.processor())
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, {platform.platform()}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"],
                        choices=["sqlite", "postgres"])
    parser.add_argument("--clients", nargs="+", type=int, default=[1, 4, 16])
    parser.add_argument("--requests", type=int, default=2000, help="submissions per client count")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"server: gunicorn, {args.workers} workers x {args.threads} threads (gthread)")
    print(f"{'backend':<10} {'clients':>7} {'submissions':>11} {'seconds':>8} {'subs/s':>9} "
          f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'client':>7} {'records':>8} {'dups':>5} "
          f"{'missing':>7}")
    for backend in args.backends:
        if backend == "postgres":
            server = start_server()
            try:
                bench_backend(backend, server.create_database("bench"), args)
            finally:
                server.stop()
        else:
            bench_backend(backend, None, args)


if __name__ == "__main__":
    main()
