"""Golden phrase -> intent (+ slots) and must-not-match cases from tests/golden/phrases.yaml,
read by the interpreter; and every phrase the speech grammars allow is read as its own intent."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.core.grammar import Grammar
from assistant.core.interpreter import Interpreter

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
    interpreter: Interpreter, qid: str, text: str, intent: str | None, slots: list[str]
) -> None:
    got = interpreter.read(text, qid)
    if intent is None:
        assert got.intent is None, f"{text!r} must not be understood, got {got}"
        return
    assert got.intent == intent, f"{text!r}: {got}"
    if intent in SLOT_INTENTS:
        value = got.slots[SLOT_INTENTS[intent]]
        assert (value if isinstance(value, list) else [value]) == slots
    assert 0.0 < got.confidence <= 1.0


def _grammar_cases() -> list[pytest.ParameterSet]:
    from assistant.core.content import load

    content = load()
    grammar = Grammar(content)
    cases = []
    for q in content.questions:
        for intent, templates in grammar.templates(q.id).items():
            if intent == "explain":
                continue  # the term decides; tested with the golden phrases
            for text in sorted(set(grammar.phrases(templates))):
                cases.append(pytest.param(q.id, text, intent, id=f"{q.id}:{intent}:{text}"))
    return cases


@pytest.mark.parametrize(("qid", "text", "intent"), _grammar_cases())
def test_every_grammar_phrase_is_read_as_its_intent(
    interpreter: Interpreter, qid: str, text: str, intent: str
) -> None:
    """What the recogniser can hear is understood: one source drives both sides."""
    assert interpreter.read(text, qid).intent == intent
