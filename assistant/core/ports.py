"""The ports the core talks through; adapters at the edge implement them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.core.messages import EndOfInput, Event, Expected, Heard, NotUnderstood


@dataclass(frozen=True)
class Audio:
    """One answer's audio: 16-bit signed little-endian mono PCM at `sample_rate`."""

    pcm: bytes
    sample_rate: int = 16000


class Listener(Protocol):
    """Gets the person's next answer."""

    def listen(self, expected: Expected) -> Event:
        """Block until an answer, silence, failure or the end of input."""
        ...


class Speaker(Protocol):
    """Speaks a line (captions are printed by the session loop, not here)."""

    def say(self, text: str) -> None:
        """Speak `text` and return only when it has been spoken."""
        ...

    def prepare(self, lines: Sequence[str]) -> None:
        """Get these lines ready to be said at once, in order, without waiting for them."""
        ...

    def change_rate(self, steps: int) -> None:
        """Make speech slower (negative) or faster (positive) by whole steps."""
        ...


class Recognizer(Protocol):
    """Turns one answer's audio into words, using a grammar of the expected phrases."""

    name: str

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        """Decode `audio`; `expected.phrases` is the grammar for this question."""
        ...


__all__ = ["Audio", "EndOfInput", "Listener", "Recognizer", "Speaker"]
