"""--wake: wait for the phrase, run a triage, wait again, until the input ends."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.run import _is_phrase

SELF_CARE = "no\n" * 7


@pytest.mark.parametrize(
    ("heard", "wanted", "ok"),
    [
        ("hello helper", "hello helper", True),
        ("um hello helper please", "hello helper", True),
        ("hello helpers", "hello helper", True),
        ("hello", "hello helper", False),
        ("yes", "hello helper", False),
        ("", "hello helper", False),
    ],
)
def test_the_wake_phrase_is_recognised(heard: str, wanted: str, ok: bool) -> None:
    assert _is_phrase(tuple(heard.split()), tuple(wanted.split())) is ok


def test_typed_always_on_runs_one_triage_per_wake_phrase(tmp_path: Path) -> None:
    rec = tmp_path / "r.json"
    script = "good morning\nhello helper\nyes\nstop\nnoise\nhello helper\n" + SELF_CARE
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant",
            "--text",
            "--mute",
            "--wake",
            "hello helper",
            "--json",
            str(rec),
        ],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("When you want to start, say: hello helper.") == 3
    assert out.stdout.count("Please get emergency care now.") == 1
    assert out.stdout.count("Your answers do not show any warning signs.") == 1
    assert json.loads(rec.read_text())["disposition"] == "self_care"  # the latest session
