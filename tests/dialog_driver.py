"""Driving the pure dialog in tests: scripted answers in, everything said out."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.core.dialog import Triage
from assistant.core.messages import (
    Action,
    ChangeRate,
    EndOfInput,
    Event,
    Finish,
    Heard,
    InputFailed,
    Listen,
    NotUnderstood,
    Say,
    Silence,
)
from assistant.core.state import State


def event(answer: str) -> Event:
    """Parse a scripted answer.

    "_" silence, "?" not understood, "EOF" end of input, "!mic" a device failure,
    "text@0.4" heard with confidence 0.4.
    """
    if answer == "_":
        return Silence()
    if answer == "?":
        return NotUnderstood()
    if answer == "EOF":
        return EndOfInput()
    if answer == "!mic":
        return InputFailed("error_microphone_lost")
    text, _, conf = answer.partition("@")
    return Heard(text, float(conf) if conf else 1.0)


@dataclass
class Transcript:
    """Everything one scripted conversation produced."""

    state: State
    said: list[Say] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    rates: list[int] = field(default_factory=list)
    finished: bool = False

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.said]

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.said)


def collect(t: Transcript, actions: list[Action]) -> None:
    for a in actions:
        if isinstance(a, Say):
            t.said.append(a)
        elif isinstance(a, Listen):
            t.asked.append(a.expected.question)
        elif isinstance(a, ChangeRate):
            t.rates.append(a.steps)
        elif isinstance(a, Finish):
            t.finished = True


def converse(triage: Triage, answers: list[str]) -> Transcript:
    """Run `answers`, then end of input if the dialog is still going."""
    state, actions = triage.start()
    t = Transcript(state)
    collect(t, actions)
    for answer in [*answers, "EOF"]:
        if t.finished:
            break
        t.state, actions = triage.step(t.state, event(answer))
        collect(t, actions)
    return t
