"""Live timing through the virtual microphone: end of each answer -> first sound of the reply.

Run from the repository: `.venv/bin/python bench/live.py` (about 15 minutes; `--quick` runs the
default engine and pause only). bench/run.py calls `live_latency()` for its report.

A private PulseAudio (tests/audio_stack.py) gives the assistant a virtual microphone and speaker.
Each session is `back-assistant --engine E [--pause P] -vv`, answered as a person would: at each
`[listening]` cue, after LEAD_IN_S, the answer to the question last asked is played into the
microphone (short answers: "no" to every question, a "yes" to the weakness question, so every
session must end "urgent"). Both the microphone and the speaker are recorded, each anchored on
the clock by when it was stopped minus its length, so the two recordings share one clock (to
within parecord's 20 ms latency):
- end of answer = the end of the last loud stretch of that answer in the microphone recording;
- reply = the first loud stretch of the speaker recording after it;
- first word = process start -> the speaker's first sound, timed live as it arrives (the same
  watch as bench/processes.py: a recording cannot be placed on the clock that exactly).
Each session's recordings, record and log are kept in bench/out/live/ (git-ignored).
The assistant's own log (-vv) says, per answer, how long it waited in quiet and how long the
result took after that; the rest of the reply time is the dialog step and starting to speak.
`--root DIR` runs another checkout instead; `--before DIR` also runs one (the code before a change)
with the default engine and pause, in the same run, for a side-by-side table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import queue
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from corpus import FIXTURES, ROOT
from processes import _SoundWatch as SoundWatch

sys.path.insert(0, str(ROOT))
from assistant.core.content import load
from tests.audio_stack import MIC_SINK, SPEAKER_SINK, PulseStack, read_mono16, speech_segments

OUT = ROOT / "bench" / "out"
LEAD_IN_S = 0.4
"""Wait after `[listening]` before the answer is played (a person takes a moment too)."""
SESSION_LIMIT_S = 330.0
EXPECTED = "urgent"
CONFIGS = (("auto", None), ("auto", 2.0), ("sphinx", None), ("sphinx", 2.0))
"""(engine, --pause): the default engine (auto: Vosk with an English model, else Whisper, else
PocketSphinx) and PocketSphinx, each with the default patience and with `--pause 2`."""
TAKEN = re.compile(r"answer taken after ([\d.]+) s of quiet; result ready (\d+) ms later")


def answers(voices: str) -> dict[str, Path]:
    """The answer played to each question: "no", "yes" to weakness, a place if asked where."""
    questions = [q.id for q in load().questions]
    if voices == "dev":
        no, yes = FIXTURES / "sessions/urgent/01.wav", FIXTURES / "sessions/urgent/07.wav"
        plan = {q: yes if q == "weakness" else no for q in questions}
        return {**plan, "location": FIXTURES / "clips/location_location_my-legs_m1_130_clean.wav"}
    with (FIXTURES / "heldout" / "manifest.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["snr"] == "clean"]
    out: dict[str, Path] = {}
    for q in questions:
        want = {"weakness": "yes", "location": "location"}.get(q, "no")
        fits = sorted((r for r in rows if r["question"] == q and r["means"] == want),
                      key=lambda r: len(r["say"]))  # fmt: skip
        if fits:
            out[q] = FIXTURES / "heldout" / fits[0]["file"]
    return out


def question_lines() -> dict[str, str]:
    """Each question's spoken lines (asked, simpler, confirm), to know what is being asked."""
    content = load()
    lines: dict[str, str] = {}
    for q in content.questions:
        for key in (q.ask, q.simpler, q.confirm):
            for line in content.texts.get(key or "", ()):
                lines[line] = q.id
    return lines


@dataclass
class Session:
    """One live session's measures."""

    engine: str
    pause: float | None
    voices: str
    gaps_ms: list[float] = field(default_factory=list)
    first_word_ms: float | None = None
    quiet_ms: list[float] = field(default_factory=list)
    ready_ms: list[float] = field(default_factory=list)
    went_on: int = 0
    disposition: str | None = None
    notes: list[str] = field(default_factory=list)


