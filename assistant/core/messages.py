"""Small frozen messages that cross every boundary, and one generic serialiser for them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Expected:
    """What the assistant is listening for: the question and the phrases its grammar allows."""

    question: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Heard:
    """Words recognised from one answer (or one typed line), with a confidence in 0..1."""

    text: str
    confidence: float = 1.0
    decode_ms: float = 0.0


@dataclass(frozen=True)
class Silence:
    """The person said nothing before the listening timeout."""


@dataclass(frozen=True)
class NotUnderstood:
    """Sound was heard but nothing usable was recognised."""

    decode_ms: float = 0.0


@dataclass(frozen=True)
class EndOfInput:
    """No more input will come (end of typed input, last replay file, a signal)."""

    reason: str = "end"


@dataclass(frozen=True)
class InputFailed:
    """The input device or file failed; `key` names the spoken text that explains it."""

    key: str
    detail: str = ""


Event = Heard | Silence | NotUnderstood | EndOfInput | InputFailed


@dataclass(frozen=True)
class Say:
    """Speak (and caption) one line; `key` names its text in intents/."""

    key: str
    text: str


@dataclass(frozen=True)
class Listen:
    """Wait for the person's answer to `expected.question`."""

    expected: Expected


@dataclass(frozen=True)
class ChangeRate:
    """Make speech slower (-1) or faster (+1) by one step."""

    steps: int


@dataclass(frozen=True)
class Outcome:
    """Where a conversation ended: the disposition (or None) and why."""

    disposition: str | None
    reasons: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    completed: bool = False


@dataclass(frozen=True)
class Finish:
    """The conversation is over."""

    outcome: Outcome


@dataclass(frozen=True)
class SayNotes:
    """Here, after the greeting, say what the start-up found (which speech recogniser, and why).

    Only the I/O knows it, and it may still be loading while the greeting is said.
    """


Action = Say | SayNotes | Listen | ChangeRate | Finish


@dataclass(frozen=True)
class Turn:
    """One answer as recorded in the session record."""

    question: str
    heard: str
    intent: str
    confidence: float
    slots: dict[str, Any] = field(default_factory=dict)
    why: tuple[str, ...] = ()  # the words that decided the intent, in plain words
    volunteered: tuple[str, ...] = ()  # other warning signs the answer described


def to_jsonable(value: Any) -> Any:
    """Turn any message (nested dataclasses, tuples, dicts) into plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value
