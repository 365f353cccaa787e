"""Speaking at once, measured: say() to aplay and to first sound; start-up, cold and warm cache.

    .venv/bin/python bench/speech_ready.py            # about 3 minutes; --lines 6 --runs 2

Through a private PulseAudio (tests/audio_stack.py), on this machine, it prints:

1. per line, from `say()` to aplay's start and to the first sound on the speaker (timed live as
   it arrives), for lines made on the spot (a sentence ahead) and for prepared lines (played
   from the speech cache); beside them, how long the whole line takes to synthesise, which is
   what `say()` waited before its first sound when every line was made whole first;
2. how long the background worker takes to make every known line (cold) and to find them (warm);
3. process start to the first caption and the first sound, with an empty speech cache and with
   the one the previous run left, per engine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpus import ROOT
from processes import _SoundWatch as SoundWatch

sys.path.insert(0, str(ROOT))
from assistant.core.content import load
from assistant.core.dialog import Triage
from assistant.io.line_player import AplayPlayer
from assistant.io.speech_wav import LineAudio
from assistant.io.tts import Pyttsx3Speaker
from tests.audio_stack import SPEAKER_SINK, PulseStack

OUT = ROOT / "bench" / "out" / "speech_ready.json"
LABELS = {
    "on_the_spot": "made on the spot (first sentence first)",
    "prepared": "prepared (speech cache)",
}
MONITOR = f"{SPEAKER_SINK}.monitor"


class TimedPlayer:
    """Starts the real player and notes when (perf_counter) aplay was started."""

    def __init__(self) -> None:
        self.started: float | None = None

    def __call__(self, first: LineAudio) -> AplayPlayer:
        self.started = time.perf_counter()
        return AplayPlayer(first)


def per_line(
    env: dict[str, str], speaker: Pyttsx3Speaker, timed: TimedPlayer, lines: list[str]
) -> list[dict[str, Any]]:
    """Say each line; time say() to aplay's start and to the first sound on the speaker."""
    rows = []
    for text in lines:
        watch = SoundWatch(env, MONITOR)
        watch.arm()
        timed.started = None
        called = time.perf_counter()
        speaker.say(text)
        watch.stop()
        aplay = None if timed.started is None else timed.started - called
        sound = None if watch.onset is None else watch.onset - called
        rows.append({"text": text, "aplay_ms": ms(aplay), "sound_ms": ms(sound)})
    return rows


def whole_line_ms(speaker: Pyttsx3Speaker, lines: list[str], folder: Path) -> list[float]:
    """How long pyttsx3 takes to make each whole line (the wait before sound without streaming)."""
    engine = speaker._get_engine()
    out = []
    for number, text in enumerate(lines):
        started = time.perf_counter()
        speaker._synth(engine, text, folder / f"{number}.wav")
        out.append((time.perf_counter() - started) * 1000)
    return out


def preparation(cache: Path, known: list[str]) -> dict[str, Any]:
    """Time the worker over every known line into `cache` (cold the first time, then warm)."""
    speaker = Pyttsx3Speaker(speech_cache=cache)
    assert speaker.lines is not None
    started = time.perf_counter()
    speaker.prepare(known)
    speaker.lines.wait_idle(600)
    took = time.perf_counter() - started
    speaker.close()
    return {"lines": len(known), "made": speaker.lines.made, "found": speaker.lines.found,
            "seconds": round(took, 2)}  # fmt: skip


