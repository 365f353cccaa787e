"""Every fixture clip (audio_fixtures/manifest.csv) through PocketSphinx and the interpreter.

Each clip is decoded under its question's grammar (`Grammar.phrases_for`) and the words heard are
read as an answer to that question. The accuracy per voice and per noise level is printed
(always, outside pytest's capture) against issue 3's targets (clean >= 97 %, 10 dB SNR >= 90 %)
and held to floors just under today's measure (FLOORS). Out-of-grammar clips (no expected intent)
are never a "no" that goes unconfirmed; how many come out as yes or no at all is printed against
the target of none and held at today's count. Every folder in audio_fixtures/sessions/ is
replayed by the command line and must reach its expected disposition.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.core.content import Content
from assistant.core.dialog import Triage
from assistant.core.messages import Expected, Heard
from assistant.core.reading import Reading
from tests.conftest import read_audio

try:
    import pocketsphinx  # noqa: F401 - only checks that the engine is installed
except ImportError:
    pytest.skip(
        "pocketsphinx is not installed (pip install 'back-assistant[sphinx]')",
        allow_module_level=True,
    )

pytestmark = pytest.mark.audio

FIXTURES = Path(__file__).resolve().parents[1] / "audio_fixtures"
MANIFEST = FIXTURES / "manifest.csv"
SESSIONS = sorted(p for p in (FIXTURES / "sessions").glob("*") if (p / "expected.json").is_file())
TARGETS = {"clean": 0.97, "10": 0.90}
"""Issue 3's targets; measured 2026-11-27 (per-answer level, three warps): clean 95.1 %,
10 dB 91.2 % (printed by the test and by bench/run.py). Clean is not met yet."""
FLOORS = {"clean": 0.93, "10": 0.88}
"""What the tests hold the engine to now, just under what it measures: a regression guard."""


def manifest() -> list[dict[str, str]]:
    with MANIFEST.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


ROWS = manifest() if MANIFEST.is_file() else []
OUT_OF_GRAMMAR = [r for r in ROWS if not r["expected_intent"]]


@dataclass(frozen=True)
class Result:
    """What one clip came out as."""

    row: dict[str, str]
    heard: str | None  # None: NotUnderstood
    intent: str  # "" when nothing matched
    slots: str
    confidence: float = 0.0

    @property
    def ok(self) -> bool:
        return (self.intent, self.slots) == (self.row["expected_intent"], self.row["slots"])


def slots_text(reading: Reading | None) -> str:
    """Slots as the manifest writes them."""
    if reading is None or reading.intent is None:
        return ""
    kept = {"location": "places", "explain": "term"}.get(reading.intent)
    return ";".join(
        f"{name}={'+'.join(value) if isinstance(value, list) else value}"
        for name, value in sorted(reading.slots.items())
        if name == kept
    )


@pytest.fixture(scope="module")
def results(sphinx: Any, triage: Triage) -> dict[str, Result]:
    """Every manifest clip decoded once under its question's grammar, by file name."""
    if not ROWS:
        pytest.fail(f"{MANIFEST} is missing: run .venv/bin/python audio_fixtures/generate.py")
    grammars: dict[str, Expected] = {}
    out: dict[str, Result] = {}
    for row in ROWS:
        qid = row["question"]
        expected = grammars.setdefault(qid, Expected(qid, triage.grammar.phrases_for(qid)))
        event = sphinx.recognize(read_audio(FIXTURES / row["file"]), expected)
        if isinstance(event, Heard):
            reading = triage.read(event.text, qid, event.confidence)
            out[row["file"]] = Result(
                row, event.text, reading.intent or "", slots_text(reading), event.confidence
            )
        else:
            out[row["file"]] = Result(row, None, "", "")
    return out


def table(results: dict[str, Result]) -> Iterator[str]:
    """Accuracy per voice (rows) and per SNR (columns) of the in-grammar clips."""
    cells: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for r in results.values():
        if r.row["expected_intent"]:
            for voice in (r.row["voice"], "all"):
                for snr in (r.row["snr"], "all"):
                    cells[voice, snr].append(r.ok)
    snrs = ("clean", "20", "10", "all")
    yield f"{'voice':<10}" + "".join(
        f"{s if s in ('clean', 'all') else s + ' dB':>16}" for s in snrs
    )
    for voice in [*sorted({v for v, _ in cells if v != "all"}), "all"]:
        line = f"{voice:<10}"
        for snr in snrs:
            got = cells.get((voice, snr), [])
            line += f"{sum(got):>5}/{len(got):<4}{100 * sum(got) / max(1, len(got)):5.1f}% "
        yield line


