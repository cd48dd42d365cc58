"""What this CPU can do fast, read once from the kernel (Linux) and cached."""

from __future__ import annotations

import functools
from pathlib import Path


@functools.cache
def cpu_flags() -> frozenset[str]:
    """The CPU feature flags of the first processor in ``/proc/cpuinfo`` (empty elsewhere)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.partition(":")[2].split())
    return frozenset()


def has_amx_bf16() -> bool:
    """Whether bfloat16 matrix products run in hardware (AMX tiles), not emulated."""
    return {"amx_bf16", "amx_tile"} <= cpu_flags()
