"""Golden phrase -> intent (+ slots) and must-not-match cases from tests/golden/phrases.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.core.matcher import Matcher

GOLDEN = Path(__file__).parent / "golden" / "phrases.yaml"
SLOT_INTENTS = {"explain": "term", "location": "places"}


def _cases() -> list[pytest.ParameterSet]:
    data = yaml.load(GOLDEN.read_text(), Loader=yaml.BaseLoader)
    cases = []
    for question, intents in data.items():
        for intent, phrases in intents.items():
            for line in phrases:
                text, _, slots = line.partition(" => ")
                qids = ["bladder", "location"] if question == "any" else [question]
                for qid in qids:
                    expected = None if intent == "none" else intent
                    cases.append(
                        pytest.param(
                            qid, text, expected, slots.split(), id=f"{qid}:{intent}:{text}"
                        )
                    )
    return cases


CASES = _cases()


def test_golden_file_has_at_least_200_cases() -> None:
    print(f"golden phrase cases: {len(CASES)}")
    assert len(CASES) >= 200


@pytest.mark.parametrize(("qid", "text", "intent", "slots"), CASES)
def test_phrase_means_intent(
    matcher: Matcher, qid: str, text: str, intent: str | None, slots: list[str]
) -> None:
    got = matcher.match(text, qid)
    if intent is None:
        assert got is None, f"{text!r} must not match, got {got}"
        return
    assert got is not None, f"{text!r} matched nothing"
    assert got.intent == intent
    if intent in SLOT_INTENTS:
        value = got.slots[SLOT_INTENTS[intent]]
        assert (value if isinstance(value, list) else [value]) == slots
    assert 0.0 < got.confidence <= 1.0
