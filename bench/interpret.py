"""The one function that turns recognised words into what they mean, for every measure here.

Every accuracy, swap and calibration figure in bench/ and in the held-out tests goes through
`interpret`, so that when the answer interpreter on main replaces the Matcher, switching this one
function switches them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from assistant.core.content import load
from assistant.core.matcher import Matcher


@dataclass(frozen=True)
class Meaning:
    """What an answer meant: intent ("" = nothing), slots as the manifests write them."""

    intent: str
    slots: str
    confidence: float


@cache
def _matcher() -> Matcher:
    return Matcher(load())


def interpret(text: str, qid: str, confidence: float) -> Meaning:
    """`text` heard at question `qid` with the recogniser's `confidence`, as the dialog reads it."""
    match = _matcher().match(text, qid, confidence) if text.strip() else None
    if match is None:
        return Meaning("", "", 0.0)
    slots = ";".join(
        f"{name}={'+'.join(value) if isinstance(value, list) else value}"
        for name, value in sorted(match.slots.items())
    )
    return Meaning(match.intent, slots, match.confidence)
