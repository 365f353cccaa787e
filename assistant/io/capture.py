"""The one listening path shared by the microphone and replay: an audio source to one Event."""

from __future__ import annotations

import logging
import math
import sys
from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.core.messages import Expected, Heard, NotUnderstood, Silence
from assistant.core.ports import Audio, Recognizer

if TYPE_CHECKING:
    import speech_recognition as sr

log = logging.getLogger(__name__)

RATE = 16000
"""Sample rate of the Audio handed to our Recognizer."""


@dataclass(frozen=True)
class CaptureSettings:
    """How one answer is listened for; the same for the microphone and for replayed files."""

    pause: float = 1.2
    """Seconds of quiet that end an answer (`--pause`); generous, for people who speak slowly."""

    non_speaking: float = 0.5
    """Seconds of quiet kept before and after the speech (never more than `pause`)."""

    timeout: float = 8.0
    """Seconds to wait for speech to start before the answer counts as Silence."""

    phrase_limit: float = 15.0
    """Most seconds of one answer; sound that runs on past this is cut and is NotUnderstood."""

    energy_threshold: float = 300.0
    """Starting loudness (RMS of 16-bit samples) above which sound counts as speech."""

    dynamic_energy: bool = True
    """Let the threshold follow background noise while waiting (frozen once speech starts)."""

    min_speech: float = 0.1
    """Shortest sound taken as an answer; a shorter click or knock is skipped or NotUnderstood.
    At 0.2 s, two real recorded "yes" answers (about 190 ms above the threshold, three 62.5 ms
    chunks) were thrown away as clicks; 0.1 s needs two loud chunks, a click fills one."""

    def __post_init__(self) -> None:
        for name in ("pause", "timeout", "phrase_limit"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be a positive number of seconds")
        if self.non_speaking < 0 or self.min_speech < 0 or self.energy_threshold < 0:
            raise ValueError("non_speaking, min_speech and energy_threshold must not be negative")

    @property
    def longest_listen(self) -> float:
        """Most seconds of audio one listen can read: the wait, the phrase and a little margin."""
        return self.timeout + self.phrase_limit + 1.0


def new_sr_recognizer(settings: CaptureSettings) -> sr.Recognizer:
    """Build a speech_recognition.Recognizer used only for its listening (voice activity) logic."""
    import speech_recognition as sr  # noqa: PLC0415 - lazy: the library is an optional extra

    listener = sr.Recognizer()
    listener.pause_threshold = settings.pause
    # SpeechRecognition asserts pause >= non_speaking: clamp rather than fail on a short --pause.
    listener.non_speaking_duration = min(settings.non_speaking, settings.pause)
    listener.energy_threshold = settings.energy_threshold
    listener.dynamic_energy_threshold = settings.dynamic_energy
    listener.phrase_threshold = settings.min_speech
    return listener


def _rms16(buffer: bytes) -> int:
    """RMS of 16-bit little-endian samples, as audioop.rms computes it."""
    count = len(buffer) // 2
    if count == 0:
        return 0
    samples = array("h", buffer[: 2 * count])
    if sys.byteorder == "big":
        samples.byteswap()
    return int(math.sqrt(sum(s * s for s in samples) / count))


class _Tap:
    """Wraps a source's stream to see what SpeechRecognition sees: which chunks counted as speech.

    `listen` compares each chunk's RMS with `energy_threshold` right after reading it and only
    then adjusts the threshold, so the value read here is exactly the one it compares with.

    Once speech starts the tap also freezes the threshold: SpeechRecognition would otherwise keep
    raising it towards 1.5 times the speech's own loudness, so a short or fading word ("no", said
    slowly) falls under it after a few tenths of a second and the answer is dropped as too short.
    """

    def __init__(self, inner: Any, listener: sr.Recognizer, sample_width: int) -> None:
        self.inner = inner
        self._listener = listener
        self._width = sample_width
        self.voiced_chunks = 0
        self.chunks = 0

    def read(self, size: int) -> bytes:
        buffer: bytes = self.inner.read(size)
        if buffer:
            self.chunks += 1
            if self._width == 2 and _rms16(buffer) > self._listener.energy_threshold:
                self.voiced_chunks += 1
                self._listener.dynamic_energy_threshold = False
        return buffer

    def close(self) -> None:
        self.inner.close()


def capture(
    source: Any,
    listener: sr.Recognizer,
    recognizer: Recognizer,
    expected: Expected,
    settings: CaptureSettings,
) -> Heard | NotUnderstood | Silence:
    """Listen for one answer on an entered 16-bit `source` and decode it.

    Silence: no speech started within `settings.timeout`, or the source ended without any.
    NotUnderstood: only a click, or sound that ran on past `settings.phrase_limit`.
    Otherwise the recognizer decides. Library errors other than the wait timeout (an OSError
    from a failing device) are left to the adapter that owns the source.
    """
    import speech_recognition as sr  # noqa: PLC0415 - lazy: the library is an optional extra

    tap = _Tap(source.stream, listener, int(source.SAMPLE_WIDTH))
    source.stream = tap
    try:
        data = listener.listen(
            source, timeout=settings.timeout, phrase_time_limit=settings.phrase_limit
        )
    except sr.WaitTimeoutError:
        log.debug("no speech within %.1f s", settings.timeout)
        return Silence()
    finally:
        source.stream = tap.inner
        listener.dynamic_energy_threshold = settings.dynamic_energy

    chunk_seconds = source.CHUNK / source.SAMPLE_RATE
    width = data.sample_width
    seconds = len(data.frame_data) / (data.sample_rate * width)
    if tap.voiced_chunks == 0 or not data.frame_data:
        log.debug("source ended without speech (%.2f s read)", tap.chunks * chunk_seconds)
        return Silence()
    if tap.voiced_chunks * chunk_seconds < settings.min_speech:
        log.debug("only %d chunk(s) of sound: a click, not an answer", tap.voiced_chunks)
        return NotUnderstood()
    if seconds >= settings.phrase_limit - chunk_seconds / 2:
        log.debug("sound ran past the %.1f s phrase limit: not an answer", settings.phrase_limit)
        return NotUnderstood()
    pcm = data.get_raw_data(convert_rate=RATE, convert_width=2)
    log.debug("heard %.2f s of audio", seconds)
    return recognizer.recognize(Audio(pcm=pcm, sample_rate=RATE), expected)
