"""How much CPU other processes took while the bench ran (Linux ``/proc/stat``).

The benchmark machine's two cores are shared; a busy neighbour slows both sides of every
ratio, and it makes PyTorch's two OpenMP threads stall on each other. Recording the
neighbours' load says how far the absolute numbers can be trusted.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

_PROC_STAT = Path("/proc/stat")


@dataclass(frozen=True)
class CpuSample:
    wall: float
    busy_all: float | None  # CPU-seconds busy on the whole machine, None off Linux
    own: float  # CPU-seconds used by this process and its waited-for children


def sample() -> CpuSample:
    busy: float | None = None
    try:
        fields = _PROC_STAT.read_text().splitlines()[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
        busy = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        busy = None
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    own = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    return CpuSample(time.perf_counter(), busy, own)


def others_cores(start: CpuSample, end: CpuSample) -> float | None:
    """Average number of cores other processes kept busy between two samples."""
    if start.busy_all is None or end.busy_all is None or end.wall <= start.wall:
        return None
    others = (end.busy_all - start.busy_all) - (end.own - start.own)
    return max(others, 0.0) / (end.wall - start.wall)
