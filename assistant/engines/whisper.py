"""Whisper adapter (faster-whisper, CTranslate2 int8): free speech to text, non-speech rejected.

Unlike the grammar engines, Whisper writes down whatever was said; the intent matcher then decides
what the words mean. `expected.phrases` could be given to the decoder as context
(WhisperSettings.prompt), but that did not help on the dev fixtures (clean 82 against 80 of 102,
10 dB 65 against 67, human yes/no 19 against 21 of 22), so it is off. The model is loaded once.

Non-speech (noise, a cough, silence) must come back as NotUnderstood, never as words that might
match an answer. Three layers, measured on the dev fixtures (audio_fixtures/clips):
- faster-whisper's bundled Silero VAD drops audio without speech before decoding;
- a segment Whisper itself thinks holds no speech (no_speech_prob above `no_speech`, with an
  average log-probability below `min_logprob`) is dropped, as Whisper's own rule does;
- what is left must have an average token log-probability above `min_logprob` (above half of
  it when Whisper also thinks it may not be speech).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.errors import EngineError
from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio
from assistant.engines.whisper_window import Decoded, WindowDecoder

log = logging.getLogger(__name__)

RATE = 16000
INSTALL = "pip install 'back-assistant[whisper]'"


@dataclass(frozen=True)
class WhisperSettings:
    """How each answer is decoded and judged (defaults measured on the dev fixtures)."""

    threads: int = 2
    beam_size: int = 5
    vad: bool = True
    prompt: bool = False
    """Give the question's vocabulary to the decoder as context (initial_prompt): off, see above."""
    no_speech: float = 0.6
    min_logprob: float = -1.0
    window_s: float = 20.0
    """The encoder's window for answers that fit it (whisper_window.py; 30 = faster-whisper's).
    On the 329 dev answers at yes/no questions spoken by espeak, 20 s against 30 s: clean 256
    against 257 right, 9 against 12 yes/no swaps (5 and 5 a yes as no); 10 dB noise 218 against
    214, 8 and 8 swaps (4 and 5 a yes as no); decode median 226 against 423 ms."""


CONFIDENCE_CAP = 0.5
"""The most certain Whisper alone ever claims to be: below the dialog's low-confidence line, so
its "no" to an emergency sign is always confirmed. On the dev fixtures its own scores put a
wrong "no" ("I can't control my bladder" heard as "I can control my bladder") at 0.73; only the
PocketSphinx grammar's agreement makes an answer sure (second_opinion.py)."""


def confidence(avg_logprob: float, no_speech_prob: float) -> float:
    """The mean token probability times the chance that it was speech, capped at CONFIDENCE_CAP."""
    raw = math.exp(min(0.0, avg_logprob)) * (1.0 - no_speech_prob)
    return round(max(0.0, min(CONFIDENCE_CAP, raw)), 4)


