"""The second opinion: PocketSphinx checks Whisper at emergency questions, never overrides it."""

from __future__ import annotations

import threading

import pytest

from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio, Preparing
from assistant.engines.second_opinion import SURE, Checker, SecondOpinion

CHECKED = Expected("bladder", ("yes", "no"))
OTHER = Expected("severity", ("yes", "no"))
AUDIO = Audio(b"\0\0" * 1600)


class Fake:
    """A recognizer that always hears `text` and notes the threads it ran on."""

    name = "fake"

    def __init__(self, text: str | None) -> None:
        self.text = text
        self.calls: list[str] = []
        self.threads: set[str] = set()

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        self.calls.append(f"recognize {expected.question}")
        self.threads.add(threading.current_thread().name)
        return NotUnderstood() if self.text is None else Heard(self.text, 0.5)

    def prepare(self, expected: Expected) -> None:
        self.calls.append(f"prepare {expected.question}")
        self.threads.add(threading.current_thread().name)


def opinion(primary: str | None, second: str | None) -> tuple[SecondOpinion, Fake, list[Fake]]:
    made: list[Fake] = []

    def make() -> Fake:
        made.append(Fake(second))
        return made[-1]

    checker = Checker(lambda a, b, qid: a.strip(".").lower() == b, frozenset({"bladder"}))
    first = Fake(primary)
    return SecondOpinion(first, make, checker), first, made


@pytest.mark.parametrize(
    ("second", "confidence"), [("no", SURE), ("yes", 0.5), (None, 0.5)], ids=str
)
def test_whisper_is_sure_only_when_the_grammar_agrees(
    second: str | None, confidence: float
) -> None:
    checked, _, _ = opinion("No.", second)
    heard = checked.recognize(AUDIO, CHECKED)
    assert isinstance(heard, Heard)
    assert (heard.text, heard.confidence) == ("No.", confidence)


def test_the_grammar_never_replaces_what_whisper_missed() -> None:
    checked, _, _ = opinion(None, "no")
    assert isinstance(checked.recognize(AUDIO, CHECKED), NotUnderstood)


def test_other_questions_never_ask_the_second_engine() -> None:
    checked, first, made = opinion("No.", "no")
    checked.prepare(OTHER)
    assert checked.recognize(AUDIO, OTHER) == Heard("No.", 0.5)
    assert first.calls == ["prepare severity", "recognize severity"]
    assert [fake.calls for fake in made] == [[]]  # loaded at the start, never asked


def test_prepare_readies_both_and_the_grammar_on_its_own_thread() -> None:
    checked, first, made = opinion("No.", "no")
    assert isinstance(checked, Preparing)
    checked.prepare(CHECKED)
    checked.recognize(AUDIO, CHECKED)
    assert first.calls == ["prepare bladder", "recognize bladder"]
    assert len(made) == 1  # loaded once, when the second opinion was made
    assert made[0].calls == ["prepare bladder", "recognize bladder"]
    assert all(name.startswith("second-opinion") for name in made[0].threads)
