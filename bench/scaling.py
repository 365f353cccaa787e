"""Decode time and peak memory of the PocketSphinx adapter as the grammar grows (one size a run).

Run by bench/run.py as `python bench/scaling.py SIZE` in a fresh process, so each size's peak
resident memory is its own; prints one JSON object.
"""

from __future__ import annotations

import json
import sys
import time
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus import fixture_clips
from decoding import latency
from memory import peak_rss_mb

from assistant.core.content import load
from assistant.core.dialog import Triage
from assistant.core.grammar import Grammar
from assistant.core.messages import Expected, Heard
from assistant.core.ports import Audio

QUESTION = "bladder"


def grammar(matcher: Grammar, size: int) -> tuple[str, ...]:
    """`size` phrases: the question's shortest first (yes, no always in), then other questions'."""
    own = sorted(matcher.phrases_for(QUESTION), key=lambda p: (len(p.split()), p))
    others = sorted(
        {p for q in matcher.content.questions for p in matcher.phrases_for(q.id)} - set(own),
        key=lambda p: (len(p.split()), p),
    )
    core = [p for p in ("yes", "no") if p in own]
    phrases = core + [p for p in own + others if p not in core]
    if len(phrases) < size:
        raise SystemExit(f"only {len(phrases)} distinct phrases; cannot build {size}")
    return tuple(phrases[:size])


def read(path: Path) -> Audio:
    with wave.open(str(path), "rb") as w:
        return Audio(w.readframes(w.getnframes()), w.getframerate())


def main(size: int) -> None:
    from assistant.engines.sphinx import PocketSphinxRecognizer  # noqa: PLC0415

    content = load()
    triage = Triage(content)
    matcher = triage.grammar
    clips = [c for c in fixture_clips() if c.question == QUESTION and c.intent in ("yes", "no")]
    audio = [read(c.path) for c in clips]
    recognizer = PocketSphinxRecognizer(content.pronunciations)
    expected = Expected(QUESTION, grammar(matcher, size))
    start = time.perf_counter()
    first = recognizer.recognize(audio[0], expected)  # builds (and caches) this grammar
    first_ms = (time.perf_counter() - start) * 1000
    times: list[float] = []
    right = 0
    for clip, a in zip(clips, audio, strict=True):
        start = time.perf_counter()
        event = recognizer.recognize(a, expected)
        times.append((time.perf_counter() - start) * 1000)
        reading = (
            triage.read(event.text, QUESTION, event.confidence)
            if isinstance(event, Heard)
            else None
        )
        right += bool(reading and reading.intent == clip.intent)
    del first
    print(
        json.dumps(
            {
                "phrases": size,
                "first_call_ms": round(first_ms, 1),
                **latency(times),
                "right": right,
                "max_rss_mb": round(peak_rss_mb() or 0.0, 1),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
