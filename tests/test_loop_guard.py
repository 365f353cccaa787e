"""No loops: no question is asked more than `max_asks` times in a row, for any reason; then a
warning sign counts as possibly present, a place as not known, and the person is told why."""

from __future__ import annotations

import pytest

from assistant.core.dialog import Triage
from assistant.core.messages import Finish, Listen, Say
from assistant.core.state import AFTER_EMERGENCY, NO_ANSWER
from tests.clinical_oracle import UNSURE_RAISES
from tests.dialog_driver import event

COMMANDS_FOREVER = [
    "repeat",
    "help",
    "slower",
    "faster",
    "what is cauda equina",
    "cauda equina syndrome what's that",
    "pardon, what did you say?",
]
FOREVER = [
    *COMMANDS_FOREVER,
    "banana",
    "_",
    "?",
    "!mic",
    "go back",
    "start over",
    "yes, no, I mean yes, no",
]
"""A recogniser (or a person) that gives the same answer forever."""


def _run(triage: Triage, answer: str, limit: int = 400) -> tuple[list[str], list[str], object]:
    """The questions listened for, the keys said, and the final state."""
    state, actions = triage.start()
    asked: list[str] = []
    said: list[str] = []
    for _ in range(limit):
        said += [a.key for a in actions if isinstance(a, Say)]
        asked += [a.expected.question for a in actions if isinstance(a, Listen)]
        if any(isinstance(a, Finish) for a in actions):
            return asked, said, state
        state, actions = triage.step(state, event(answer))
    raise AssertionError(f"{answer!r} forever never finished")


def _longest_run(asked: list[str]) -> int:
    best = run = 0
    for i, q in enumerate(asked):
        run = run + 1 if i and asked[i - 1] == q else 1
        if q != AFTER_EMERGENCY:
            best = max(best, run)
    return best


@pytest.mark.parametrize("answer", FOREVER)
def test_the_same_answer_forever_never_asks_a_question_five_times_in_a_row(
    triage: Triage, answer: str
) -> None:
    asked, _, state = _run(triage, answer)
    assert _longest_run(asked) <= triage.content.settings.max_asks, asked
    assert state.phase == "done"  # type: ignore[attr-defined]


@pytest.mark.parametrize("answer", COMMANDS_FOREVER)
def test_a_command_forever_counts_every_warning_sign_and_says_so(
    triage: Triage, answer: str
) -> None:
    _, said, state = _run(triage, answer)
    outcome = state.outcome  # type: ignore[attr-defined]
    assert outcome.completed
    assert "loop_counted" in said and "loop_moved_on" in said
    reasons = set(outcome.reasons)
    assert {q + NO_ANSWER for q in UNSURE_RAISES} <= reasons
    assert outcome.disposition == "urgent"  # possible warning signs: a doctor today, not home care
    assert outcome.places == ()  # the place is not known


def test_the_guard_sentence_names_the_sign(triage: Triage) -> None:
    state, _ = triage.start()
    for _ in range(3):
        state, _ = triage.step(state, event("help"))
    state, actions = triage.step(state, event("help"))
    lines = [a.text for a in actions if isinstance(a, Say)]
    assert any("loss of bladder or bowel control" in line for line in lines), lines
    assert state.qid == "saddle" and state.reasons == ("bladder" + NO_ANSWER,)
