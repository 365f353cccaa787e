"""Whole typed conversations through the installed console script, as a person would run it."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = shutil.which("back-assistant", path=str(Path(sys.executable).parent)) or "back-assistant"


def run(args: list[str], stdin: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, *args], input=stdin, capture_output=True, text=True, timeout=60, check=False, **kw
    )  # type: ignore[call-overload]


def test_bladder_yes_ends_in_an_emergency_and_asks_no_more_warning_signs() -> None:
    out = run(["--text", "--mute", "--json", "-"], "yes\n")
    assert out.returncode == 0, out.stderr
    captions, _, record = out.stdout.partition("\n{")
    data = json.loads("{" + record)
    assert data["disposition"] == "emergency" and data["completed"] is True
    assert data["engine"] == "typed"
    assert data["turns"][0] == {
        "question": "bladder",
        "heard": "yes",
        "intent": "yes",
        "confidence": 1.0,
        "why": ['says yes: "yes"'],
    }
    assert "numbness between your legs" not in captions and "both legs?" not in captions
    assert "Call 911" in captions


def test_no_everywhere_with_tingling_in_the_legs_is_self_care_and_mentions_the_sciatic_nerve() -> (
    None
):
    out = run(["--text", "--mute", "--json", "-"], "no\n" * 6 + "yes\nmy legs\n")
    assert out.returncode == 0, out.stderr
    captions, _, record = out.stdout.partition("\n{")
    data = json.loads("{" + record)
    assert data["disposition"] == "self_care" and data["places"] == ["legs"] and data["completed"]
    assert "sciatic nerve" in captions


def test_prompt_is_written_and_flushed_before_each_answer() -> None:
    out = run(["--text", "--mute"], "no\n")
    assert out.stdout.count("> ") == 2  # one answer read, then the second read meets end of input


def test_end_of_input_finishes_with_the_warning_signs_and_keeps_the_record(tmp_path: Path) -> None:
    rec, summ = tmp_path / "r.json", tmp_path / "s.txt"
    out = run(["--text", "--mute", "--json", str(rec), "--summary", str(summ)], "no\nno\n")
    assert out.returncode == 0
    assert "Watch for these warning signs" in out.stdout
    data = json.loads(rec.read_text())
    assert data["completed"] is False and len(data["turns"]) == 2
    assert "numbness between the legs: no" in summ.read_text()
    for f in (rec, summ):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600


def test_nothing_is_written_unless_asked(tmp_path: Path) -> None:
    run(["--text", "--mute"], "no\n", cwd=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_emergency_number_is_configurable() -> None:
    out = run(["--text", "--mute", "--emergency-number", "112"], "yes\n")
    assert "Call 112" in out.stdout and "911" not in out.stdout


def test_python_dash_m_works_too() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "--text", "--mute"],
        input="yes\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0 and "emergency" in out.stdout


def test_questions_lists_ids_text_and_intents_as_json() -> None:
    out = run(["questions", "--json"], "")
    rows = json.loads(out.stdout)
    assert [r["id"] for r in rows][:3] == ["bladder", "saddle", "both_legs"]
    assert {"yes", "no", "unsure", "repeat", "explain"} <= set(rows[0]["intents"])
    assert all(set(r) == {"id", "text", "intents"} for r in rows)


def test_readme_shows_the_flow_the_generator_prints() -> None:
    out = run(["flow"], "")
    readme = (ROOT / "README.md").read_text()
    assert "```mermaid\n" + out.stdout + "```" in readme, (
        "README flow is stale: run 'back-assistant flow'"
    )


def _read_until_prompts(fd: int, prompts: int, deadline: float) -> str:
    """What the assistant printed until its `prompts`-th "> " prompt (or the deadline)."""
    import select
    import time

    got = b""
    while got.count(b"> ") < prompts and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            got += chunk
    return got.decode("utf-8", "replace")


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_a_signal_mid_question_still_says_the_warning_signs_and_writes_the_record(
    tmp_path: Path, signal_name: str
) -> None:
    import signal
    import time

    rec = tmp_path / "r.json"
    proc = subprocess.Popen(
        [SCRIPT, "--text", "--mute", "--json", str(rec)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("no\n")
    proc.stdin.flush()
    # Signal once the "no" is taken (the next question's prompt is out), however slow the start.
    seen = _read_until_prompts(proc.stdout.fileno(), 2, deadline=time.monotonic() + 60)
    proc.send_signal(getattr(signal, signal_name))
    rest, _ = proc.communicate(timeout=30)
    out = seen + rest
    assert proc.returncode == (130 if signal_name == "SIGINT" else 143)
    assert "Watch for these warning signs" in out
    assert json.loads(rec.read_text())["turns"][0]["heard"] == "no"
    assert os.path.exists(rec)
