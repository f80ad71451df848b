"""A real S3 server for the test session (and the benchmarks): OpenStack Swift with its s3api.

Four plain processes (proxy with s3api and tempauth, account, container, object servers) under one
temporary folder, run by Debian's ``/usr/bin/python3`` through tests/support/swift_launcher.py
(Swift is in the distribution's dist-packages, not in our virtualenv). What it took to run Swift
here is in shared/DESIGN.md ("A real S3 server in tests"): one-device rings of part power 0,
``mount_check = false``, ``workers = 0`` (one process per server, no privilege drop), the hash
prefix set through ``set_swift_dir``, an in-process cache for tempauth, SigV4 with path-style
addressing on the client side. Object metadata lives in xattrs, which ext4 under /tmp supports.

A session killed before it could stop its servers leaves a folder whose ``owner.pid`` names a dead
process; the next start stops the servers listed in its ``servers.pid`` first (they call setsid,
so nothing else would). Missing packages are an error saying how to install them, never a silent
skip.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.postgres import free_port

SYSTEM_PYTHON = Path("/usr/bin/python3")
INSTALL_HINT = ("run ./bootstrap.sh setup (as root it installs the Debian packages 'swift swift-proxy "
                "swift-object swift-container swift-account'; otherwise it prints the apt-get command)")
LAUNCHER = Path(__file__).with_name("swift_launcher.py")
SERVERS = ("account", "container", "object", "proxy")
READY_TIMEOUT = 30.0  # seconds; 1.5–4.5 s on a quiet machine, ~8 s under load
START_ATTEMPTS = 3  # a free port can be taken between choosing it and the server binding it
ACCESS_KEY, SECRET_KEY, REGION = "test:tester", "testing", "us-east-1"

SWIFT_CONF = """\
[swift-hash]
swift_hash_path_prefix = dossier-tests
swift_hash_path_suffix = dossier-tests

[storage-policy:0]
name = Policy-0
default = yes
"""

STORAGE_CONF = """\
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = {port}
workers = 0
swift_dir = {folder}
devices = {folder}/devices
mount_check = false
log_name = {name}

[pipeline:main]
pipeline = {name}-server

[app:{name}-server]
use = egg:swift#{name}
"""

PROXY_CONF = """\
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = {port}
workers = 0
swift_dir = {folder}
log_name = proxy

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth \
copy slo dlo versioned_writes proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:cache]
paste.filter_factory = swift_launcher:cache_filter

[filter:s3api]
use = egg:swift#s3api
location = {region}

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = {secret} .admin

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
[filter:versioned_writes]
use = egg:swift#versioned_writes
"""


class SwiftUnavailable(RuntimeError):
    """Swift is not installed, or did not start (the message names the log to read)."""


@dataclass
class SwiftServer:
    folder: Path
    ports: dict[str, int]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    started_in: float = 0.0
    region: str = REGION
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['proxy']}"

    def log(self, name: str) -> Path:
        return self.folder / f"{name}.log"

    def stop(self, keep_logs: bool = False) -> None:
        """Stop every server by its PID (they call setsid, so no signal reaches them otherwise),
        then remove the folder (kept when it holds the logs of a failed start)."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self.processes.clear()
        if not keep_logs:
            shutil.rmtree(self.folder, ignore_errors=True)


def check_installed() -> None:
    """Swift and its s3api importable by the system Python, or :class:`SwiftUnavailable`."""
    if not SYSTEM_PYTHON.exists():
        raise SwiftUnavailable(f"{SYSTEM_PYTHON} not found (Swift runs on the system Python); {INSTALL_HINT}")
    probe = subprocess.run([str(SYSTEM_PYTHON), "-c", "import swift.common.middleware.s3api"],
                           capture_output=True, text=True, check=False)
    if probe.returncode:
        raise SwiftUnavailable(f"OpenStack Swift is not installed for {SYSTEM_PYTHON}; {INSTALL_HINT}")


