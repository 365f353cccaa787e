"""The one function that turns recognised words into what they mean, for every measure here.

Every accuracy, swap and calibration figure in bench/ and in the held-out voice tests goes
through `interpret`, which reads the words with the dialog's own interpreter.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from assistant.core.content import load
from assistant.core.dialog import Triage
from assistant.core.interpreter import Interpreter
from assistant.core.messages import Expected, Heard
from assistant.core.reading import Reading

SLOT_OF = {"location": "places", "explain": "term"}
"""The slot the manifests write for an intent (a yes that names places is judged as a yes)."""


@dataclass(frozen=True)
class Meaning:
    """What an answer meant: intent ("" = nothing), slots as the manifests write them."""

    intent: str
    slots: str
    confidence: float


@cache
def _triage() -> Triage:
    return Triage(load())


def _interpreter() -> Interpreter:
    return _triage().interpreter


def judge(heard: Heard, expected: Expected, followed: bool) -> bool:
    """The dialog's own test of a whole answer (the capture path ends early on it)."""
    return _triage().complete(heard, expected, followed)


def slots_text(reading: Reading) -> str:
    """A reading's slot as the manifests write it: "places=legs+feet", "term=sciatica"."""
    kept = SLOT_OF.get(reading.intent or "")
    return ";".join(
        f"{name}={'+'.join(value) if isinstance(value, list) else value}"
        for name, value in sorted(reading.slots.items())
        if name == kept
    )


def interpret(text: str, qid: str, confidence: float) -> Meaning:
    """`text` heard at question `qid` with the recogniser's `confidence`, as the dialog reads it."""
    if not text.strip():
        return Meaning("", "", 0.0)
    reading = _interpreter().read(text, None if qid == "after_emergency" else qid, confidence)
    if reading.intent is None:
        return Meaning("", "", 0.0)
    return Meaning(reading.intent, slots_text(reading), reading.confidence)
