"""Fuzzing the interpreter and the dialog with random and adversarial text: no exception, every
session ends, and a yes to a warning sign is never lost."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.core.content import Content
from assistant.core.dialog import Triage
from assistant.core.grammar import Grammar
from assistant.core.interpreter import Interpreter
from assistant.core.messages import EndOfInput, Heard, Silence

QIDS = ["bladder", "saddle", "both_legs", "weakness", "serious", "severity", "numbness", "location"]
FUZZ = settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))

words = st.sampled_from(
    [
        "yes",
        "no",
        "not",
        "never",
        "can't",
        "bladder",
        "legs",
        "stop",
        "back",
        "what",
        "is",
        "sciatica",
        "my",
        "I",
        "don't",
        "know",
        "maybe",
        "n't",
        "'",
        "\u00a0",
        "ja",
        "нет",
        "是",
        "🙂",
        "\x00",
        "\u202e",
    ]
)
adversarial = st.one_of(
    st.text(max_size=200),  # any unicode, control characters included
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Po", "Ps", "Pe"]), max_size=300),
    st.lists(words, max_size=60).map(" ".join),
    st.builds(lambda w, n: (w + " ") * n, words, st.integers(100, 2000)),  # very long
    st.text(alphabet="!?.,;:-'\"()[]{}", max_size=50),  # only punctuation
)
COUNT = {"interpreter": 0, "dialog": 0}


@FUZZ
@given(st.sampled_from(QIDS), adversarial, st.floats(0.0, 1.0))
def test_interpreter_never_raises_and_returns_a_known_intent(
    interpreter: Interpreter, grammar: Grammar, qid: str, text: str, conf: float
) -> None:
    COUNT["interpreter"] += 1
    r = interpreter.read(text, qid, conf)
    if r.intent is not None:
        assert r.intent in grammar.intents_for(qid)
    assert 0.0 <= r.confidence <= 1.0


@FUZZ
@given(st.lists(st.one_of(adversarial.map(Heard), st.just(Silence())), max_size=12))
def test_dialog_survives_any_text_and_always_ends(triage: Triage, events: list) -> None:
    COUNT["dialog"] += 1
    state, _ = triage.start()
    for ev in events:
        state, _ = triage.step(state, ev)
    state, _ = triage.step(state, EndOfInput())
    assert state.phase == "done"
    assert state.outcome is not None


def test_a_yes_after_any_garbage_still_raises_the_emergency(triage: Triage) -> None:
    """Garbage, then yes at the first question: the garbage never costs the emergency."""
    for garbage in ["\x00\x01", "🙂" * 500, "!!!", "нет да", "no" * 3000]:
        state, _ = triage.start()
        state, _ = triage.step(state, Heard(garbage, 1.0))
        if state.qid == "bladder" and state.phase == "asking":
            state, _ = triage.step(state, Heard("yes", 0.1))
            assert state.disposition == "emergency"


def test_long_answers_are_read_on_their_first_words(
    interpreter: Interpreter, content: Content
) -> None:
    limit = content.settings.max_answer_words
    first = " ".join(["my legs are weak"] * (limit // 4))
    long = interpreter.read(first + " banana" * 5000, "weakness")
    assert long == interpreter.read(first, "weakness")
    assert long.intent == "yes"


def test_zz_report_counts() -> None:
    print(f"fuzz examples run: interpreter {COUNT['interpreter']}, dialog {COUNT['dialog']}")