def start_server(timeout: float = READY_TIMEOUT) -> SwiftServer:
    """A running Swift on free ports, ready when all four ports accept connections."""
    check_installed()
    stop_orphans()
    for attempt in range(1, START_ATTEMPTS + 1):
        server = _configure(Path(tempfile.mkdtemp(prefix="dossier-swift-")))
        began = time.monotonic()
        try:
            _launch(server)
            _wait_ready(server, began + timeout)
        except SwiftUnavailable:
            retry = attempt < START_ATTEMPTS and _port_taken(server)
            server.stop(keep_logs=not retry)
            if not retry:
                raise
            continue
        server.started_in = time.monotonic() - began
        atexit.register(server.stop)
        return server
    raise AssertionError("unreachable")


def _configure(folder: Path) -> SwiftServer:
    """Configs, rings and the device folder of a new server in ``folder``."""
    server = SwiftServer(folder, {name: free_port() for name in SERVERS})
    (folder / "devices" / "d1").mkdir(parents=True)
    (folder / "swift.conf").write_text(SWIFT_CONF)
    for name in SERVERS[:3]:
        (folder / f"{name}-server.conf").write_text(
            STORAGE_CONF.format(port=server.ports[name], folder=folder, name=name))
    (folder / "proxy-server.conf").write_text(PROXY_CONF.format(
        port=server.ports["proxy"], folder=folder, region=server.region, secret=server.secret_key))
    shutil.copy(LAUNCHER, folder / LAUNCHER.name)
    rings = subprocess.run([str(SYSTEM_PYTHON), str(folder / LAUNCHER.name), "rings", str(folder),
                            *(str(server.ports[name]) for name in SERVERS[:3])],
                           capture_output=True, text=True, check=False)
    if rings.returncode:
        shutil.rmtree(folder, ignore_errors=True)
        raise SwiftUnavailable(f"building Swift's rings failed:\n{rings.stderr[-2000:]}")
    return server


def _launch(server: SwiftServer) -> None:
    for name in SERVERS:
        with server.log(name).open("wb") as log:
            server.processes[name] = subprocess.Popen(
                [str(SYSTEM_PYTHON), str(server.folder / LAUNCHER.name), "serve", str(server.folder),
                 str(server.folder / f"{name}-server.conf")],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=server.folder,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    (server.folder / "owner.pid").write_text(f"{os.getpid()}\n")
    (server.folder / "servers.pid").write_text("".join(f"{p.pid}\n" for p in server.processes.values()))


def stop_orphans(root: Path | None = None) -> None:
    """Stop the servers of earlier sessions that died without stopping them, and remove their
    folders. Only PIDs still running our launcher are signalled (a PID can be reused)."""
    for folder in Path(root or tempfile.gettempdir()).glob("dossier-swift-*"):
        owner = _pid_in(folder / "owner.pid")
        if owner is None or _alive(owner):
            continue
        for line in _lines(folder / "servers.pid"):
            with contextlib.suppress(ValueError, OSError):
                pid = int(line)
                if LAUNCHER.name in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)


def _pid_in(path: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(path.read_text().strip())
    return None


def _lines(path: Path) -> list[str]:
    with contextlib.suppress(OSError):
        return path.read_text().split()
    return []


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def _wait_ready(server: SwiftServer, deadline: float) -> None:
    waiting = set(SERVERS)
    while waiting:
        for name in sorted(waiting):
            process = server.processes[name]
            if process.poll() is not None:
                raise SwiftUnavailable(f"Swift's {name} server exited with {process.returncode}; "
                                       f"see {server.log(name)}:\n{_tail(server.log(name))}")
            if _accepts(server.ports[name]):
                waiting.discard(name)
        if waiting and time.monotonic() > deadline:
            name = sorted(waiting)[0]
            raise SwiftUnavailable(f"Swift's {name} server did not accept connections on port "
                                   f"{server.ports[name]} in time; see {server.log(name)}:\n"
                                   f"{_tail(server.log(name))}")
        if waiting:
            time.sleep(0.1)


def _accepts(port: int) -> bool:
    with contextlib.closing(socket.socket()) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _port_taken(server: SwiftServer) -> bool:
    return any("Address already in use" in _tail(server.log(name)) for name in SERVERS)


def _tail(path: Path, size: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return ""
