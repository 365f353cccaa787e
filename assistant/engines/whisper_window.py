"""One short answer through Whisper with a 20 s encoder window instead of the fixed 30 s one.

faster-whisper pads every piece of audio to Whisper's 30 s window before the encoder, so a one-word
answer costs as much to encode as half a minute of speech (about 0.25 s of the 0.35-0.45 s
decode on 2 cores). CTranslate2's encoder also takes a shorter window. This module runs the same
steps as faster-whisper's `transcribe` for one window (its Silero voice filter, its features, its
prompt, beam search at temperature 0, its average log-probability) with the window cut to
`window_s` seconds, so the encoder does two thirds of the work or less. Speech longer than the
window goes through faster-whisper's own `transcribe` (`decode` returns None).

Whisper was trained on 30 s windows; the window was chosen on the dev data only
(WhisperSettings.window_s has the numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FRAMES_PER_S = 100
"""Whisper's log-mel features: one frame every 10 ms."""
MAX_TOKENS = 448
"""Whisper's longest text (faster-whisper's max_length)."""


@dataclass(frozen=True)
class Decoded:
    """What the decoder wrote, and how sure it was."""

    text: str
    avg_logprob: float
    no_speech_prob: float


class WindowDecoder:
    """Decodes answers that fit a `window_s` window with faster-whisper's WhisperModel `model`."""

    def __init__(self, model: Any, window_s: float, beam_size: int) -> None:
        from faster_whisper.tokenizer import Tokenizer  # noqa: PLC0415 - lazy: optional engine
        from faster_whisper.transcribe import get_suppressed_tokens  # noqa: PLC0415

        self._model = model
        self.window_frames = int(window_s * FRAMES_PER_S)
        self._beam_size = beam_size
        self._tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en"
        )
        self._prompt = model.get_prompt(self._tokenizer, [], without_timestamps=True)
        self._suppress = list(get_suppressed_tokens(self._tokenizer, (-1,)) or ())

    def speech(self, samples: Any) -> Any:
        """The samples faster-whisper's voice filter keeps (none when it heard no speech)."""
        import numpy as np  # noqa: PLC0415 - comes with faster-whisper
        from faster_whisper.vad import (  # noqa: PLC0415
            VadOptions,
            collect_chunks,
            get_speech_timestamps,
        )

        chunks = get_speech_timestamps(samples, VadOptions())
        if not chunks:
            return samples[:0]
        pieces, _ = collect_chunks(samples, chunks)
        return np.concatenate(pieces, axis=0)

    def decode(self, samples: Any) -> Decoded | None:
        """The transcript of `samples`; None when they do not fit the window."""
        import numpy as np  # noqa: PLC0415 - comes with faster-whisper

        features = self._model.feature_extractor(samples)
        frames = features.shape[-1] - 1
        if frames > self.window_frames:
            return None
        window = np.zeros((features.shape[0], self.window_frames), dtype=features.dtype)
        window[:, :frames] = features[:, :frames]
        result = self._model.model.generate(
            self._model.encode(window),
            [self._prompt],
            beam_size=self._beam_size,
            patience=1.0,
            length_penalty=1.0,
            max_length=MAX_TOKENS,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=self._suppress,
        )[0]
        tokens = result.sequences_ids[0]
        # As faster-whisper recovers it: the score is the summed log-probability / length.
        return Decoded(
            text=self._tokenizer.decode(tokens).strip(),
            avg_logprob=result.scores[0] * len(tokens) / (len(tokens) + 1),
            no_speech_prob=result.no_speech_prob,
        )
