"""Clips through our listening path and adapter, and the same answers the naive tutorial way."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

from corpus import Clip
from interpret import interpret, judge

from assistant.core.grammar import Grammar
from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio, Recognizer
from assistant.io.replay import ReplayListener


class Timed:
    """Wraps a Recognizer: wall-clock milliseconds of each `recognize` call and the audio given."""

    def __init__(self, inner: Recognizer) -> None:
        self.inner = inner
        self.name = inner.name
        self.last_ms: float | None = None
        self.last_audio: Audio | None = None

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        start = time.perf_counter()
        result = self.inner.recognize(audio, expected)
        self.last_ms = (time.perf_counter() - start) * 1000
        self.last_audio = audio
        return result


@dataclass(frozen=True)
class Outcome:
    """What one clip came out as, and how long the recogniser took on it."""

    clip: Clip
    heard: str | None  # None: nothing recognised (silence, a click, NotUnderstood)
    intent: str  # "" when nothing matched
    slots: str
    ms: float | None  # wall time of recognize(); None when capture never called it
    audio: Audio | None  # what the recogniser was given (for the naive baseline)
    confidence: float = 0.0  # the interpreted answer's confidence, as the dialog sees it
    asr_confidence: float = 0.0  # the recogniser's own

    @property
    def ok(self) -> bool:
        """Right intent and slots (out-of-grammar clips: right when nothing matched)."""
        return (self.intent, self.slots) == (self.clip.intent, self.clip.slots)


def run_clips(clips: Sequence[Clip], recognizer: Recognizer, grammar: Grammar) -> list[Outcome]:
    """Each clip heard through ReplayListener (the microphone's capture path, ending an answer
    early where the dialog's judge finds it whole, as the assistant does), then read."""
    timed = Timed(recognizer)
    listener = ReplayListener([c.path for c in clips], timed, judge=judge)
    grammars: dict[str, Expected] = {}
    out: list[Outcome] = []
    for clip in clips:
        expected = grammars.setdefault(
            clip.question, Expected(clip.question, grammar.phrases_for(clip.question))
        )
        timed.last_ms, timed.last_audio = None, None
        event = listener.listen(expected)
        if isinstance(event, Heard):
            meaning = interpret(event.text, clip.question, event.confidence)
            out.append(
                Outcome(clip, event.text, meaning.intent, meaning.slots, timed.last_ms,
                        timed.last_audio, meaning.confidence, event.confidence)
            )  # fmt: skip
        else:
            out.append(Outcome(clip, None, "", "", timed.last_ms, timed.last_audio))
    return out


# --- the naive way ------------------------------------------------------------------------------

NAIVE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("stop", ("stop",)),
    ("repeat", ("repeat", "again")),
    ("help", ("help",)),
    ("slower", ("slower",)),
    ("faster", ("faster",)),
    ("start_over", ("start over",)),
    ("back", ("go back",)),
    ("explain", ("what is", "what's")),
    ("unsure", ("not sure", "know")),
    ("yes", ("yes", "yeah", "yep")),
    ("no", ("no",)),
    ("location", ("leg", "feet", "foot", "butt", "arm", "hand", "back")),
)
"""Substring tests in this order, the way tutorials write `if "yes" in text: ...`."""


def naive_intent(text: str) -> str:
    """The first keyword found anywhere in the lower-cased transcript names the intent."""
    low = text.lower()
    return next((intent for intent, words in NAIVE_KEYWORDS if any(w in low for w in words)), "")


@dataclass(frozen=True)
class NaiveOutcome:
    """One answer through recognize_sphinx (no grammar) and keyword matching."""

    clip: Clip
    heard: str
    intent: str
    ms: float

    @property
    def ok(self) -> bool:
        """Right intent (slots are not judged: keyword matching has none)."""
        return self.intent == self.clip.intent


def run_naive(outcomes: Sequence[Outcome]) -> list[NaiveOutcome]:
    """The same audio our adapter was given, through SpeechRecognition's recognize_sphinx.

    recognize_sphinx builds a new PocketSphinx decoder (and loads the model) on every call and
    decodes with the full language model: the way most tutorials listen.
    """
    import speech_recognition as sr  # noqa: PLC0415 - only the baseline needs it

    r = sr.Recognizer()
    out: list[NaiveOutcome] = []
    for o in outcomes:
        if o.audio is None:
            continue
        data = sr.AudioData(o.audio.pcm, o.audio.sample_rate, 2)
        start = time.perf_counter()
        try:
            text = r.recognize_sphinx(data)
        except sr.UnknownValueError:
            text = ""
        ms = (time.perf_counter() - start) * 1000
        out.append(NaiveOutcome(o.clip, text, naive_intent(text) if text else "", ms))
    return out


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` quantile (0..1) by linear interpolation; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = share * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def latency(values: Sequence[float]) -> dict[str, float]:
    """Median, 95th percentile, mean and count of some milliseconds."""
    return {
        "median_ms": round(statistics.median(values), 1) if values else float("nan"),
        "p95_ms": round(percentile(values, 0.95), 1),
        "mean_ms": round(statistics.fmean(values), 1) if values else float("nan"),
        "n": len(values),
    }
