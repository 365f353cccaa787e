"""Writing the record, summary and kept audio readable by the owner only (0600)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def write_private(target: str | Path, text: str) -> None:
    """Write `text` to `target` with mode 0600 (created or replaced), or to stdout for "-"."""
    if str(target) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(target)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write(text)
