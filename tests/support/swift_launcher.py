"""Run by Debian's ``/usr/bin/python3`` (Swift lives in its dist-packages, not in our virtualenv):
build a throwaway Swift's rings, or run one of its servers. Imports nothing of ours.

    python3 swift_launcher.py rings DIR ACCOUNT_PORT CONTAINER_PORT OBJECT_PORT
    python3 swift_launcher.py serve DIR CONF_FILE

``serve`` calls ``set_swift_dir`` before ``run_wsgi``: without it Swift reads the hash prefix and
suffix from /etc/swift/swift.conf whatever the config's ``swift_dir`` says. The file is copied
into the server's folder and run from there, so the proxy's ``cache`` filter can name it as a
module (``swift_launcher:cache_filter``) without putting tests/support on Swift's import path.
"""

from __future__ import annotations

import sys
import time


class MemoryCache:
    """The part of Swift's memcache client that tempauth and the proxy use, in one process's
    memory: a test Swift needs no memcached (``workers = 0`` keeps the proxy in one process)."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[float, object]] = {}

    def get(self, key, raise_on_error=False):
        expires, value = self._values.get(key, (0.0, None))
        if expires and expires < time.time():
            self._values.pop(key, None)
            return None
        return value

    def set(self, key, value, serialize=True, time=0, min_compress_len=0, raise_on_error=False):
        self._values[key] = (_expiry(time), value)

    def delete(self, key, server_key=None):
        self._values.pop(key, None)

    def incr(self, key, delta=1, time=0):
        value = int(self.get(key) or 0) + delta
        self.set(key, value, time=time)
        return value

    def decr(self, key, delta=1, time=0):
        return self.incr(key, -delta, time)

    def get_multi(self, keys, server_key):
        return [self.get(f"{server_key}/{key}") for key in keys]

    def set_multi(self, mapping, server_key, serialize=True, time=0, min_compress_len=0):
        for key, value in mapping.items():
            self.set(f"{server_key}/{key}", value, time=time)


def _expiry(seconds: float) -> float:
    if not seconds:
        return 0.0
    # memcached's rule: more than 30 days is an absolute time.
    return float(seconds) if seconds > 30 * 86400 else time.time() + float(seconds)


def cache_filter(global_conf, **local_conf):
    """A paste filter factory putting one :class:`MemoryCache` in ``env['swift.cache']``."""
    cache = MemoryCache()

    def make(app):
        def middleware(env, start_response):
            env["swift.cache"] = cache
            return app(env, start_response)
        return middleware
    return make


def build_rings(folder: str, ports: dict[str, int]) -> None:
    """One ring per server: part power 0, 1 replica, the one device ``d1`` on 127.0.0.1."""
    from swift.common.ring import RingBuilder

    for name, port in ports.items():
        builder = RingBuilder(0, 1, 1)
        builder.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1", "port": port,
                         "device": "d1", "weight": 1.0})
        builder.rebalance()
        builder.get_ring().save(f"{folder}/{name}.ring.gz")


def serve(folder: str, conf_file: str) -> int:
    from swift.common.utils import set_swift_dir
    from swift.common.wsgi import run_wsgi

    set_swift_dir(folder)
    section = conf_file.rsplit("/", 1)[-1].removesuffix(".conf")
    # verbose: log to stderr too (the caller's log file); syslog goes nowhere here.
    return run_wsgi(conf_file, section, verbose=True)


if __name__ == "__main__":
    command, folder, *rest = sys.argv[1:]
    if command == "rings":
        build_rings(folder, dict(zip(("account", "container", "object"), map(int, rest), strict=True)))
    else:
        sys.exit(serve(folder, rest[0]))
