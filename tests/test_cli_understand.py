"""`back-assistant understand`: any wording checked without a session, by a person or a script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

SCRIPT = shutil.which("back-assistant", path=str(Path(sys.executable).parent)) or "back-assistant"


def run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, "understand", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_json_gives_text_intent_slots_confidence_and_why_for_each_answer() -> None:
    out = run(["--question", "location", "--json", "my backside, the right side", "banana"])
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["text"] for r in rows] == ["my backside, the right side", "banana"]
    assert rows[0]["intent"] == "location" and rows[0]["slots"] == {"places": ["buttocks"]}
    assert rows[0]["confidence"] == 1.0 and "backside" in rows[0]["why"][0]
    assert rows[1]["intent"] is None and rows[1]["slots"] == {} and rows[1]["why"] == []


def test_one_answer_per_line_of_standard_input() -> None:
    out = run(
        ["--question", "bladder", "--json"], "Er, not lately, no.\nI've had a couple of accidents\n"
    )
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["intent"] for r in rows] == ["no", "yes"]
    assert any("accidents" in line for line in rows[1]["why"])


def test_plain_output_says_the_intent_and_the_deciding_words() -> None:
    out = run(["--question", "bladder", "no, but both my legs have gone numb"])
    assert out.returncode == 0, out.stderr
    first, *why = out.stdout.splitlines()
    assert "-> no" in first
    assert any("both_legs" in line and "both legs" in line for line in why)
    rows = json.loads(
        run(["--question", "bladder", "--json", "no, but both my legs have gone numb"]).stdout
    )
    assert rows[0]["also"] == ["both_legs"]


def test_an_unknown_question_is_one_line_and_exit_code_2() -> None:
    out = run(["--question", "elbow", "hello"])
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "elbow" in out.stderr
    assert "Traceback" not in out.stderr
