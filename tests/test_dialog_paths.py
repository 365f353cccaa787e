"""Every path through the flow (yes, no, not sure, silence at each question) vs CLINICAL.md."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.core.content import DISPOSITIONS
from assistant.core.dialog import Triage
from assistant.core.messages import Event, Heard, Listen, Say, Silence
from assistant.core.state import AFTER_EMERGENCY, State
from tests.clinical_oracle import UNSURE_RAISES, YES_RAISES

ORDER = [
    "bladder",
    "saddle",
    "both_legs",
    "weakness",
    "serious",
    "severity",
    "numbness",
    "location",
]
YES_NO_CHOICES = {"yes": ["yes"], "no": ["no"], "unsure": ["not sure"] * 2, "silence": ["_"] * 3}
LOCATION_CHOICES = {
    "legs": ["my legs"],
    "hands": ["my hands"],
    "back": ["only my back"],
    "unsure": ["not sure"] * 2,
    "silence": ["_"] * 3,
}


def _feed(triage: Triage, state: State, answers: list[str]) -> tuple[State, list[Say], list[str]]:
    said: list[Say] = []
    asked: list[str] = []
    for text in answers:
        ev: Event = Silence() if text == "_" else Heard(text, 1.0)
        state, actions = triage.step(state, ev)
        said += [a for a in actions if isinstance(a, Say)]
        asked += [a.expected.question for a in actions if isinstance(a, Listen)]
    return state, said, asked


def _paths(triage: Triage) -> Iterator[tuple[list[tuple[str, str]], State, list[str], list[Say]]]:
    """Depth-first over every choice at every question: (choices, final state, asked, said)."""
    start, actions = triage.start()
    first = [a.expected.question for a in actions if isinstance(a, Listen)]
    said: list[Say] = [a for a in actions if isinstance(a, Say)]
    stack: list[tuple[list[tuple[str, str]], State, list[str], list[Say]]] = [
        ([], start, first, said)
    ]
    while stack:
        choices, state, asked, said = stack.pop()
        if state.phase == "done":
            yield choices, state, asked, said
            continue
        if state.phase == "emergency":
            end, acts = triage.step(state, Heard("stop", 1.0))
            yield choices, end, asked, said + [a for a in acts if isinstance(a, Say)]
            continue
        table = LOCATION_CHOICES if state.qid == "location" else YES_NO_CHOICES
        for name, answers in table.items():
            s, new_said, new_asked = _feed(triage, state, answers)
            stack.append(([*choices, (state.qid, name)], s, asked + new_asked, said + new_said))


def _expected(choices: list[tuple[str, str]]) -> str:
    level = -1
    for qid, choice in choices:
        raised = (
            YES_RAISES.get(qid)
            if choice == "yes"
            else UNSURE_RAISES.get(qid)
            if choice in ("unsure", "silence")
            else None
        )
        if raised:
            level = max(level, DISPOSITIONS.index(raised))
    return DISPOSITIONS[level] if level >= 0 else "self_care"


@pytest.fixture(scope="module")
def all_paths(triage: Triage) -> list[tuple[list[tuple[str, str]], State, list[str], list[Say]]]:
    return list(_paths(triage))


def test_enumerated_paths_reach_the_disposition_clinical_md_requires(all_paths: list) -> None:
    print(f"enumerated paths: {len(all_paths)}")
    assert len(all_paths) > 1000
    by_disposition: dict[str, int] = {}
    for choices, state, _, _ in all_paths:
        assert state.outcome is not None
        want = _expected(choices)
        assert state.outcome.disposition == want, choices
        assert state.outcome.completed
        by_disposition[want] = by_disposition.get(want, 0) + 1
    print("paths by disposition:", by_disposition)
    assert set(by_disposition) == set(DISPOSITIONS)


def test_warning_signs_are_asked_first_and_in_order(all_paths: list) -> None:
    for _, _, asked, _ in all_paths:
        questions = [
            q for i, q in enumerate(asked) if q != AFTER_EMERGENCY and (i == 0 or asked[i - 1] != q)
        ]
        assert questions == ORDER[: len(questions)], asked


def test_emergency_stops_the_questions_at_once(all_paths: list) -> None:
    for choices, state, asked, said in all_paths:
        if state.outcome.disposition != "emergency":
            continue
        assert choices[-1][1] == "yes" and YES_RAISES[choices[-1][0]] == "emergency"
        assert asked[-1] == AFTER_EMERGENCY
        keys = [s.key for s in said]
        assert "advice_emergency" in keys and "why_cauda_equina" in keys
        assert keys.index("advice_emergency") < keys.index("why_cauda_equina"), (
            "action first, then why"
        )


def test_each_path_closes_with_advice_and_uncertainty_is_explained(all_paths: list) -> None:
    for choices, state, _, said in all_paths:
        keys = [s.key for s in said]
        d = state.outcome.disposition
        assert f"advice_{d}" in keys and f"summary_{d}" in keys and keys[-1] == "goodbye"
        if d != "emergency":
            assert "watch_for" in keys
        for qid, choice in choices:
            if qid in UNSURE_RAISES and choice in ("unsure", "silence"):
                assert ("unsure_counted" if choice == "unsure" else "no_answer_counted") in keys
                assert (
                    "why_unsure" if choice == "unsure" else "why_no_answer"
                ) in keys or d == "emergency"


def test_places_are_explained(all_paths: list) -> None:
    for choices, _, _, said in all_paths:
        keys = [s.key for s in said]
        for qid, choice in choices:
            if qid == "location":
                want = {"legs": "loc_sciatic", "hands": "loc_neck", "back": "loc_muscle"}.get(
                    choice
                )
                if want:
                    assert want in keys
