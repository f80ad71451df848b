"""Index freshness during a burst (issue 18): how long after its 201 a submission is found by
search, while the archival PDFs drain behind it.

    .venv/bin/python benchmarks/freshness.py [--records 1500] [--clients 16]
        [--database sqlite|postgresql] [--poll 0.1]

1. Makes a fresh instance (a temporary folder, ``flask init``, ``flask demo``, a bearer token
   for ``clerk``); on ``--database postgresql`` its database on a PostgreSQL server started the
   way the test suite starts it.
2. Serves it exactly as ``./bootstrap.sh serve`` does: the waitress line and the ``outbox run``
   lines are read from bootstrap.sh's ``serve`` section and run as they stand (one worker for
   ``search.index``, one for ``pdf.archival``, one for the rest with the jobs).
3. Warms up (``--clients`` submissions, found and rendered), then submits ``--records``
   complaints through ``POST /api/v1/records`` from ``--clients`` threads with no pause.
4. Meanwhile a poller searches (``GET /api/v1/search``, as the clerk) for the burst's codes:
   every ``--poll`` seconds it lists the year's codes newest first (``q=CP-2026-``), page after
   page while a page brings codes not seen before, and notes when each code first appears; a
   code the listing missed is then searched for by its code until found. Freshness of a code is
   the time from its 201 reaching the client to the poll that found it (so it is over by up to
   one poll interval and one search; a code found before its 201 arrived counts 0).
5. Prints p50/p95/max freshness, submissions per second, the submissions' own p50/p95, how long
   the archival PDFs took to drain (from the burst's start, and after its last 201), the CPU
   each process used and how busy the machine was with other work (``other cores``: on a
   shared machine a run with other cores well above 0 was disturbed). It asserts no duration.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.machine import busy_seconds, describe  # noqa: E402
from benchmarks.submit import BODY, flask, tree_cpu_seconds  # noqa: E402
from tests.support.postgres import free_port, start_server  # noqa: E402

VENV_BIN = Path(sys.executable).parent
PAGE = 100  # the search API's largest page


# --- the server as bootstrap.sh serve starts it -----------------------------------------------

def serve_commands(port: int, script_path: Path) -> tuple[list[list[str]], list[str]]:
    """The ``outbox run`` commands and the waitress command of bootstrap.sh's ``serve``."""
    script = script_path.read_text()
    section = script[script.index("\n  serve)"):script.index("\n    ;;", script.index("\n  serve)"))]
    lines = [line.strip() for line in section.splitlines()]
    workers = [_argv(line.removesuffix("&"), port) for line in lines
               if " outbox run" in line and line.endswith("&")]
    [server] = [_argv(line, port) for line in lines if "waitress-serve" in line]
    return workers, server


def _argv(line: str, port: int) -> list[str]:
    argv = shlex.split(line.replace("${PORT:-5000}", str(port)))
    return [str(VENV_BIN / Path(arg).name) if arg.startswith(".venv/bin/") else arg for arg in argv]


@dataclass
class Served:
    port: int
    processes: dict[str, subprocess.Popen[bytes]]
    postmaster: int | None = None

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of each process (and of the PostgreSQL server, if any)."""
        used = {name: tree_cpu_seconds(process.pid) for name, process in self.processes.items()}
        if self.postmaster:
            used["postgresql"] = tree_cpu_seconds(self.postmaster)
        return used


@contextmanager
def serve(env: dict[str, str], postmaster: int | None, script: Path) -> Iterator[Served]:
    port = free_port()
    workers, server = serve_commands(port, script)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for argv in workers:
            processes[_worker_name(argv)] = _start(argv, env, _worker_name(argv))
        processes["waitress"] = _start(server, env, "waitress")
        _wait_up(port, processes["waitress"])
        print("served as bootstrap.sh serve:", *(" ".join(a if not a.startswith("/") else Path(a).name
                                                           for a in argv) for argv in [server, *workers]),
              sep="\n  ", flush=True)
        yield Served(port, processes, postmaster)
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=60)


def _start(argv: list[str], env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
    """Start one process with its stderr (errors, tracebacks) in a log in the instance folder."""
    log = Path(env["DOSSIER_INSTANCE"]) / f"{name.replace(' ', '-').replace(',', '+')}.log"
    with log.open("wb") as handle:
        return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=handle)


def _worker_name(argv: list[str]) -> str:
    """``worker search.index``, ``worker all but search.index,pdf.archival``."""
    if "--topics" in argv:
        return f"worker {argv[argv.index('--topics') + 1]}"
    if "--skip-topics" in argv:
        return f"worker all but {argv[argv.index('--skip-topics') + 1]}"
    return "worker"


def _wait_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/openapi.json")
            connection.getresponse().read()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("waitress did not come up") from None
            time.sleep(0.2)


# --- submitting and finding -------------------------------------------------------------------

def submit_burst(port: int, token: str, clients: int, total: int) -> dict[str, float]:
    """``total`` submissions from ``clients`` threads; each code's 201 time (perf_counter)."""
    answered: dict[str, float] = {}
    failures: list[str] = []
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    gate = threading.Barrier(clients, timeout=60)

    def client(count: int) -> None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            gate.wait()
            for _ in range(count):
                connection.request("POST", "/api/v1/records", body=BODY, headers=headers)
                response = connection.getresponse()
                body = response.read()
                if response.status != 201:
                    raise RuntimeError(f"HTTP {response.status}: {body[:200]!r}")
                answered[json.loads(body)["code"]] = time.perf_counter()
        except Exception as exc:
            failures.append(repr(exc))

    shares = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=1200)
    if failures or len(answered) != total:
        raise SystemExit(f"{len(failures)} clients failed ({len(answered)}/{total} made): {failures[:3]}")
    return answered