def describe(r: Result) -> str:
    heard = "(not understood)" if r.heard is None else repr(r.heard)
    return (
        f"{r.row['file']}: said {r.row['text']!r} at {r.row['question']}, heard {heard} -> "
        f"{r.intent or 'nothing'} {r.slots}".rstrip()
        + f" (expected {r.row['expected_intent'] or 'nothing'} {r.row['slots']})".rstrip()
    )


def test_accuracy_per_voice_and_snr(
    results: dict[str, Result], capsys: pytest.CaptureFixture[str]
) -> None:
    failures = [r for r in results.values() if r.row["expected_intent"] and not r.ok]
    yes_as_no = [r for r in failures if r.row["expected_intent"] == "yes" and r.intent == "no"]
    with capsys.disabled():
        print("\nPocketSphinx + Matcher on audio_fixtures (intent and slots as in the manifest):")
        for line in table(results):
            print("  " + line)
        for r in failures:
            print("  FAIL " + describe(r))
        if yes_as_no:
            print(f"  SAFETY: {len(yes_as_no)} yes answer(s) heard as no")
    below = []
    for snr, floor in FLOORS.items():
        got = [r.ok for r in results.values() if r.row["expected_intent"] and r.row["snr"] == snr]
        assert got, f"no in-grammar clips at snr={snr} in the manifest"
        share = sum(got) / len(got)
        with capsys.disabled():
            met = "met" if share >= TARGETS[snr] else "NOT met"
            print(f"  snr={snr}: {share:.1%}; issue target {TARGETS[snr]:.0%} {met}")
        if share < floor:
            below.append(f"snr={snr}: {share:.1%} < {floor:.0%}")
    assert not below, "accuracy below the floor: " + ", ".join(below)


def test_every_spoken_no_is_unsure_enough_to_be_confirmed(
    results: dict[str, Result], content: Content
) -> None:
    """The safety net for misheard yeses: a "no" from PocketSphinx is always below the
    low-confidence line, so the dialog confirms it at every emergency question."""
    nos = [r for r in results.values() if r.intent == "no"]
    assert nos
    assert all(r.confidence < content.settings.low_confidence for r in nos)


@pytest.mark.parametrize("row", OUT_OF_GRAMMAR, ids=[Path(r["file"]).stem for r in OUT_OF_GRAMMAR])
def test_out_of_grammar_is_never_a_sure_no(
    row: dict[str, str], results: dict[str, Result], content: Content
) -> None:
    """Noise or an unrelated word is never taken as a "no" that goes unconfirmed."""
    r = results[row["file"]]
    assert r.intent != "no" or r.confidence < content.settings.low_confidence, describe(r)


OUT_OF_GRAMMAR_AS_ANSWER_CEILING = 2
"""Issue 3 asks that no out-of-grammar clip is taken as yes or no; measured 2026-11-27: two of the
18 are ("banana", m1, clean, heard as "none of them", a no that the dialog confirms; "purple
elephant", f3, 20 dB, heard as "definitely", a yes: more care, not less). A regression guard.
A run of competitor syllables (`<competitor>+`) rejected "purple elephant" too, but under small
grammars it also took real "yes" answers and "start over": not adopted."""


def test_out_of_grammar_is_rarely_a_yes_or_no(
    results: dict[str, Result], capsys: pytest.CaptureFixture[str]
) -> None:
    taken = [
        results[r["file"]] for r in OUT_OF_GRAMMAR if results[r["file"]].intent in ("yes", "no")
    ]
    with capsys.disabled():
        print(
            f"\nout-of-grammar clips taken as yes/no: {len(taken)}/{len(OUT_OF_GRAMMAR)} "
            "(issue target 0)"
        )
        for r in taken:
            print("  " + describe(r))
    assert len(taken) <= OUT_OF_GRAMMAR_AS_ANSWER_CEILING, [describe(r) for r in taken]


def json_record(stdout: str) -> dict[str, Any]:
    """The session record printed after the captions (the last object starting a line)."""
    text = "\n" + stdout
    start = text.rfind("\n{")
    assert start >= 0, f"no JSON record in the output:\n{stdout[-2000:]}"
    record: dict[str, Any] = json.JSONDecoder().raw_decode(text[start + 1 :])[0]
    return record


@pytest.mark.parametrize("folder", SESSIONS, ids=[p.name for p in SESSIONS])
def test_session_replays_to_its_disposition(folder: Path) -> None:
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "--engine", "sphinx", "--replay", str(folder),
         "--mute", "--json", "-"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    record = json_record(done.stdout)
    heard = [(t.get("question"), t.get("heard"), t.get("intent")) for t in record.get("turns", [])]
    assert record["disposition"] == expected["disposition"], (
        f"answers {expected['answers']} were heard as {heard}"
    )
