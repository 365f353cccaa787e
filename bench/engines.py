"""Engines side by side: ours (PocketSphinx, Whisper) and the naive SpeechRecognition way.

Run from the repository: `.venv/bin/python bench/engines.py` (about 30 minutes on 2 cores;
`--every 3` takes every third clip, the same clips for every engine). Writes
bench/out/engines.json (every clip's outcome, per engine) and bench/out/engines.md, and prints
the tables. bench/calibrate.py reads engines.json.

Each engine runs in its own child process, so its load time and peak memory are its own:
- ours: the adapter built by make_recognizer (load time = building it), every clip heard through
  ReplayListener (the microphone's capture path) under its question, then `interpret`;
- naive-sphinx: SpeechRecognition's recognize_sphinx (no grammar, a new decoder per call);
- naive-whisper: recognize_faster_whisper on the same packaged tiny.en model (a new model per
  call, its default settings), both with tutorial keyword tests (`"yes" in text`).
The clips: the espeak dev fixtures, the held-out voices (never tuned on) and the real human
yes/no recordings, when present.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus import ROOT, Clip, fixture_clips, heldout_clips, real_clips
from decoding import NaiveOutcome, Outcome, naive_intent, run_clips
from engine_report import markdown

from assistant.core.content import load
from assistant.core.grammar import Grammar
from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio

OUT = ROOT / "bench" / "out"
ENGINES = ("sphinx", "whisper", "whisper-alone", "naive-sphinx", "naive-whisper")
"""whisper: as the assistant runs it (PocketSphinx's grammar checks its answers at the emergency
questions); whisper-alone: the Whisper adapter with no second opinion."""


SETS = {"dev": fixture_clips, "heldout": heldout_clips, "real": real_clips}


def clips(every: int, sets: str = "dev,heldout,real") -> list[Clip]:
    """The dev fixtures, the held-out voices and the real recordings (every `every`-th).

    Tune only with `--sets dev`: the held-out voices are a measure, never a target.
    """
    chosen = [clip for name in sets.split(",") for clip in SETS[name]()]
    return chosen[::every]


def peak_mb() -> float | None:
    """This process's peak resident memory (VmHWM) in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class CaptureOnly:
    """Hears nothing: lets the capture path hand each answer's audio to the naive way."""

    name = "capture-only"

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        return NotUnderstood()


def _naive(engine: str, chosen: list[Clip], matcher: Grammar) -> tuple[list[dict[str, Any]], float]:
    import speech_recognition as sr  # noqa: PLC0415 - only the baseline needs it

    from assistant.engines.whisper_model import packaged_model  # noqa: PLC0415

    model = str(packaged_model())
    r = sr.Recognizer()
    rows: list[dict[str, Any]] = []
    for o in run_clips(chosen, CaptureOnly(), matcher):
        if o.audio is None:  # the capture path heard nothing: the same as ours would
            rows.append(row_of(NaiveOutcome(o.clip, "", "", 0.0), None))
            continue
        data = sr.AudioData(o.audio.pcm, o.audio.sample_rate, 2)
        start = time.perf_counter()
        try:
            if engine == "naive-sphinx":
                text = r.recognize_sphinx(data)
            else:
                text = str(r.recognize_faster_whisper(data, model=model))
        except sr.UnknownValueError:
            text = ""
        ms = (time.perf_counter() - start) * 1000
        rows.append(row_of(NaiveOutcome(o.clip, text, naive_intent(text) if text else "", ms), ms))
    return rows, 0.0


def row_of(o: Outcome | NaiveOutcome, ms: float | None) -> dict[str, Any]:
    """One clip's outcome as JSON."""
    c = o.clip
    return {
        "path": str(c.path.relative_to(ROOT.parent)) if c.path.is_relative_to(ROOT.parent)
        else str(c.path),
        "question": c.question, "expected": c.intent, "expected_slots": c.slots,
        "source": c.source, "family": c.family, "voice": c.voice, "snr": c.snr, "text": c.text,
        "heard": o.heard, "intent": o.intent,
        "slots": getattr(o, "slots", ""), "ok": o.ok, "ms": ms,
        "confidence": getattr(o, "confidence", 0.0),
        "asr_confidence": getattr(o, "asr_confidence", 0.0),
    }  # fmt: skip


def child(engine: str, every: int, sets: str) -> dict[str, Any]:
    """Run one engine over the clips in this process; its load time, rows and peak memory."""
    content = load()
    matcher = Grammar(content)
    chosen = clips(every, sets)
    if engine.startswith("naive-"):
        rows, load_s = _naive(engine, chosen, matcher)
    else:
        from assistant.engines.second_opinion import checker_for  # noqa: PLC0415
        from assistant.engines.select import make_recognizer  # noqa: PLC0415

        start = time.perf_counter()
        from interpret import interpret  # noqa: PLC0415

        checker = (
            None
            if engine == "whisper-alone"
            else checker_for(content, lambda text, qid: interpret(text, qid, 1.0).intent or None)
        )
        recognizer, _ = make_recognizer(
            engine.removesuffix("-alone"),  # type: ignore[arg-type]
            None, os.environ, content.pronunciations, checker=checker,
        )  # fmt: skip
        load_s = time.perf_counter() - start
        rows = [row_of(o, o.ms) for o in run_clips(chosen, recognizer, matcher)]
    return {"engine": engine, "load_s": load_s, "peak_mb": peak_mb(), "rows": rows}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--every", type=int, default=1, help="take every N-th clip (all engines)")
    p.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, of: " +
                   ", ".join(ENGINES))  # fmt: skip
    p.add_argument("--sets", default="dev,heldout,real", help="of: dev, heldout, real")
    p.add_argument("--out", type=Path, default=OUT, help="folder for engines.json and .md")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.every, args.sets)))
        return 0
    began = time.perf_counter()
    results: dict[str, Any] = {}
    for engine in args.engines.split(","):
        print(f"{engine} ...", file=sys.stderr)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, __file__, "--child", engine, "--every", str(args.every),
             "--sets", args.sets],
            capture_output=True, text=True, check=False, cwd=ROOT,
        )  # fmt: skip
        if done.returncode != 0:
            results[engine] = {"error": done.stderr.strip()[-500:]}
            continue
        results[engine] = json.loads(done.stdout.strip().splitlines()[-1])
        results[engine]["wall_s"] = time.perf_counter() - start
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "every": args.every,
        "sets": args.sets,
        "run_seconds": time.perf_counter() - began,
        "engines": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "engines.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    text = markdown(report)
    (args.out / "engines.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
