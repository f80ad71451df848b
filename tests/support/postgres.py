"""A real PostgreSQL server for the test session (and the benchmarks), from the distribution's binaries.

``initdb`` refuses to run as root (CI runs as root), so as root the server's directory belongs to
the ``postgres`` system user and every binary runs through ``runuser -u postgres --``; as anyone
else the binaries run directly. The server listens on 127.0.0.1 and on a Unix socket inside its
own temporary directory, on a free port, and is stopped with ``pg_ctl stop -m fast`` at the end
(also at interpreter exit, should the caller forget). A session killed before it could stop its
server leaves an ``owner.pid`` naming a dead process; the next start stops such servers first.

Missing binaries are an error that says how to install them, never a silent skip.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg

INSTALL_HINT = ("run ./bootstrap.sh (as root it installs the Debian package 'postgresql'; "
                "otherwise it prints the apt-get command to run)")
BINARY_ROOT = Path("/usr/lib/postgresql")
ROOT_PREFIX = "dossier-pg-"
SERVICE_USER = "postgres"
START_ATTEMPTS = 3  # a free port can be taken between choosing it and the server binding it


class PostgresUnavailable(RuntimeError):
    """The server binaries or the ``postgres`` system user are missing: the machine is not set up."""


def _version_key(bindir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name))


def find_binaries(root: Path | None = None) -> Path:
    """``/usr/lib/postgresql/<newest version>/bin``, holding ``initdb`` and ``pg_ctl``."""
    root = root or BINARY_ROOT
    found = [initdb.parent for initdb in root.glob("*/bin/initdb")
             if (initdb.parent / "pg_ctl").exists()]
    if not found:
        raise PostgresUnavailable(
            f"PostgreSQL server binaries (initdb, pg_ctl) not found under {root}/<version>/bin; "
            f"{INSTALL_HINT}")
    return max(found, key=_version_key)


def running_as_root() -> bool:
    return os.geteuid() == 0


def _check_service_user() -> None:
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root, but there is no {SERVICE_USER!r} system user to run PostgreSQL as "
            f"(initdb refuses root); {INSTALL_HINT}") from None
    if shutil.which("runuser") is None:
        raise PostgresUnavailable("running as root, but 'runuser' (util-linux) is not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    bindir: Path
    root: Path
    port: int
    running: bool = False

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if running_as_root():
            command = ["runuser", "-u", SERVICE_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n"
                               f"{result.stderr or result.stdout}{self._log_tail()}")

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\nserver log:\n" + "\n".join(text.splitlines()[-lines:])

    def initdb(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if running_as_root():
            shutil.chown(self.root, SERVICE_USER, SERVICE_USER)
        self._run("initdb", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
                  "--no-sync", "-D", str(self.data))

    def start(self) -> None:
        # Durability is not under test: fsync off makes every commit cheap on a test machine.
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=100")
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data),
                  "-l", str(self.log), "-o", options)
        self.running = True

    def stop(self) -> None:
        """Stop the server and delete its files; safe to call twice."""
        try:
            if self.running:
                self.running = False
                self._run("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.data))
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def dsn(self, database: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None, *, template: str | None = None) -> str:
        """A fresh database, empty or a copy of ``template`` (which nobody may be connected to).

        Returns its SQLAlchemy URL; the name is the last part of it.
        """
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        for given in (name, template or "template0"):
            if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", given):
                raise ValueError(f"not a plain database name: {given!r}")
        statement = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        with psycopg.connect(self.dsn(), autocommit=True) as connection:
            connection.execute(statement)
        return self.url(name)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_orphans(bindir: Path) -> None:
    """Stop servers whose owning process died without stopping them (killed test sessions)."""
    for root in Path(tempfile.gettempdir()).glob(ROOT_PREFIX + "*"):
        try:
            owner = int((root / "owner.pid").read_text())
        except (OSError, ValueError):
            continue
        if not _alive(owner):
            orphan = PostgresServer(bindir, root, 0, running=(root / "data" / "postmaster.pid").exists())
            # Best effort: a fresh server does not depend on the orphan being gone.
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                orphan.stop()


def start_server() -> PostgresServer:
    """initdb into a new temporary directory and start a server on a free loopback port."""
    bindir = find_binaries()
    if running_as_root():
        _check_service_user()
    reap_orphans(bindir)
    server = PostgresServer(bindir, Path(tempfile.mkdtemp(prefix=ROOT_PREFIX)), free_port())
    (server.root / "owner.pid").write_text(str(os.getpid()))
    try:
        server.initdb()
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                server.start()
                break
            except RuntimeError:
                if attempt == START_ATTEMPTS:
                    raise
                server.port = free_port()
    except BaseException:
        server.stop()
        raise
    atexit.register(server.stop)
    return server
