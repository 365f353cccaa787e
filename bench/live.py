"""Live timing: end of the person's speech (virtual microphone) to the first sound of the reply."""

from __future__ import annotations

import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from corpus import FIXTURES, ROOT

SESSION = "urgent"
ANSWERS = 3
PAUSE = 1.2
"""The assistant's default `--pause`: silence that ends an answer (part of what is measured)."""
LEAD_IN_S = 0.4


def _reader(stream: Any, lines: queue.Queue[tuple[float, str | None]]) -> None:
    for line in stream:
        lines.put((time.perf_counter(), line.rstrip("\n")))
    lines.put((time.perf_counter(), None))  # end of output


def live_latency() -> dict[str, Any]:
    """Play the first answers of one session into the virtual mic as a person would, and time.

    The clock: end of speech = when paplay was started + the end of the last loud stretch in
    the answer's WAV (paplay's own start-up delay is counted as reply time, so this slightly
    overstates). First sound = the first loud stretch in the speaker recording after that, placed
    on the clock by (when the recording was stopped) - (its length).
    """
    sys.path.insert(0, str(ROOT))
    from tests.audio_stack import PulseStack, speech_segments  # noqa: PLC0415

    reason = PulseStack.available()
    if reason is not None:
        return {"text": f"not measured: no private PulseAudio ({reason})"}
    answers = sorted((FIXTURES / "sessions" / SESSION).glob("*.wav"))[:ANSWERS]
    stack = PulseStack()
    ends: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        speaker = Path(tmp) / "speaker.wav"
        try:
            env = stack.start(Path(tmp) / "pulse")
            stack.start_capture(speaker)
            proc = subprocess.Popen(
                [sys.executable, "-m", "assistant", "--engine", "sphinx", "--pause", str(PAUSE),
                 "--json", os.devnull],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT, text=True,
            )  # fmt: skip
            lines: queue.Queue[tuple[float, str | None]] = queue.Queue()
            threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
            for wav in answers:
                if not _wait_for(lines, "[listening]", 60):
                    break
                time.sleep(LEAD_IN_S)
                speech = speech_segments(wav)
                start = time.perf_counter()
                stack.play_into_mic(wav)
                if speech:
                    ends.append(start + speech[-1][1])
            time.sleep(4.0)  # the reply to the last answer
            proc.terminate()
            proc.wait(timeout=10)
            stopped = time.perf_counter()
            stack.stop_capture(tail_s=0)
            from tests.audio_stack import read_mono16  # noqa: PLC0415

            samples, rate = read_mono16(speaker)
            origin = stopped - len(samples) / rate
            onsets = [origin + s for s, _, _ in speech_segments(speaker)]
        finally:
            stack.stop()
    gaps = []
    for end in ends:
        after = [t for t in onsets if t > end]
        if after:
            gaps.append((after[0] - end) * 1000)
    if not gaps:
        return {"text": "not measured: no reply was heard after the answers", "gaps_ms": []}
    median = statistics.median(gaps)
    return {
        "gaps_ms": [round(g) for g in gaps],
        "median_ms": round(median),
        "pause_s": PAUSE,
        "text": (
            f"median {median:.0f} ms over {len(gaps)} answers "
            f"({', '.join(f'{g:.0f}' for g in gaps)} ms) with the default `--pause {PAUSE}`: "
            f"{PAUSE * 1000:.0f} ms of it is the silence "
            "the assistant waits for before it takes the answer as finished; the rest is decoding, "
            "the dialog step and the start of speech synthesis."
        ),
    }


def _wait_for(lines: queue.Queue[tuple[float, str | None]], text: str, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            _, line = lines.get(timeout=max(0.01, deadline - time.perf_counter()))
        except queue.Empty:
            return False
        if line is None:
            return False
        if text in line:
            return True
    return False
