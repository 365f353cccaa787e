"""Held-out voices (audio_fixtures/heldout) and human yes/no clips through the default engine.

The default engine where no English Vosk model is installed is Whisper, with PocketSphinx's
grammar as a second opinion at the emergency questions (what `back-assistant` runs). The held-out
clips are other synthesisers' voices (flite, festival, pico, mbrola) saying answers written as
people talk; nothing was tuned on them. Accuracy per family and noise level is printed (outside
pytest's capture) against issue 13's targets and held to floors just under what was measured
(a regression guard, not the target). Noise and unrelated speech must never be a yes or a no.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from assistant.core.content import Content
from assistant.core.dialog import Triage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from corpus import heldout_clips, real_clips
from decoding import Outcome, run_clips

pytest.importorskip("faster_whisper", reason="faster-whisper is not installed ([whisper] extra)")
pytestmark = pytest.mark.audio

CLIPS = [c for c in heldout_clips() if c.snr != "20"]
"""Clean and 10 dB (20 dB is in bench/engines.py only, to keep CI short: about 3 minutes)."""
TARGETS = {"clean": 0.95, "10": 0.90}
"""Issue 13's targets for the default engine on held-out voices."""
FLOORS = {"clean": 0.89, "10": 0.72}
"""Measured 2026-12-01 with the answer interpreter: clean 91.4 % (106/116), 10 dB 75.0 % (87/116);
with the old template matcher they were 73.3 % and 62.1 %. Not the targets (noise is Whisper's
weak side: at 10 dB it writes many answers wrong)."""
OVER_CEILING = 2
"""A "no" read as a "yes", measured: 2, both Whisper writing "can feel" as "can't feel" (a sign
described, so a yes: the safe way round). Target 0: NOT met."""
REAL_FLOOR = 0.90
"""Measured: 21 of the 22 human yes/no clips (PocketSphinx: 19)."""
EMERGENCY = ("bladder", "saddle", "both_legs")


@pytest.fixture(scope="module")
def outcomes(triage: Triage) -> list[Outcome]:
    from assistant.engines.second_opinion import checker_for
    from assistant.engines.select import make_recognizer

    if not CLIPS:
        pytest.fail("audio_fixtures/heldout/manifest.csv is missing")
    env = {k: v for k, v in os.environ.items() if "VOSK" not in k and "WHISPER" not in k}
    content = triage.content
    checker = checker_for(content, lambda text, qid: triage.read(text, qid).intent)
    rec, _ = make_recognizer("whisper", None, env, content.pronunciations, checker=checker)
    return run_clips(CLIPS + real_clips(), rec, triage.grammar)


def describe(o: Outcome) -> str:
    c = o.clip
    return (
        f"{c.question} {c.family}/{c.voice} {c.snr}: said {c.text!r}, heard {o.heard!r} -> "
        f"{o.intent or 'nothing'} {o.slots} (expected {c.intent or 'nothing'} {c.slots})"
    )


def answers(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.clip.source == "heldout" and o.clip.intent]


def test_accuracy_per_family_and_noise(
    outcomes: list[Outcome], capsys: pytest.CaptureFixture[str]
) -> None:
    cells: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for o in answers(outcomes):
        for fam in (o.clip.family, "all"):
            cells[fam, o.clip.snr].append(o.ok)
    below = []
    with capsys.disabled():
        print("\nWhisper (+ grammar check) on held-out voices:")
        for fam in [*sorted({f for f, _ in cells if f != "all"}), "all"]:
            row = "".join(
                f"{sum(cells[fam, s]):>5}/{len(cells[fam, s]):<4}"
                f"{100 * sum(cells[fam, s]) / max(1, len(cells[fam, s])):5.1f}%"
                for s in ("clean", "10")
            )
            print(f"  {fam:<9}{row}")
        for snr, floor in FLOORS.items():
            got = cells["all", snr]
            share = sum(got) / len(got)
            target = TARGETS.get(snr)
            met = (
                "" if target is None else (" target met" if share >= target else " target NOT met")
            )
            print(f"  snr={snr}: {share:.1%}{met}")
            if share < floor:
                below.append(f"snr={snr}: {share:.1%} < {floor:.0%}")
    assert not below, below


def test_no_yes_is_heard_as_a_no(
    outcomes: list[Outcome], capsys: pytest.CaptureFixture[str]
) -> None:
    swapped = [o for o in outcomes if {o.intent, o.clip.intent} == {"yes", "no"}]
    lost = [describe(o) for o in swapped if o.clip.intent == "yes"]
    with capsys.disabled():
        print(f"\nyes/no swaps: {len(swapped)} (target 0), a yes heard as a no: {len(lost)}")
        for o in swapped:
            print("  SWAP " + describe(o))
    assert not lost, lost  # the safety line: never
    assert len(swapped) <= OVER_CEILING, [describe(o) for o in swapped]


def test_noise_and_unrelated_speech_are_never_a_yes_or_no(outcomes: list[Outcome]) -> None:
    none = [o for o in outcomes if o.clip.source == "heldout" and not o.clip.intent]
    assert len(none) >= 40
    taken = [describe(o) for o in none if o.intent in ("yes", "no")]
    assert not taken, taken


def test_a_sure_no_to_an_emergency_sign_was_a_no(outcomes: list[Outcome], content: Content) -> None:
    """The calibration, held: a "no" the dialog would not confirm was really a "no"."""
    line = content.settings.low_confidence
    sure = [o for o in outcomes if o.clip.question in EMERGENCY and o.intent == "no"
            and o.confidence >= line]  # fmt: skip
    assert sure, "no sure 'no' at all: the second opinion never agreed"
    wrong = [describe(o) for o in sure if o.clip.intent != "no"]
    assert not wrong, wrong


def test_human_yes_and_no(outcomes: list[Outcome], capsys: pytest.CaptureFixture[str]) -> None:
    real = [o for o in outcomes if o.clip.source == "real"]
    if not real:
        pytest.skip("no human recordings in ../shared/real_speech")
    right = sum(o.ok for o in real)
    with capsys.disabled():
        print(f"\nhuman yes/no: {right}/{len(real)}")
    assert right / len(real) >= REAL_FLOOR
    assert not [o for o in real if {o.intent, o.clip.intent} == {"yes", "no"}]
