"""Answers with pauses inside them (audio_fixtures/pauses) are heard whole, by the default engine.

The answers were written by a separate writer as people talk ("um | no, I don't think so",
"no | well, once, last week, I didn't quite make it to the loo in time") with pauses of 0.5 to
1.1 s, shorter than the default `--pause` of 1.2 s; each is spoken by an espeak voice and by a
voice of another synthesiser family. Nothing was tuned on them.

A replayed file is followed to its end like the microphone follows an answer after an early
reply, so every answer must be heard whole: from its first word to its last. What it was read as
is printed (outside pytest's capture); a "yes" read as a "no" is held to what was measured.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.core.dialog import Triage
from assistant.core.messages import Expected, Heard
from assistant.core.ports import Recognizer
from assistant.io.capture import CaptureSettings
from assistant.io.replay import ReplayListener

pytest.importorskip("faster_whisper", reason="faster-whisper is not installed ([whisper] extra)")
pytest.importorskip("webrtcvad")
pytestmark = pytest.mark.audio

FOLDER = Path(__file__).resolve().parents[1] / "audio_fixtures" / "pauses"
ALL = list(csv.DictReader((FOLDER / "manifest.csv").open(encoding="utf-8")))
ROWS = [ALL[2 * k + k % 2] for k in range(len(ALL) // 2)]
"""Each answer once, in one of its two voices (by turns the other family's and espeak's): about
two minutes. All 80 clips were run once the same way to measure the ceiling below."""
YES_AS_NO_CEILING = 1
"""Measured on all 80 clips (2026-12-02): 66/80 read right and one yes read as no, every answer
heard whole. The swap: "just the one leg | oh, no, wait, the other one's been a bit tingly too"
(espeak f2), which Whisper wrote as "...the number one's been a bit tingly too"; the interpreter
then took "just the one leg ... oh no" as a no. Target 0: NOT met (a recognition and an
understanding error together, not a cut-off)."""
EDGE_S = 0.06
"""Two frames: the voice detector may take a word's first or last 30 ms for quiet."""


@dataclass(frozen=True)
class Heard_:  # noqa: N801 - what one clip came out as
    row: dict[str, str]
    text: str
    intent: str
    heard_s: tuple[float, float]

    @property
    def parts(self) -> list[float]:
        return [float(t) for t in self.row["parts_s"].split("+")]

    @property
    def whole(self) -> bool:
        first, last = self.parts[0], self.parts[-1]
        return self.heard_s[0] <= first + EDGE_S and self.heard_s[1] >= last - EDGE_S

    def describe(self) -> str:
        r = self.row
        return (
            f"{r['question']} {r['family']}/{r['voice']}: said {r['say']!r}, heard "
            f"{self.text!r} ({self.heard_s[0]:.2f}-{self.heard_s[1]:.2f} s of "
            f"{self.parts[0]:.2f}-{self.parts[-1]:.2f}) -> {self.intent or 'nothing'} "
            f"(means {r['means']})"
        )


def recognizer(triage: Triage) -> Recognizer:
    from assistant.engines.second_opinion import checker_for
    from assistant.engines.select import make_recognizer

    env = {k: v for k, v in os.environ.items() if "VOSK" not in k and "WHISPER" not in k}
    content = triage.content
    checker = checker_for(content, lambda text, qid: triage.read(text, qid).intent)
    rec, _ = make_recognizer("whisper", None, env, content.pronunciations, checker=checker)
    return rec


@pytest.fixture(scope="module")
def heard(triage: Triage) -> list[Heard_]:
    assert ROWS, f"{FOLDER / 'manifest.csv'} is empty"
    rec = recognizer(triage)
    out = []
    for row in ROWS:
        # A new listener for each clip: each is a different speaker, with no pace learnt yet.
        listener = ReplayListener([FOLDER / row["file"]], rec, CaptureSettings(),
                                  judge=triage.complete)  # fmt: skip
        qid = row["question"]
        event = listener.listen(Expected(qid, triage.grammar.phrases_for(qid)))
        text = event.text if isinstance(event, Heard) else ""
        intent = triage.read(text, qid).intent or "" if text else ""
        out.append(Heard_(row, text, intent, listener.timing.heard_s))
    return out


def test_every_answer_is_heard_whole(heard: list[Heard_]) -> None:
    cut = [h.describe() for h in heard if not h.whole]
    assert not cut, "\n".join(cut)


def test_what_they_were_read_as(heard: list[Heard_], capsys: pytest.CaptureFixture[str]) -> None:
    right = Counter(h.row["family"] for h in heard if h.intent == h.row["means"])
    total = Counter(h.row["family"] for h in heard)
    with capsys.disabled():
        print("\npause fixtures read right, per family:")
        for family in sorted(total):
            print(f"  {family:9} {right[family]:3}/{total[family]:3}")
        print(f"  {'all':9} {sum(right.values()):3}/{len(heard):3}")
        for h in heard:
            if h.intent != h.row["means"]:
                print("  miss:", h.describe())
    swapped = [h.describe() for h in heard if h.row["means"] == "yes" and h.intent == "no"]
    assert len(swapped) <= YES_AS_NO_CEILING, "\n".join(swapped)
