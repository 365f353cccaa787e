"""The lines known in advance: every fixed spoken text, filled in, in the order they are needed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.core.content import Content, text_fields
from assistant.core.dialog import Triage
from assistant.core.known_lines import SESSION_FIELDS, known_keys
from assistant.core.messages import Event, Expected, Heard, Silence
from assistant.session import Session
from tests.dialog_driver import converse

CONVERSATIONS = yaml.safe_load(
    (Path(__file__).parent / "golden" / "conversations.yaml").read_text()
)
PRINTED_ONLY = ("record_", "reading_", "answer_label_", "disposition_label_", "doctor_", "file_")
"""Text families never spoken by the dialog: files, `understand`, the doctor, problems' details."""
SAID_OUTSIDE_THE_DIALOG = ("error_", "engine_", "wake_", "cue_listening")
"""Said or printed by the program around the dialog (run.py prepares its fixed ones itself)."""
FIELD_VALUES = ("sign_", "place_")
"""Words that fill other lines' fields, never said alone."""
UNUSED = ("not_a_command_now",)
"""Required by the validator but said nowhere today."""


def fixed(content: Content, key: str) -> bool:
    """The text's lines use only fields fixed for the session."""
    return all(text_fields(line) <= SESSION_FIELDS for line in content.text(key))


@pytest.mark.parametrize("number", [None, "112", "999"])
def test_known_lines_are_filled_in_and_each_said_once(content: Content, number: str | None) -> None:
    lines = Triage(content, number).known_lines()
    assert lines
    assert len(lines) == len(set(lines))
    assert not [line for line in lines if "{" in line or "}" in line]
    expected = number or content.settings.emergency_number
    assert [line for line in lines if "Call " in line]
    assert all(expected in line for line in lines if "Call " in line)


def test_the_opening_and_the_first_question_come_first(triage: Triage) -> None:
    _, actions = triage.start()
    opening = [a.text for a in actions if hasattr(a, "text")]
    assert triage.known_lines()[: len(opening)] == opening


def test_questions_come_in_flow_order_before_the_advice(triage: Triage) -> None:
    content, lines = triage.content, triage.known_lines()
    asks = [lines.index(content.text(q.ask)[0]) for q in content.questions]
    assert asks == sorted(asks)
    advice = lines.index(content.text("advice_self_care")[0])
    goodbye = lines.index(content.text("goodbye")[0])
    assert max(asks) < advice < goodbye == len(lines) - 1


def test_lines_made_from_the_answers_are_not_known(triage: Triage) -> None:
    content = triage.content
    per_answer = [k for k in content.texts if not fixed(content, k)]
    assert "summary_signs" in per_answer  # made on the spot, from what the person said
    assert not set(per_answer) & set(known_keys(content))


def test_a_known_text_that_gains_a_per_answer_field_is_made_on_the_spot(content: Content) -> None:
    texts = dict(content.texts)
    texts["q_bladder_simple"] = ("Have you had {sign} since the pain began?",)
    changed = Triage(replace(content, texts=texts))
    assert "q_bladder_simple" in known_keys(changed.content)
    assert not [line for line in changed.known_lines() if "since the pain began" in line]
    assert len(changed.known_lines()) == len(Triage(content).known_lines()) - 1


def test_every_fixed_text_is_known_or_never_said_by_the_dialog(triage: Triage) -> None:
    content = triage.content
    known = set(known_keys(content))
    left = [
        key
        for key in content.texts
        if fixed(content, key)
        and key not in known
        and not key.startswith(PRINTED_ONLY + SAID_OUTSIDE_THE_DIALOG + FIELD_VALUES + UNUSED)
    ]
    assert left == []


def said_fixed_lines(triage: Triage, answers: Sequence[Any]) -> set[str]:
    """The fixed-text lines a conversation said (device-failure texts come from the adapters)."""
    t = converse(triage, [str(a) for a in answers])
    return {
        say.text
        for say in t.said
        if fixed(triage.content, say.key) and not say.key.startswith("error_")
    }


@pytest.mark.parametrize("case", CONVERSATIONS, ids=[c["name"] for c in CONVERSATIONS])
def test_every_fixed_line_a_golden_conversation_says_is_known(
    triage: Triage, case: dict[str, Any]
) -> None:
    assert said_fixed_lines(triage, case["answers"]) <= set(triage.known_lines())


ANSWERS = ["yes", "no", "not sure", "my legs", "only my back", "help", "repeat", "slower",
           "faster", "go back", "start over", "stop", "what is sciatica", "banana", "_", "?",
           "!mic", "no@0.3", "stop@0.3", "yes and no", "I can't walk properly"]  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(ANSWERS), max_size=30))
def test_every_fixed_line_any_conversation_says_is_known(
    triage: Triage, answers: list[str]
) -> None:
    assert said_fixed_lines(triage, answers) <= set(triage.known_lines())


class PreparingSpeaker:
    """Notes what it was asked to prepare and to say, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def say(self, text: str) -> None:
        self.calls.append(("say", text))

    def prepare(self, lines: Sequence[str]) -> None:
        self.calls.append(("prepare", list(lines)))

    def change_rate(self, steps: int) -> None:
        self.calls.append(("rate", steps))


class OneAnswer:
    """Answers "stop" once, then the input ends."""

    def __init__(self) -> None:
        self.events: list[Event] = [Heard("stop", 1.0)]

    def listen(self, expected: Expected) -> Event:
        return self.events.pop() if self.events else Silence()


def test_the_session_prepares_the_known_lines_once_before_the_first_line(triage: Triage) -> None:
    speaker = PreparingSpeaker()
    captions: list[str] = []
    Session(triage, OneAnswer(), speaker, captions.append, lambda: None).run()
    prepares = [c for c in speaker.calls if c[0] == "prepare"]
    assert prepares == [("prepare", triage.known_lines())]
    assert speaker.calls[0][0] == "prepare"
    assert [c[1] for c in speaker.calls if c[0] == "say"] == captions