@dataclass
class Poller:
    """Lists the year's codes newest first every ``interval`` s; notes when each first appears."""

    port: int
    token: str
    prefix: str
    known: set[str]  # codes there before the burst
    interval: float
    found: dict[str, float] = field(default_factory=dict)
    searches: int = 0
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def search(self, connection: http.client.HTTPConnection, **params: object) -> list[str]:
        query = urllib.parse.urlencode({"per_page": PAGE, **params})
        connection.request("GET", f"/api/v1/search?{query}",
                           headers={"Authorization": f"Bearer {self.token}"})
        response = connection.getresponse()
        body = response.read()
        self.searches += 1
        if response.status != 200:
            raise RuntimeError(f"search answered HTTP {response.status}: {body[:200]!r}")
        return [hit["code"] for hit in json.loads(body)["hits"]]

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                self.sweep(connection)
            except RuntimeError as exc:  # counted and shown; the next sweep goes on
                self.errors.append(str(exc))
            self.stop.wait(max(0.0, self.interval - (time.perf_counter() - started)))

    def sweep(self, connection: http.client.HTTPConnection) -> None:
        for page in range(1, 1000):
            codes = self.search(connection, q=self.prefix, sort="newest", page=page)
            now = time.perf_counter()
            new = [code for code in codes if code not in self.found and code not in self.known]
            for code in new:
                self.found[code] = now
            if not new or len(codes) < PAGE:
                return

    def find_each(self, codes: list[str], timeout: float) -> list[str]:
        """Search for each code the listing did not bring, by its code, until found; the codes
        never found within ``timeout``."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        missing, deadline = [c for c in codes if c not in self.found], time.monotonic() + timeout
        while missing and time.monotonic() < deadline:
            for code in list(missing):
                if code in self.search(connection, q=code):
                    self.found[code] = time.perf_counter()
                    missing.remove(code)
            time.sleep(0.2 if missing else 0)
        return missing


# --- the database's side ----------------------------------------------------------------------

def pending(url: str) -> dict[str, int]:
    """Outbox rows not done yet, per topic."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT topic, COUNT(*) FROM outbox WHERE done_at IS NULL GROUP BY topic")).all()
    engine.dispose()
    return {topic: count for topic, count in rows}


