"""Running Dossier as several real processes for a test: instance folders with a config.toml,
waitress servers and outbox workers as subprocesses on free ports, and a small HTTP client for
the API with bearer tokens.

Every process writes its stderr to a log in its instance folder; :meth:`Cluster.logs` gives the
tail of each so a failing test shows what the servers said. :func:`cluster` stops every process
it started (terminate, then kill) whatever happens.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
LOG_TAIL = 3000  # characters of each log shown on failure


def write_instance(folder: Path, settings: Mapping[str, str | int | bool]) -> Path:
    """An instance folder whose config.toml holds ``settings`` (keys as config.toml spells them)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in settings.items()]
    (folder / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def environment(instance: Path) -> dict[str, str]:
    """The environment of a process serving ``instance`` (its config.toml decides the rest)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DOSSIER_")}
    return {**env, "DOSSIER_INSTANCE": str(instance), "PYTHONUNBUFFERED": "1"}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def __str__(self) -> str:
        return f"HTTP {self.status}: {self.body[:400].decode('utf-8', 'replace')}"


@dataclass(frozen=True)
class Api:
    """The API of one server (``http://127.0.0.1:port/api/v1``) with bearer tokens by username."""

    name: str
    port: int
    tokens: Mapping[str, str]

    def call(self, method: str, path: str, user: str, body: Any = None, **query: Any) -> Answer:
        headers = {"Authorization": f"Bearer {self.tokens[user]}", "Accept-Language": "en"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        url = f"/api/v1{path}" + (f"?{urlencode(query)}" if query else "")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, url, body=data, headers=headers)
            response = connection.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                          response.read())
        finally:
            connection.close()

    def expect(self, status: int, method: str, path: str, user: str, body: Any = None,
               **query: Any) -> Answer:
        """The answer, which must have ``status`` (else an AssertionError naming the call)."""
        answer = self.call(method, path, user, body, **query)
        if answer.status != status:
            raise AssertionError(f"{method} {path} on server {self.name} as {user}: expected "
                                 f"{status}, got {answer}")
        return answer


@dataclass
class Cluster:
    """The processes started, by name, with their logs."""

    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    log_files: dict[str, Path] = field(default_factory=dict)

    def start(self, name: str, instance: Path, argv: list[str]) -> subprocess.Popen[bytes]:
        log = instance / f"{name}.log"
        self.log_files[name] = log
        with log.open("wb") as handle:
            process = subprocess.Popen(argv, cwd=ROOT, env=environment(instance),
                                       stdout=handle, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def serve(self, name: str, instance: Path) -> int:
        """A waitress server of ``instance`` on a free port, once it answers; its port."""
        port = free_port()
        process = self.start(name, instance, [str(VENV_BIN / "waitress-serve"), "--host", "127.0.0.1",
                                              "--port", str(port), "--threads", "4", "wsgi:app"])
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api/v1/openapi.json")
                connection.getresponse().read()
                return port
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"server {name} did not come up") from None
                time.sleep(0.1)

    def worker(self, name: str, instance: Path, *options: str) -> None:
        """An outbox worker of ``instance`` (``outbox run OPTIONS``)."""
        self.start(name, instance, [str(VENV_BIN / "flask"), "--app", "wsgi", "outbox", "run", *options])

    def check_alive(self) -> None:
        dead = {name: p.returncode for name, p in self.processes.items() if p.poll() is not None}
        if dead:
            raise AssertionError(f"processes ended early: {dead}")

    def logs(self) -> str:
        parts = []
        for name, path in self.log_files.items():
            text = path.read_text("utf-8", "replace") if path.exists() else "(no log)"
            parts.append(f"----- {name} ({path}) -----\n{text[-LOG_TAIL:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


@contextmanager
def cluster() -> Iterator[Cluster]:
    """A cluster stopped at the end; a failure inside carries every process's log."""
    running = Cluster()
    try:
        yield running
    except Exception as exc:
        raise AssertionError(f"{exc}\n\nThe processes' logs:\n{running.logs()}") from exc
    finally:
        running.stop()


def poll(what: str, probe: Any, timeout: float, interval: float = 0.05) -> tuple[Any, float]:
    """Call ``probe()`` until it returns something true; (that value, seconds it took)."""
    started = time.monotonic()
    while True:
        value = probe()
        elapsed = time.monotonic() - started
        if value:
            return value, elapsed
        if elapsed > timeout:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(interval)
