"""Real human recordings (../shared/real_speech) through PocketSphinx under a warning-sign grammar.

The yes/ and no/ clips (Google Speech Commands and two TensorFlow Lite Micro samples) must come
out as their own answer under the `bladder` question's grammar at least 95 % of the time. The
other single words (stop, go, up, digits ...) are only reported: what each comes out as under
that grammar. None should be heard as "yes"; one that is is a safety finding and is also raised
as a warning so it shows in pytest's summary.
"""

from __future__ import annotations

import csv
import warnings
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from assistant.core.dialog import Triage
from assistant.core.messages import Expected, Heard
from tests.conftest import read_audio

try:
    import pocketsphinx  # noqa: F401 - only checks that the engine is installed
except ImportError:
    pytest.skip(
        "pocketsphinx is not installed (pip install 'back-assistant[sphinx]')",
        allow_module_level=True,
    )

pytestmark = pytest.mark.audio

REAL = Path(__file__).resolve().parents[2] / "shared" / "real_speech"
QUESTION = "bladder"
TARGET = 0.95
"""Issue 3's target; measured 2026-11-27: 19/22 (86 %), each miss "not understood" (re-asked);
two of the three misses are the same speaker's yes and no."""
FLOOR = 0.80
"""What the tests hold the engine to now: a regression guard, not the target."""

if not (REAL / "MANIFEST.csv").is_file():
    pytest.skip(f"no real recordings at {REAL} (MANIFEST.csv missing)", allow_module_level=True)


def clips() -> dict[str, list[Path]]:
    """Single-word clips by word (the folder name), from MANIFEST.csv."""
    by_word: dict[str, list[Path]] = defaultdict(list)
    with (REAL / "MANIFEST.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            word = row["path"].split("/", 1)[0]
            if word != "sentences" and (REAL / row["path"]).is_file():
                by_word[word].append(REAL / row["path"])
    return by_word


CLIPS = clips()


@pytest.fixture(scope="module")
def hear(sphinx: Any, triage: Triage) -> Any:
    """Decode one clip under the bladder grammar: (words heard or None, intent or "")."""
    expected = Expected(QUESTION, triage.grammar.phrases_for(QUESTION))

    def run(path: Path) -> tuple[str | None, str]:
        event = sphinx.recognize(read_audio(path), expected)
        if not isinstance(event, Heard):
            return None, ""
        reading = triage.read(event.text, QUESTION, event.confidence)
        return event.text, reading.intent or ""

    return run


def test_yes_and_no_reach_the_floor(hear: Any, capsys: pytest.CaptureFixture[str]) -> None:
    results = [(word, path, *hear(path)) for word in ("yes", "no") for path in CLIPS[word]]
    assert results, f"no yes/ or no/ clips in {REAL}"
    right = [r for r in results if r[3] == r[0]]
    share = len(right) / len(results)
    with capsys.disabled():
        print(
            f"\nreal speech under the {QUESTION} grammar: {len(right)}/{len(results)} {share:.1%}"
        )
        for word, path, heard, intent in results:
            if intent != word:
                print(f"  FAIL {word}/{path.name}: heard {heard!r} -> {intent or 'nothing'}")
        print(f"  issue target {TARGET:.0%}: {'met' if share >= TARGET else 'NOT met'}")
    assert share >= FLOOR
    wrong = [r for r in results if r[3] in ("yes", "no") and r[3] != r[0]]
    assert not wrong, f"a real yes or no heard as the other: {wrong}"


def test_other_words_report(hear: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """Report only: what every other word comes out as; a "yes" is a safety finding."""
    outcomes: dict[str, Counter[str]] = {}
    as_yes: list[str] = []
    for word, paths in sorted(CLIPS.items()):
        if word in ("yes", "no"):
            continue
        outcomes[word] = Counter()
        for path in paths:
            heard, intent = hear(path)
            outcomes[word][intent or "nothing"] += 1
            if intent == "yes":
                as_yes.append(f"{word}/{path.name} heard {heard!r}")
    with capsys.disabled():
        print(f"\nother words under the {QUESTION} grammar (intent: count):")
        for word, counts in outcomes.items():
            print(f"  {word:<6} " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
        for line in as_yes:
            print(f"  SAFETY: {line} -> yes")
    if as_yes:
        warnings.warn(
            f"{len(as_yes)} non-answer word(s) heard as yes under {QUESTION}: {as_yes}",
            stacklevel=1,
        )