class Recorder:
    """parecord of one sink's monitor; knows when it stopped (to anchor it on the clock)."""

    def __init__(self, env: dict[str, str], sink: str, path: Path) -> None:
        self.path = path
        self.process = subprocess.Popen(
            ["parecord", f"--device={sink}.monitor", "--rate=16000", "--channels=1",
             "--format=s16le", "--file-format=wav", "--latency-msec=20", str(path)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.stopped = 0.0

    def stop(self) -> None:
        self.stopped = time.perf_counter()
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=10)

    def loud(self) -> list[tuple[float, float]]:
        """Loud stretches as (start, end) on the perf_counter clock."""
        samples, rate = read_mono16(self.path)
        origin = self.stopped - len(samples) / rate
        return [(origin + a, origin + b) for a, b, _ in speech_segments(self.path)]


def _read(stream: Any, lines: queue.Queue[tuple[float, str | None]]) -> None:
    for line in stream:
        lines.put((time.perf_counter(), line.rstrip("\n")))
    lines.put((time.perf_counter(), None))


def run_session(
    stack: PulseStack, root: Path, config: tuple[str, float | None], voices: str, tmp: Path
) -> Session:
    """One session, answered live (see the module docstring)."""
    engine, pause = config
    result = Session(engine, pause, voices)
    plan, asked = answers(voices), question_lines()
    env = {**stack.env, "PYTHONPATH": str(root)}
    mic = Recorder(env, MIC_SINK, tmp / "mic.wav")
    spk = Recorder(env, SPEAKER_SINK, tmp / "speaker.wav")
    watch = SoundWatch(env, f"{SPEAKER_SINK}.monitor")  # the first word, timed live
    time.sleep(0.3)  # parecord connects
    command = [sys.executable, "-m", "assistant", "--engine", engine, "-vv",
               "--json", str(tmp / "record.json")]  # fmt: skip
    if pause is not None:
        command += ["--pause", str(pause)]
    started = watch.arm()
    with (tmp / "stderr.txt").open("w") as err:
        proc = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=err,
                                text=True, start_new_session=True)  # fmt: skip
    lines: queue.Queue[tuple[float, str | None]] = queue.Queue()
    threading.Thread(target=_read, args=(proc.stdout, lines), daemon=True).start()
    question, played = "", []
    deadline = started + SESSION_LIMIT_S
    transcript = (tmp / "stdout.txt").open("w")
    while time.perf_counter() < deadline:
        try:
            at, line = lines.get(timeout=1.0)
        except queue.Empty:
            continue
        if line is None:
            break
        transcript.write(f"{at - started:8.2f} {line}\n")
        transcript.flush()
        question = asked.get(line, question)
        if "[listening]" in line and question in plan:
            time.sleep(LEAD_IN_S)
            played.append(time.perf_counter())
            stack.play_into_mic(plan[question])
    try:
        proc.wait(timeout=10)  # its output ended: it is exiting
    except subprocess.TimeoutExpired:
        result.notes.append("did not finish in time")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    transcript.close()
    time.sleep(0.3)
    mic.stop()
    spk.stop()
    said, heard = spk.loud(), mic.loud()
    watch.stop()
    if watch.onset is not None:
        result.first_word_ms = (watch.onset - started) * 1000
    for k, at in enumerate(played):
        until = played[k + 1] if k + 1 < len(played) else float("inf")
        ends = [b for a, b in heard if at <= a < until]
        onsets = [a for a, _ in said if ends and a > ends[-1]]
        if ends and onsets and onsets[0] < until + 30:
            result.gaps_ms.append((onsets[0] - ends[-1]) * 1000)
    log = (tmp / "stderr.txt").read_text()
    for quiet, ready in TAKEN.findall(log):
        result.quiet_ms.append(float(quiet) * 1000)
        result.ready_ms.append(float(ready))
    result.went_on = log.count("the person went on")
    record = tmp / "record.json"
    if record.is_file():
        result.disposition = json.loads(record.read_text()).get("disposition")
    return result


def p90(values: list[float]) -> float:
    """The 90th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.9 * len(ordered)) - 1))]


def summary(s: Session) -> dict[str, Any]:
    """Medians and p90s of one session, for the table."""
    gaps = s.gaps_ms
    return {
        "engine": s.engine, "pause": s.pause or "default", "voices": s.voices,
        "answers": len(gaps),
        "median_ms": round(statistics.median(gaps)) if gaps else None,
        "p90_ms": round(p90(gaps)) if gaps else None,
        "first_word_ms": round(s.first_word_ms) if s.first_word_ms is not None else None,
        "quiet_ms": round(statistics.median(s.quiet_ms)) if s.quiet_ms else None,
        "ready_ms": round(statistics.median(s.ready_ms)) if s.ready_ms else None,
        "went_on": s.went_on, "disposition": s.disposition, "notes": s.notes,
    }  # fmt: skip


def table(rows: list[dict[str, Any]]) -> str:
    """A markdown table of the sessions."""
    out = [
        "| engine | --pause | voices | answers | reply median | p90 | first word | "
        "quiet waited | result after | disposition |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['engine']} | {r['pause']} | {r['voices']} | {r['answers']} | "
            f"{r['median_ms']} ms | {r['p90_ms']} ms | {r['first_word_ms']} ms | "
            f"{r['quiet_ms']} ms | {r['ready_ms']} ms | {r['disposition']} |"
        )
    return "\n".join(out)


def live_latency(
    root: Path = ROOT, quick: bool = False, before: Path | None = None
) -> dict[str, Any]:
    """Every config and voice set live; the table and the raw numbers.

    `before`: another checkout (the code before a change), run with the default engine and pause
    in the same run, for a side-by-side table.
    """
    reason = PulseStack.available()
    if reason is not None:
        return {"text": f"not measured: no private PulseAudio ({reason})", "rows": []}
    runs = [(root, config, "") for config in (CONFIGS[:1] if quick else CONFIGS)]
    if before is not None:
        runs += [(before, CONFIGS[0], "before ")]
    rows: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    stack = PulseStack()
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        try:
            stack.start(Path(tmp) / "pulse")
            for checkout, (engine, pause), label in runs:
                for voices in ("dev", "heldout"):
                    name = f"{label.strip() or 'now'}-{engine}-{pause or 'default'}-{voices}"
                    work = OUT / "live" / name
                    work.mkdir(parents=True, exist_ok=True)
                    print(f"live: {name} ...", file=sys.stderr)
                    s = run_session(stack, checkout, (engine, pause), voices, work)
                    s.engine = label + s.engine
                    sessions.append(asdict(s))
                    rows.append(summary(s))
        finally:
            stack.stop()
    return {"rows": rows, "sessions": sessions, "text": table(rows)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", type=Path, default=ROOT, help="the checkout to run (default: this)")
    p.add_argument("--quick", action="store_true", help="the default engine and pause only")
    p.add_argument("--before", type=Path, help="also run this checkout (default engine, pause)")
    p.add_argument("--out", type=Path, default=OUT / "live.json")
    args = p.parse_args()
    result = live_latency(args.root.resolve(), args.quick, args.before and args.before.resolve())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(result["text"])


if __name__ == "__main__":
    main()
