"""A second opinion from PocketSphinx's grammar decides how sure a Whisper answer is.

Measured on the dev fixtures (bench/engines.py --sets dev, then bench/calibrate.py): Whisper's own
scores cannot certify a "no" to a warning sign. 3 of its 66 heard "no"s there were a "yes", one
of them at 0.73 ("I can't control my bladder" written as "I can control my bladder"). When the
PocketSphinx grammar, decoding the same audio, meant the same answer, all 63 such "no"s were
right. So at the emergency questions (where a confident "no" is not asked again) a Whisper answer
is reported as sure (SURE) only when the grammar agrees; otherwise it stays below the dialog's
low-confidence line, and a "no" is confirmed. A "yes" is never changed: only its confidence is,
and the dialog acts on an emergency "yes" whatever its confidence.

The grammar never replaces Whisper's words: filling Whisper's misses with the grammar's answer
gained accuracy on the dev fixtures but took noise and unrelated words ("banana") as answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from assistant.core.content import Content
from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio, Recognizer

log = logging.getLogger(__name__)

SURE = 0.8
"""The confidence of an answer both engines agree on (above settings.yaml's low_confidence)."""

Judge = Callable[[str, str, str], bool]
"""(words heard by one engine, by the other, question id) -> do they mean the same answer?"""


@dataclass(frozen=True)
class Checker:
    """Where a second opinion is asked (question ids) and how two answers are compared."""

    same_answer: Judge
    questions: frozenset[str]


Read = Callable[[str, str], "str | None"]
"""(words heard, question id) -> the intent they mean (None: not understood)."""


def checker_for(content: Content, read: Read) -> Checker:
    """Compare answers as the dialog reads them, at the questions whose "yes" is an emergency."""

    def same_answer(a: str, b: str, qid: str) -> bool:
        first, second = read(a, qid), read(b, qid)
        return first is not None and first == second

    emergency = frozenset(
        q.id for q in content.questions if "yes" in q.on and q.on["yes"].raises == "emergency"
    )
    return Checker(same_answer, emergency)


class SecondOpinion:
    """Whisper's answer, sure only where PocketSphinx's grammar means the same at that question."""

    def __init__(
        self, primary: Recognizer, second: Callable[[], Recognizer], checker: Checker
    ) -> None:
        self.name = primary.name
        self._primary = primary
        self._make_second = second
        self._second: Recognizer | None = None
        self._checker = checker

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        """Whisper's result; at a checked question its confidence says if the grammar agreed."""
        heard = self._primary.recognize(audio, expected)
        if not isinstance(heard, Heard) or expected.question not in self._checker.questions:
            return heard
        if self._second is None:
            self._second = self._make_second()  # loaded when first needed (about 0.4 s)
        other = self._second.recognize(audio, expected)
        agree = isinstance(other, Heard) and self._checker.same_answer(
            heard.text, other.text, expected.question
        )
        log.debug("second opinion: %r vs %r: %s", heard.text, other, agree)
        return Heard(
            heard.text,
            SURE if agree else heard.confidence,
            heard.decode_ms + other.decode_ms,
        )
