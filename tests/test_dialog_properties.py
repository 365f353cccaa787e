"""Hypothesis properties of the dialog: it always ends, a yes to an emergency sign is never lost,
and no conversation ends below the disposition its answers require."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.core.content import DISPOSITIONS
from assistant.core.dialog import Triage
from assistant.core.messages import (
    EndOfInput,
    Event,
    Finish,
    Heard,
    InputFailed,
    NotUnderstood,
    Silence,
)
from assistant.core.state import AFTER_EMERGENCY, State
from tests.clinical_oracle import EMERGENCY, UNSURE_RAISES, YES_RAISES

ANSWERS = [
    "yes",
    "no",
    "not sure",
    "I don't know",
    "maybe",
    "I can't control my bladder",
    "no, I haven't lost control",
    "I can't walk properly",
    "my legs",
    "my hands and feet",
    "only my back",
    "banana",
    "what is sciatica",
    "help",
    "repeat",
    "slower",
    "faster",
]
COMMANDS = ["go back", "start over", "stop"]

heard = st.builds(Heard, st.sampled_from(ANSWERS), st.floats(0.0, 1.0))
plain_events = st.one_of(
    heard,
    st.just(Silence()),
    st.just(NotUnderstood()),
    st.just(InputFailed("error_microphone_lost")),
)
any_events = st.one_of(
    plain_events,
    st.builds(Heard, st.sampled_from(COMMANDS), st.floats(0.0, 1.0)),
    st.builds(Heard, st.text(max_size=40)),
)
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BOUND = 200


def _run(triage: Triage, events: list[Event]) -> tuple[State, int, list[tuple[str, Event]]]:
    state, _ = triage.start()
    seen: list[tuple[str, Event]] = []
    steps = 0
    for ev in [*events, *([Silence()] * BOUND)]:
        if state.phase == "done":
            break
        seen.append((state.qid if state.phase != "emergency" else AFTER_EMERGENCY, ev))
        state, actions = triage.step(state, ev)
        steps += 1
        if any(isinstance(a, Finish) for a in actions):
            break
    return state, steps, seen


@SETTINGS
@given(st.lists(any_events, max_size=120))
def test_any_event_sequence_ends_within_a_bound(triage: Triage, events: list[Event]) -> None:
    state, steps, _ = _run(triage, events)
    assert state.phase == "done" and state.outcome is not None
    assert steps <= triage.content.settings.max_turns + 1


@SETTINGS
@given(
    st.lists(plain_events, max_size=40),
    st.sampled_from(sorted(EMERGENCY)),
    st.floats(0.0, 1.0),
    st.lists(any_events, max_size=20),
)
def test_a_yes_to_an_emergency_question_in_any_history_is_an_emergency(
    triage: Triage, prefix: list[Event], qid: str, confidence: float, after: list[Event]
) -> None:
    state, _ = triage.start()
    for ev in prefix:
        if state.phase == "done" or (state.phase == "asking" and state.qid == qid):
            break
        state, _ = triage.step(state, ev)
    if state.phase not in ("asking", "confirming") or state.qid != qid:
        return  # this history never reached the question (an earlier emergency, or it ended)
    state, _ = triage.step(state, Heard("yes", confidence))
    assert state.disposition == "emergency" and state.phase == "emergency"
    for ev in after:
        if state.phase == "done":
            break
        if isinstance(ev, Heard) and ev.text in ("go back", "start over"):
            return  # the person corrected the answer on purpose
        state, _ = triage.step(state, ev)
    state, _ = triage.step(state, EndOfInput())
    assert state.outcome is not None and state.outcome.disposition == "emergency"


@SETTINGS
@given(st.lists(plain_events, max_size=60))
def test_no_sequence_ends_below_what_its_answers_require(
    triage: Triage, events: list[Event]
) -> None:
    state, _, seen = _run(triage, events)
    need = -1
    unsure: dict[str, int] = {}
    for qid, ev in seen:
        if not isinstance(ev, Heard) or qid not in YES_RAISES:
            continue
        m = triage.read(ev.text, qid, ev.confidence)
        if m.intent == "yes":
            need = max(need, DISPOSITIONS.index(YES_RAISES[qid]))
        if m.intent == "unsure":
            unsure[qid] = unsure.get(qid, 0) + 1
            if unsure[qid] >= 2:
                need = max(need, DISPOSITIONS.index(UNSURE_RAISES[qid]))
    assert state.outcome is not None
    got = state.outcome.disposition
    assert (DISPOSITIONS.index(got) if got else -1) >= need, (got, seen)
