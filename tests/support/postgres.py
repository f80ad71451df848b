"""A real PostgreSQL server for the test session, from the distribution's binaries.

``initdb`` refuses to run as root (CI runs as root), so as root the data directory is owned by
the ``postgres`` system user and the binaries run through ``runuser``. The server listens on
127.0.0.1 and a Unix socket in its own temporary directory, and is stopped at the end.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg

INSTALL_HINT = "install it with ./bootstrap.sh (Debian package 'postgresql')"


def find_binaries() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]))
    if not candidates:
        raise RuntimeError(f"PostgreSQL server binaries not found under /usr/lib/postgresql; {INSTALL_HINT}")
    return Path(candidates[-1]).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    bindir: Path
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stderr or result.stdout}")

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync",
                  "-D", str(self.data))
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c max_connections=100")
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data),
                  "-l", str(self.root / "server.log"), "-o", options)

    def stop(self) -> None:
        if self.data.exists():
            self._run("pg_ctl", "stop", "-m", "fast", "-D", str(self.data))
        shutil.rmtree(self.root, ignore_errors=True)

    def create_database(self, name: str | None = None) -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


def start_server() -> PostgresServer:
    root = Path(tempfile.mkdtemp(prefix="dossier-pg-"))
    server = PostgresServer(find_binaries(), root, free_port())
    server.start()
    return server
