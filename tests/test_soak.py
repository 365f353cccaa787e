"""Soak (slow): 30 --wake sessions back to back in one process keep resident memory flat.

bench/soak.py does the work; 200 sessions there, a shorter run here so the suite stays quick.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_live_session import SESSIONS, needs_sphinx

ROOT = Path(__file__).resolve().parents[1]
SESSIONS_RUN, EVERY, BASELINE = 30, 5, 10
MAX_GROWTH_MB = 10.0
"""From session 10 to 30; a leak of 0.5 MB a session would show as 10 MB."""


@pytest.mark.slow
def test_thirty_wake_sessions_in_one_process_keep_memory_flat(tmp_path: Path) -> None:
    needs_sphinx()
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    if not (SESSIONS / "soon" / "expected.json").exists():
        pytest.skip(f"{SESSIONS}/soon is missing: run audio_fixtures/generate.py")
    report = tmp_path / "soak.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "soak.py"),
            *("--sessions", str(SESSIONS_RUN), "--every", str(EVERY)),
            *("--baseline", str(BASELINE), "--max-growth-mb", str(MAX_GROWTH_MB)),
            *("--time-limit", "150", "--report", str(report)),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    print(done.stdout)
    assert report.exists(), done.stdout + done.stderr
    data = json.loads(report.read_text())
    assert data["problems"] == [], done.stdout
    assert data["returncode"] == 0
    sessions = [s for s, _ in data["samples"]]
    assert sessions == [1, 5, 10, 15, 20, 25, 30], data["samples"]
    assert data["growth_mb"] <= MAX_GROWTH_MB, done.stdout
    assert done.returncode == 0, done.stdout
