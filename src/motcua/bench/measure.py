"""Timing, memory and machine facts for benchmark reports."""

import math
import os
import platform
import resource
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import django
from django.db import connection


def timings(fn: Callable[[], object], *, reps: int, warmup: int = 1) -> dict:
    """p50/p95/min/max in milliseconds over `reps` calls, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return summary(samples)


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def rank(q: float) -> float:  # nearest-rank percentile: with 5 samples p95 is the maximum
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    return {
        "n": len(ordered),
        "p50_ms": round(rank(0.50), 2),
        "p95_ms": round(rank(0.95), 2),
        "min_ms": round(ordered[0], 2),
        "max_ms": round(ordered[-1], 2),
    }


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def peak_child_rss_mb() -> float:
    """The largest peak of the processes this one started and waited for (the import's writer)."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


@dataclass(frozen=True)
class CpuTimes:
    """CPU seconds used so far: by this process, by the children it has waited for, and by the
    whole machine (every process: the database server's share is what the other two leave)."""

    own: float
    children: float
    machine: float

    def since(self, earlier: "CpuTimes") -> "CpuTimes":
        return CpuTimes(
            own=self.own - earlier.own,
            children=self.children - earlier.children,
            machine=self.machine - earlier.machine,
        )


def cpu_times() -> CpuTimes:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    # /proc/stat's first line: user, nice, system, idle, iowait, irq, softirq … in clock ticks.
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]
    return CpuTimes(
        own=own.ru_utime + own.ru_stime,
        children=children.ru_utime + children.ru_stime,
        machine=busy / os.sysconf("SC_CLK_TCK"),
    )


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    info = {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": mem_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["postgresql"] = cursor.fetchone()[0]
    return info
