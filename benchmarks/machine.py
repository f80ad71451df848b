"""What every benchmark prints about the machine, and how busy the machine was while it ran."""

from __future__ import annotations

import os
import platform
from pathlib import Path

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