def codes_in(url: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        codes = set(connection.execute(text("SELECT code FROM records")).scalars())
    engine.dispose()
    return codes


@dataclass
class DrainWatch:
    """From when it starts (after the burst's last 201), notes how long after ``started`` each
    busy topic first had no pending row (polled every 0.2 s)."""

    url: str
    started: float
    drained: dict[str, float] = field(default_factory=dict)

    def run(self, timeout: float = 3600) -> None:
        deadline = time.monotonic() + timeout
        while len(self.drained) < 2 and time.monotonic() < deadline:
            left = pending(self.url)
            for topic in ("search.index", "pdf.archival"):
                if topic not in self.drained and not left.get(topic):
                    self.drained[topic] = time.perf_counter() - self.started
            time.sleep(0.2)


def wait_drained(url: str, started: float) -> dict[str, float]:
    watch = DrainWatch(url, started)
    watch.run()
    if len(watch.drained) < 2:
        raise SystemExit(f"the outbox did not drain: {pending(url)}")
    return watch.drained


# --- one run ----------------------------------------------------------------------------------

def warm_up(served: Served, token: str, clients: int, url: str) -> str:
    """A few submissions, found and rendered (fonts loaded, searchers open); the codes' prefix."""
    codes = list(submit_burst(served.port, token, clients, clients))
    prefix = codes[0].rsplit("-", 1)[0] + "-"
    poller = Poller(served.port, token, prefix, set(), 0.2)
    if poller.find_each(codes, 300):
        raise SystemExit("the warm-up's submissions were never found by search")
    wait_drained(url, time.perf_counter())
    return prefix


def wait_found(answered: dict[str, float], poller: Poller, watch: DrainWatch) -> None:
    """Until the poller found every code, or the index drained 10 s ago and some are still
    not listed (find_each then searches for them one by one)."""
    deadline = time.monotonic() + 600
    while not answered.keys() <= poller.found.keys() and time.monotonic() < deadline:
        indexed = watch.drained.get("search.index")
        if indexed is not None and time.perf_counter() - watch.started > indexed + 10:
            return
        time.sleep(0.1)


def run(served: Served, token: str, args: argparse.Namespace, url: str) -> None:
    prefix = warm_up(served, token, args.clients, url)
    poller = Poller(served.port, token, prefix, codes_in(url), args.poll)
    cpu, busy = served.cpu(), busy_seconds()
    own = time.process_time()
    thread = threading.Thread(target=poller.run, daemon=True)
    thread.start()
    started = time.perf_counter()
    answered = submit_burst(served.port, token, args.clients, args.records)
    last_201 = max(answered.values()) - started
    watch = DrainWatch(url, started)
    watcher = threading.Thread(target=watch.run, daemon=True)
    watcher.start()
    wait_found(answered, poller, watch)
    poller.stop.set()  # no more searches once every code was found: the PDFs drain alone
    thread.join(timeout=120)
    listed = len([code for code in answered if code in poller.found])
    never = poller.find_each(sorted(answered), 300)
    watcher.join()
    drained = watch.drained
    if len(drained) < 2:
        raise SystemExit(f"the outbox did not drain: {pending(url)}")
    cpu = {name: used - cpu.get(name, 0.0) for name, used in served.cpu().items()}
    elapsed = time.perf_counter() - started
    busy, own = busy_seconds() - busy, time.process_time() - own
    report(args, answered, poller, started, last_201, drained, listed, never)
    print(f"\nCPU seconds from the burst's start to the drain ({elapsed:.1f} s): "
          + ", ".join(f"{name} {used:.1f}" for name, used in cpu.items())
          + f", this load generator {own:.1f}; machine busy {busy / elapsed:.2f} cores, of which "
          f"other work {max(0.0, busy - sum(cpu.values()) - own) / elapsed:.2f} cores")


def report(args: argparse.Namespace, answered: dict[str, float], poller: Poller, started: float,
           last_201: float, drained: dict[str, float], listed: int, never: list[str]) -> None:
    fresh = sorted(max(0.0, poller.found[code] - at) for code, at in answered.items()
                   if code in poller.found)
    q = statistics.quantiles(fresh, n=100)
    print(f"\n{args.records} submissions from {args.clients} clients on {args.database}: "
          f"{args.records / last_201:.0f} submissions/s (last 201 after {last_201:.1f} s)")
    print(f"freshness (201 → found by search): p50 {q[49]:.2f} s, p95 {q[94]:.2f} s, "
          f"max {fresh[-1]:.2f} s  ({listed} found by the newest-first listing, "
          f"{len(fresh) - listed} by their code, {len(never)} never; {poller.searches} searches, "
          f"a sweep every {args.poll:g} s until all were found)")
    print(f"search.index drained {drained['search.index']:.1f} s after the burst's start; "
          f"archival PDFs drained {drained['pdf.archival']:.1f} s after it "
          f"({drained['pdf.archival'] - last_201:.1f} s after the last 201, "
          f"{args.records / drained['pdf.archival']:.1f} PDFs/s)")
    if poller.errors:
        print(f"{len(poller.errors)} searches failed (the server's log is in the instance folder), "
              f"e.g. {poller.errors[0]}")
    if never:
        raise SystemExit(f"{len(never)} submissions were never found by search, e.g. {never[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1500, help="submissions in the burst")
    parser.add_argument("--clients", type=int, default=16, help="client threads")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--poll", type=float, default=0.1, help="seconds between the poller's sweeps")
    parser.add_argument("--script", type=Path, default=ROOT / "bootstrap.sh",
                        help="the script whose serve section to run (to try another layout)")
    args = parser.parse_args()
    print(f"machine: {describe()}", flush=True)
    instance = Path(tempfile.mkdtemp(prefix="dossier-bench-freshness-"))
    print(f"instance: {instance} (each process's stderr is logged there)", flush=True)
    env = {**os.environ, "DOSSIER_INSTANCE": str(instance)}
    env.pop("DOSSIER_DATABASE_URL", None)
    url = f"sqlite:///{instance / 'dossier.sqlite3'}"
    pg = start_server() if args.database == "postgresql" else None
    try:
        if pg is not None:
            url = env["DOSSIER_DATABASE_URL"] = pg.create_database("freshness")
        flask(env, "init")
        flask(env, "demo")
        token = flask(env, "tokens", "create", "clerk", "--label", "benchmark").strip()
        postmaster = int((pg.data / "postmaster.pid").read_text().split()[0]) if pg else None
        with serve(env, postmaster, args.script) as served:
            run(served, token, args, url)
    finally:
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    main()