class WhisperRecognizer:
    """Writes down one answer with a faster-whisper model; the words go to the interpreter."""

    name = "whisper"

    def __init__(self, model_dir: Path, settings: WhisperSettings | None = None) -> None:
        try:
            from faster_whisper import WhisperModel  # noqa: PLC0415 - lazy: core stays light
        except ImportError as exc:
            raise EngineError("error_engine_missing", engine="whisper", install=INSTALL) from exc
        self.settings = settings or WhisperSettings()
        self.model_dir = model_dir
        try:
            self._model: Any = WhisperModel(
                str(model_dir),
                device="cpu",
                compute_type="int8",
                cpu_threads=self.settings.threads,
                num_workers=1,
                local_files_only=True,
            )
        except Exception as exc:  # CTranslate2 raises RuntimeError/ValueError on a bad model
            raise EngineError("error_model_broken", path=str(model_dir), detail=str(exc)) from exc
        self._prompts: dict[tuple[str, ...], str] = {}
        self._warmed = False
        self._window: WindowDecoder | None = None
        if self.settings.window_s < 30 and not self.settings.prompt:
            self._window = WindowDecoder(
                self._model, self.settings.window_s, self.settings.beam_size
            )

    def prepare(self, expected: Expected) -> None:
        """Once, before the first live answer: decode a second of silence (about 0.2 s).

        Through the voice filter (which hears no speech in it) and straight through the encoder
        window: loading both otherwise made the first real decode 0.05-0.2 s slower.
        """
        if not self._warmed:
            self._warmed = True
            self.recognize(Audio(b"\0\0" * RATE, RATE), expected)
            if self._window is not None:
                import numpy as np  # noqa: PLC0415 - comes with faster-whisper

                self._windowed(np.zeros(RATE, dtype=np.float32))

    def _prompt(self, phrases: tuple[str, ...]) -> str | None:
        """The question's words, most frequent first, short enough for Whisper's prompt."""
        if not self.settings.prompt or not phrases:
            return None
        if phrases not in self._prompts:
            counts: dict[str, int] = {}
            for phrase in phrases:
                for word in phrase.split():
                    counts[word] = counts.get(word, 0) + 1
            words = sorted(counts, key=lambda w: (-counts[w], w))[:60]
            self._prompts[phrases] = ", ".join(words)
        return self._prompts[phrases]

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        """Transcribe `audio`; NotUnderstood for non-speech or an unsure transcript."""
        start = time.perf_counter()
        try:
            decoded = self._decode(to_float(audio), expected)
        except (RuntimeError, ValueError) as exc:
            raise EngineError(
                "error_model_broken", path=str(self.model_dir), detail=str(exc)
            ) from exc
        elapsed = (time.perf_counter() - start) * 1000
        if decoded is None or not decoded.text:
            return NotUnderstood(decode_ms=elapsed)
        s = self.settings
        logprob, no_speech = decoded.avg_logprob, decoded.no_speech_prob
        if logprob < s.min_logprob or (no_speech > s.no_speech and logprob < s.min_logprob / 2):
            log.debug(
                "whisper: rejected %r (logprob %.2f, no speech %.2f)",
                decoded.text, logprob, no_speech,
            )  # fmt: skip
            return NotUnderstood(decode_ms=elapsed)
        return Heard(
            text=decoded.text, confidence=confidence(logprob, no_speech), decode_ms=elapsed
        )

    def _windowed(self, speech: Any) -> Decoded | None:
        """Through the fitted window; None when it does not fit or the runtime refuses it."""
        assert self._window is not None
        try:
            return self._window.decode(speech)
        except (RuntimeError, ValueError) as exc:  # a CTranslate2 that wants 30 s only
            log.info("whisper: the %s s window failed, using 30 s: %s", self.settings.window_s, exc)
            self._window = None
            return None

    def _decode(self, samples: Any, expected: Expected) -> Decoded | None:
        """Through the fitted window when the speech fits it, else faster-whisper's transcribe."""
        s = self.settings
        if self._window is not None:
            speech = self._window.speech(samples) if s.vad else samples
            if len(speech) == 0:
                return None
            decoded = self._windowed(speech)
            if decoded is not None:
                return decoded
        segments, _info = self._model.transcribe(
            samples,
            language="en",
            beam_size=s.beam_size,
            temperature=0.0,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=s.vad,
            initial_prompt=self._prompt(tuple(expected.phrases)),
            no_speech_threshold=s.no_speech,
            log_prob_threshold=s.min_logprob,
        )
        kept = [seg for seg in segments if seg.text.strip()]
        if not kept:
            return None
        tokens = [max(1, len(seg.tokens)) for seg in kept]
        return Decoded(
            text=" ".join(seg.text.strip() for seg in kept).strip(),
            avg_logprob=sum(seg.avg_logprob * n for seg, n in zip(kept, tokens, strict=True))
            / sum(tokens),
            no_speech_prob=max(seg.no_speech_prob for seg in kept),
        )


def to_float(audio: Audio) -> Any:
    """16-bit PCM as float32 samples in -1..1 at 16 kHz (linear interpolation if needed)."""
    import numpy as np  # noqa: PLC0415 - comes with faster-whisper

    samples = np.frombuffer(audio.pcm, dtype="<i2").astype(np.float32) / 32768.0
    if audio.sample_rate != RATE and len(samples) > 1:
        n = max(1, round(len(samples) * RATE / audio.sample_rate))
        src = np.arange(len(samples), dtype=np.float64) / audio.sample_rate
        samples = np.interp(np.arange(n) / RATE, src, samples).astype(np.float32)
    return samples
