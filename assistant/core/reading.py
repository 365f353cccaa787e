"""What an answer was read to mean, and the words that decided it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.core.errors import fill

EVIDENCE_KINDS = (
    "sign",
    "no_sign",
    "unsure_sign",
    "yes",
    "no",
    "unsure",
    "often",
    "command",
    "explain",
    "place",
    "other_sign",
    "contradiction",
)
"""Kinds of evidence; each has a text `reading_<kind>` in intents/ that explains it."""


@dataclass(frozen=True)
class Evidence:
    """Words that decided a reading: what they are (`kind`), as said, and what they concern."""

    kind: str
    words: str
    about: str = ""  # the question, command, place or term concerned
    negated_by: str = ""  # the words that negated it, if any


@dataclass(frozen=True)
class Reading:
    """An answer's meaning: the intent (None: not understood), slots, confidence and why."""

    intent: str | None
    confidence: float
    slots: dict[str, Any] = field(default_factory=dict)
    why: tuple[Evidence, ...] = ()
    volunteered: tuple[str, ...] = ()  # other warning signs the answer describes
    contradiction: bool = False  # said both yes and no, with nothing to settle it


def why_lines(reading: Reading, texts: Mapping[str, Sequence[str]]) -> list[str]:
    """The reading's evidence in plain words, one line each (texts `reading_<kind>`)."""
    out: list[str] = []
    for e in reading.why:
        lines = texts.get(f"reading_{e.kind}", ())
        fields = {"words": e.words, "about": e.about, "negated_by": e.negated_by}
        line = " ".join(fill(t, fields) for t in lines) if lines else f"{e.kind}: {e.words}"
        if e.negated_by:
            line += " " + " ".join(fill(t, fields) for t in texts.get("reading_negated_by", ()))
        out.append(line)
    return out
