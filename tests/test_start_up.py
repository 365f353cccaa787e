"""The start: the greeting first, then what the start-up found (the engine), then the questions.

The greeting does not wait for the speech recogniser to load, nor the microphone for the data.
"""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from assistant import cli
from assistant.core.dialog import Triage
from assistant.core.errors import EngineError
from assistant.core.messages import (
    EndOfInput,
    Event,
    Expected,
    Heard,
    NotUnderstood,
    Say,
    SayNotes,
)
from assistant.core.ports import Audio
from assistant.io.speakers import SilentSpeaker
from assistant.session import Session


class Ends:
    """No answer at all: the input ends at the first question."""

    def listen(self, expected: Expected) -> Event:
        return EndOfInput("test")


def test_the_notes_come_after_the_greeting_and_before_the_first_question(triage: Triage) -> None:
    _, actions = triage.start()
    keys = [a.key if isinstance(a, Say) else type(a).__name__ for a in actions]
    welcome = len(triage.say("welcome"))
    assert keys[:welcome] == ["welcome"] * welcome
    assert keys[welcome] == "SayNotes"
    assert keys[welcome + 1] == "how_to_answer"
    assert sum(isinstance(a, SayNotes) for a in actions) == 1


def test_the_session_says_the_notes_once_in_their_place(triage: Triage) -> None:
    captions: list[str] = []
    asked: list[int] = []

    def notes() -> list[str]:
        asked.append(len(captions))
        return ["NOTE"] if len(asked) == 1 else []

    Session(triage, Ends(), SilentSpeaker(), captions.append, lambda: None, notes).run()
    welcome = [line.text for line in triage.say("welcome")]
    assert captions[: len(welcome)] == welcome  # the greeting did not wait for the notes
    assert captions[len(welcome)] == "NOTE"
    assert asked == [len(welcome)]


def test_an_engine_that_fails_to_load_is_said_after_the_greeting(triage: Triage) -> None:
    captions: list[str] = []

    def notes() -> list[str]:
        raise EngineError("error_model_missing", path="model")

    session = Session(triage, Ends(), SilentSpeaker(), captions.append, lambda: None, notes)
    with pytest.raises(EngineError):
        session.run()
    assert captions[0] == triage.say("welcome")[0].text
    assert any("Watch for these warning signs" in line for line in captions)


def _args(*argv: str) -> argparse.Namespace:
    return cli.parser().parse_args(list(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["--text"],
        ["--replay", "answer.wav"],
        ["--list-mics"],
        ["--list-voices"],
        ["questions"],
        ["doctor"],
        ["understand", "--question", "bladder", "no"],
    ],
)
def test_only_a_session_at_the_microphone_opens_it_early(argv: list[str]) -> None:
    assert cli._open_microphone(_args(*argv)) is None


def test_a_session_at_the_microphone_starts_opening_it_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from assistant.io import mic_device

    started: list[Any] = []

    def opening(index: int | None) -> str:
        started.append(index)
        return "opening"

    monkeypatch.setattr(mic_device, "opening", opening)
    assert cli._open_microphone(_args("--mic", "3")) == "opening"
    assert started == [3]


class Named:
    """A loaded recogniser, as far as the notes care."""

    name = "whisper"

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        return NotUnderstood()


def test_the_record_names_the_engine_even_when_the_session_ended_before_the_notes(
    triage: Triage,
) -> None:
    from assistant.engines.loading import Loading
    from assistant.start_notes import StartNotes

    notes = StartNotes(triage, SilentSpeaker(), str)
    assert notes.engine == "typed"  # typed answers: no engine
    notes.loading = Loading(lambda: (Named(), [("engine_auto_whisper", {})]))
    assert notes.engine == "whisper"  # not said yet (stopped during the greeting)
    assert notes() == [line.text for line in triage.say("engine_auto_whisper")]
    assert notes() == []  # once

    def fails() -> Any:
        raise EngineError("error_model_missing", path="model")

    broken = StartNotes(triage, SilentSpeaker(), str)
    broken.loading = Loading(fails)
    assert broken.engine == "none"


def test_the_engine_starts_loading_once_the_first_line_is_on_its_way() -> None:
    import io
    import time
    from functools import partial

    from assistant import run
    from assistant.engines.loading import Loading
    from assistant.io.console import Captions

    captions = Captions(io.StringIO())
    loaded: list[float] = []

    def load() -> str:
        loaded.append(time.monotonic())
        return "engine"

    loading = Loading(partial(run._after, captions.started, load))
    time.sleep(0.2)
    assert loaded == []  # the first word is not slowed by the engine's imports
    said = time.monotonic()
    captions.line("Hello.")
    assert loading.result() == "engine"
    assert loaded[0] >= said
