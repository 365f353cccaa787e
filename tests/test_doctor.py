"""`back-assistant doctor`: one line per part, and the command that fixes each missing one."""

from __future__ import annotations

import subprocess
import sys


def test_doctor_checks_every_part_and_says_how_to_fix_what_is_missing() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "doctor"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PULSE_SERVER": "unix:/nonexistent", "HOME": "/nonexistent"},
    )
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 14, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert lines[-2].startswith("engine ") and "--engine auto uses" in lines[-2]
    for line in lines[:-2]:
        assert line.split()[0] in ("ok", "MISSING", "optional")
        if not line.startswith("ok"):
            assert "To fix:" in line or "To add it:" in line
    assert out.returncode == (0 if "MISSING" not in out.stdout else 1)
    assert "English Vosk model" in out.stdout
    assert "Whisper model" in out.stdout
