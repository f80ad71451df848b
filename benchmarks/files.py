"""How fast the file stores write and read archival-sized files: the instance folder against an S3
service (the OpenStack Swift the tests start, on this machine, so the figures are the stores'
and the protocol's cost, not a network's).

Starts Swift (timed: the test session pays it once), then for each store puts ``--files``
distinct files of ``--size`` bytes (random, so each has its own content key), reads each back
whole, checks ``exists`` for each, and lists the keys; prints files per second and MB/s. The
folder store is measured when ``archive.folder_store`` exists.

    .venv/bin/python benchmarks/files.py [--files 200] [--size 102400]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.s3_store import S3Store  # noqa: E402
from benchmarks.machine import busy_seconds, describe  # noqa: E402
from tests.support.s3_fixtures import new_bucket  # noqa: E402
from tests.support.swift_server import start_server  # noqa: E402


def timed(label: str, count: int, size: int, work: Callable[[], Any]) -> None:
    began = time.perf_counter()
    work()
    seconds = time.perf_counter() - began
    print(f"  {label:<8} {count / seconds:8.0f} files/s  {count * size / seconds / 1e6:7.1f} MB/s  "
          f"({seconds * 1000 / count:.2f} ms each)")


def measure(name: str, store: Any, payloads: list[bytes]) -> None:
    print(f"{name}: {store.describe()}")
    size, count = len(payloads[0]), len(payloads)
    keys: list[str] = []
    timed("put", count, size, lambda: keys.extend(store.put(data).key for data in payloads))
    timed("get", count, size, lambda: [store.get(key) for key in keys])
    timed("exists", count, 0, lambda: [store.exists(key) for key in keys])
    timed("put again", count, size, lambda: [store.put(data) for data in payloads])
    began = time.perf_counter()
    listed = len(list(store.keys()))
    print(f"  keys     {listed} listed in {(time.perf_counter() - began) * 1000:.0f} ms")


def folder_store(folder: Path) -> Any | None:
    try:
        from archive.folder_store import FolderStore
    except ImportError:
        return None
    return FolderStore(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--size", type=int, default=100 * 1024)
    options = parser.parse_args()
    print(describe())
    payloads = [os.urandom(options.size) for _ in range(options.files)]
    busy = busy_seconds()
    began = time.perf_counter()
    server = start_server()
    try:
        print(f"Swift started in {server.started_in:.2f} s (ready on all four ports; "
              f"{time.perf_counter() - began:.2f} s with configs and rings); "
              f"the machine's CPU busy meanwhile {busy_seconds() - busy:.1f} s")
        bucket = new_bucket(server)
        measure("s3", S3Store.from_config(bucket.config("bench")), payloads)
        with tempfile.TemporaryDirectory(prefix="dossier-files-bench-") as folder:
            store = folder_store(Path(folder))
            if store is None:
                print("folder: archive.folder_store not there yet; not measured")
            else:
                measure("folder", store, payloads)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
