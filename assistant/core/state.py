"""The dialog state: an immutable snapshot of where a conversation is."""

from __future__ import annotations

from dataclasses import dataclass, replace

from assistant.core.content import DISPOSITIONS
from assistant.core.messages import Outcome, Say, Turn

AFTER_EMERGENCY = "after_emergency"
"""The question id recorded for answers heard after the emergency advice."""

STOP_CONFIRM = "stop_confirm"
"""The question id recorded for the answer to "did you ask to stop?"."""

UNSURE, NO_ANSWER = "_unsure", "_no_answer"
"""Suffixes of a reason id: the sign was possibly present (not sure, or no answer heard)."""


def parse_reason(reason: str) -> tuple[str, str]:
    """Split a reason id such as "both_legs_unsure" into ("both_legs", "_unsure")."""
    for suffix in (UNSURE, NO_ANSWER):
        if reason.endswith(suffix):
            return reason[: -len(suffix)], suffix
    return reason, ""


@dataclass(frozen=True)
class State:
    """Where the conversation is; `previous` is the state to return to on "go back"."""

    phase: str  # "asking" | "confirming" | "confirming_stop" | "emergency" | "done"
    qid: str
    disposition: str | None = None
    reasons: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    answers: tuple[tuple[str, str], ...] = ()
    failures: int = 0
    unsure: int = 0
    repeats: int = 0
    contradictions: int = 0
    asks: int = 0  # times `last_asked` has been asked in a row
    last_asked: str = ""
    pending: tuple[str, ...] = ()  # warning signs the person described, to ask about next
    resume: str | None = None  # where the questions go on after those
    volunteered: tuple[str, ...] = ()  # signs asked about because the person described them
    turns: tuple[Turn, ...] = ()
    last_said: tuple[Say, ...] = ()
    previous: State | None = None
    outcome: Outcome | None = None

    def raised(self, disposition: str | None, reason: str) -> State:
        """A copy with `disposition` raised (the highest wins) and `reason` noted."""
        if disposition is None:
            return self
        current = DISPOSITIONS.index(self.disposition) if self.disposition else -1
        best = disposition if DISPOSITIONS.index(disposition) > current else self.disposition
        reasons = self.reasons if reason in self.reasons else (*self.reasons, reason)
        return replace(self, disposition=best, reasons=reasons)

    def answered(self, qid: str, answer: str) -> State:
        """A copy with the answer to `qid` noted for the summary."""
        return replace(self, answers=(*[a for a in self.answers if a[0] != qid], (qid, answer)))

    def answer(self, qid: str) -> str | None:
        """The answer noted for `qid`, if any."""
        return next((a for q, a in self.answers if q == qid), None)
