"""Shared fixtures: the English content, the grammars, the interpreter and the dialog engine."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import pytest

from assistant.core.content import Content, load
from assistant.core.dialog import Triage
from assistant.core.grammar import Grammar
from assistant.core.interpreter import Interpreter
from assistant.core.ports import Audio


@pytest.fixture(scope="session")
def content() -> Content:
    return load()


@pytest.fixture(scope="session")
def grammar(content: Content) -> Grammar:
    return Grammar(content)


@pytest.fixture(scope="session")
def interpreter(triage: Triage) -> Interpreter:
    return triage.interpreter


@pytest.fixture(scope="session")
def triage(content: Content) -> Triage:
    return Triage(content)


def read_audio(path: Path) -> Audio:
    """A 16-bit mono WAV as the Audio an adapter is given."""
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2), path
        return Audio(w.readframes(w.getnframes()), w.getframerate())


@pytest.fixture(scope="module")
def sphinx(content: Content) -> Any:
    """The PocketSphinx adapter with intents/' pronunciations, loaded once per module."""
    pytest.importorskip("pocketsphinx", reason="pocketsphinx is not installed")
    from assistant.engines.sphinx import PocketSphinxRecognizer

    return PocketSphinxRecognizer(content.pronunciations)
