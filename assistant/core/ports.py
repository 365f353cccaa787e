"""The ports the core talks through; adapters at the edge implement them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

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


@runtime_checkable
class Following(Protocol):
    """A listener that can still hear an answer go on after the reply to it has started."""

    @property
    def following(self) -> bool:
        """The last answer was taken early and may still go on."""
        ...

    def follow(self, on_resume: Callable[[], None]) -> Heard | NotUnderstood | None:
        """Listen on while the reply plays: the whole answer if the person went on, else None.

        `on_resume` is called the moment they go on (to stop the reply).
        """
        ...

    def overhear(self) -> AbstractContextManager[None]:
        """Around the assistant's first lines: learn whether it hears its own voice (echo)."""
        ...


@runtime_checkable
class Interruptible(Protocol):
    """A speaker whose line can be cut short from another thread."""

    def stop(self) -> None:
        """Stop the line being spoken now (say() then returns early); later lines play."""
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

    @property
    def name(self) -> str:
        """The engine's name (whisper, sphinx, vosk), as the session record gives it."""
        ...

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        """Decode `audio`; `expected.phrases` is the grammar for this question."""
        ...


@runtime_checkable
class Preparing(Protocol):
    """A recognizer with slow set-up per question, done before the answer (live only)."""

    def prepare(self, expected: Expected) -> None:
        """Get ready to decode answers to `expected` (a grammar, a second engine)."""
        ...


__all__ = [
    "Audio",
    "EndOfInput",
    "Following",
    "Interruptible",
    "Listener",
    "Preparing",
    "Recognizer",
    "Speaker",
]