def start_up(env: dict[str, str], engine: str, cache: Path, listen_s: float) -> dict[str, Any]:
    """Process start to the first caption and the first sound, with the speech cache `cache`."""
    session = ROOT / "audio_fixtures" / "sessions" / "urgent"
    argv = [sys.executable, "-m", "assistant", "--engine", engine, "--speech-cache", str(cache),
            "--replay", str(session), "--json", os.devnull]  # fmt: skip
    watch = SoundWatch(env, MONITOR)
    started = watch.arm()
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT, text=True
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    caption = time.perf_counter() - started
    time.sleep(listen_s)
    proc.terminate()
    proc.wait(timeout=30)
    proc.stdout.close()
    watch.stop()
    sound = None if watch.onset is None else watch.onset - started
    return {"first_caption_s": round(caption, 3), "first_sound_s": sound and round(sound, 3),
            "first_line": first.strip()}  # fmt: skip


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def summary(values: list[float | None]) -> str:
    got = sorted(v for v in values if v is not None)
    if not got:
        return "no sound"
    p95 = got[min(len(got) - 1, round(0.95 * (len(got) - 1)))]
    missing = f", {len(values) - len(got)} silent" if len(got) < len(values) else ""
    median = statistics.median(got)
    return f"median {median:.0f} ms, 95th pct {p95:.0f} ms, max {got[-1]:.0f} ms{missing}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10, help="known lines said per mode")
    parser.add_argument("--runs", type=int, default=3, help="start-ups per engine and cache")
    parser.add_argument("--engines", default="auto,sphinx")
    parser.add_argument("--listen", type=float, default=2.0, help="seconds heard per start-up")
    args = parser.parse_args()
    reason = PulseStack.available()
    if reason is not None:
        print(f"not measured: no private PulseAudio ({reason})")
        return 1
    known = Triage(load()).known_lines()
    lines = known[: args.lines]
    report: dict[str, Any] = {}
    stack = PulseStack()
    with tempfile.TemporaryDirectory(prefix="bench-speech-") as tmp:
        folder = Path(tmp)
        try:
            env = stack.start(folder / "pulse")
            os.environ.update({k: env[k] for k in env if k.startswith(("PULSE", "XDG_RUNTIME"))})
            report["prepare_cold"] = preparation(folder / "all", known)
            report["prepare_warm"] = preparation(folder / "all", known)
            timed = TimedPlayer()
            spot = Pyttsx3Speaker(lines=None, player=timed)
            report["whole_line_ms"] = whole_line_ms(spot, lines, folder)
            report["on_the_spot"] = per_line(env, spot, timed, lines)
            ready = Pyttsx3Speaker(speech_cache=folder / "ready", player=timed)
            ready.prepare(lines)
            assert ready.lines is not None
            ready.lines.wait_idle(120)
            report["prepared"] = per_line(env, ready, timed, lines)
            ready.close()
            report["start_up"] = run_start_ups(env, folder, args, start_up)
        finally:
            stack.stop()
    print_report(report, args)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\n(written to {OUT.relative_to(ROOT)})")
    return 0


def run_start_ups(
    env: dict[str, str], folder: Path, args: argparse.Namespace, one: Callable[..., dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Per engine: `runs` cold start-ups (each with an empty cache), then `runs` warm ones."""
    out: dict[str, list[dict[str, Any]]] = {}
    for engine in args.engines.split(","):
        for run in range(args.runs):
            cache = folder / f"start-{engine}-{run}"
            out.setdefault(f"{engine} cold", []).append(one(env, engine, cache, args.listen))
        for run in range(args.runs):
            cache = folder / f"start-{engine}-{run}"  # what the cold run left behind
            out.setdefault(f"{engine} warm", []).append(one(env, engine, cache, args.listen))
    return out


def print_report(report: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"\nSpeaking at once ({os.cpu_count()} cores, private PulseAudio, default voice)")
    cold, warm = report["prepare_cold"], report["prepare_warm"]
    print(
        f"\nBackground preparation of all {cold['lines']} known lines: {cold['seconds']} s to"
        f" make {cold['made']} (cold cache); {warm['seconds']} s to find {warm['found']} (warm)"
    )
    print(f"\nsay() of the first {args.lines} known lines, one after another:")
    print("| lines | say() to aplay start | say() to first sound |")
    print("|---|---|---|")
    for name, label in LABELS.items():
        rows = report[name]
        aplay, sound = (
            summary([r["aplay_ms"] for r in rows]),
            summary([r["sound_ms"] for r in rows]),
        )
        print(f"| {label} | {aplay} | {sound} |")
    print(f"| (whole line synthesised first, as before) | {summary(report['whole_line_ms'])} | |")
    print("\nProcess start to the first caption and the first sound (first line said):")
    print("| engine, speech cache | first caption | first sound | runs |")
    print("|---|---|---|---|")
    for name, rows in report["start_up"].items():
        caption = statistics.median(r["first_caption_s"] for r in rows)
        sounds = [r["first_sound_s"] for r in rows]
        heard = [s for s in sounds if s is not None]
        sound = f"{statistics.median(heard):.2f} s" if heard else "none"
        each = ", ".join("-" if s is None else f"{s:.2f}" for s in sounds)
        print(f"| {name} | {caption:.2f} s | {sound} ({each}) | {len(rows)} |")
    first = next(iter(report["start_up"].values()))[0]["first_line"]
    print(f"\nFirst line said: {first!r}")


if __name__ == "__main__":
    sys.exit(main())
