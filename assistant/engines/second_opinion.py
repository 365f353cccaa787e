"""A second opinion from PocketSphinx's grammar decides how sure a Whisper answer is.

Measured on the dev fixtures (bench/engines.py --sets dev, then bench/calibrate.py): Whisper's own
scores cannot certify a "no" to a warning sign. 3 of its 66 heard "no"s there were a "yes", one
of them at 0.73 ("I can't control my bladder" written as "I can control my bladder"). When the
PocketSphinx grammar, decoding the same audio, meant the same answer, all 63 such "no"s were
right. So at the emergency questions (where a confident "no" is not asked again) a Whisper answer
is reported as sure (SURE) only when the grammar agrees; otherwise it stays below the dialog's
low-confidence line, and a "no" is confirmed. A "yes" is never changed: only its confidence is,
and the dialog acts on an emergency "yes" whatever its confidence.

Both decode the same audio at the same time (the grammar on its own thread), so the reply waits
for the slower of the two, not for both one after the other.

The grammar never replaces Whisper's words: filling Whisper's misses with the grammar's answer
gained accuracy on the dev fixtures but took noise and unrelated words ("banana") as answers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from assistant.core.content import Content
from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio, Preparing, Recognizer

log = logging.getLogger(__name__)
T = TypeVar("T")

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
        self._pool: ThreadPoolExecutor | None = None
        self._on_second(lambda second: None)  # PocketSphinx loads meanwhile (about 0.4 s)

    def prepare(self, expected: Expected) -> None:
        """Whisper's own, then at a checked question the grammar, on PocketSphinx's thread.

        So the answer's decode does not wait for it (about 0.3 s).
        """
        _prepare(self._primary, expected)
        if expected.question in self._checker.questions:
            self._on_second(lambda second: _prepare(second, expected))

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        """Whisper's result; at a checked question its confidence says if the grammar agreed."""
        if expected.question not in self._checker.questions:
            return self._primary.recognize(audio, expected)
        start = time.perf_counter()
        pending = self._on_second(lambda second: second.recognize(audio, expected))
        heard = self._primary.recognize(audio, expected)
        other = pending.result()
        if not isinstance(heard, Heard):
            return heard
        agree = isinstance(other, Heard) and self._checker.same_answer(
            heard.text, other.text, expected.question
        )
        log.debug("second opinion: %r vs %r: %s", heard.text, other, agree)
        return Heard(
            heard.text,
            SURE if agree else heard.confidence,
            (time.perf_counter() - start) * 1000,
        )

    def _on_second(self, work: Callable[[Recognizer], T]) -> Future[T]:
        """Run `work` with PocketSphinx (loaded on first use) on its one thread."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="second-opinion")
        return self._pool.submit(lambda: work(self._loaded()))

    def _loaded(self) -> Recognizer:
        """PocketSphinx, loaded on the first call (on the second opinion's thread only)."""
        if self._second is None:
            self._second = self._make_second()
        return self._second


def _prepare(recognizer: Recognizer, expected: Expected) -> None:
    if isinstance(recognizer, Preparing):
        recognizer.prepare(expected)
