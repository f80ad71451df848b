"""What every benchmark prints about the machine, and how busy the machine was while it ran."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def describe() -> str:
    """nproc, CPU, memory, Python, OS and the load average now (take it before the run)."""
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), "0")
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return (f"nproc {os.cpu_count()}, {cpu_model()}, {int(memory) / 2**20:.0f} GiB, "
            f"Python {platform.python_version()}, {platform.platform()}, load average before the run {load}")


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy since boot: user, nice, system, irq and
    softirq (not idle, iowait, or time stolen by the hypervisor, see :func:`stolen_seconds`)."""
    user, nice, system, _idle, _iowait, irq, softirq = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8])
    return (user + nice + system + irq + softirq) / CLOCK_TICKS


def stolen_seconds() -> float:
    """CPU seconds the hypervisor has taken from this machine since boot."""
    return int(Path("/proc/stat").read_text().split("\n", 1)[0].split()[8]) / CLOCK_TICKS


def own_seconds() -> float:
    """CPU of this process and of its children that have been waited for."""
    import resource

    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


#: ``python -c _TRAMPOLINE FD ARGV...``: runs ARGV as its child and writes that child's
#: "cpu_seconds max_rss_kb" to the file descriptor FD.
_TRAMPOLINE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_pid, status, usage = os.wait4(pid, 0)
os.write(int(sys.argv[1]), f"{usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}".encode())
sys.exit(os.waitstatus_to_exitcode(status))
"""


@dataclass(frozen=True)
class Measured:
    returncode: int
    wall: float
    cpu: float
    max_rss_mb: float


def run_measured(argv: list[str], **popen: Any) -> Measured:
    """Run ``argv`` and measure its wall time, CPU time and peak memory (max RSS), its own.

    ``os.wait4`` on a direct child is not enough when this process is large: Linux carries a
    process's peak RSS over ``execve``, so a child forked from a 250 MB benchmark reports at least
    250 MB whatever it does. ``argv`` therefore runs as the child of a small Python trampoline,
    which sends that grandchild's resource use back through a pipe."""
    read_end, write_end = os.pipe()
    started = time.perf_counter()
    with os.fdopen(read_end, "rb") as report:
        try:
            process = subprocess.Popen([sys.executable, "-c", _TRAMPOLINE, str(write_end), *argv],
                                       pass_fds=(write_end,), **popen)
        finally:
            os.close(write_end)
        returncode = process.wait()
        wall = time.perf_counter() - started
        cpu, max_rss_kb = report.read().split()
    return Measured(returncode, wall, float(cpu), int(max_rss_kb) / 1024)
