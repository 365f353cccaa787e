"""Peak resident memory of one process's own program, from /proc (VmHWM), in MB.

Not `ru_maxrss`: Linux carries the peak over an exec, so a child started from the benchmark (a
Python process holding decoders, over 400 MB) reported the benchmark's size, not its own.
VmHWM belongs to the memory map the exec created, so it counts only the program that runs.
"""

from __future__ import annotations

from pathlib import Path


def peak_rss_mb(pid: int | str = "self") -> float | None:
    """VmHWM of `pid` in MB; None once the process is gone (or without /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return None
