"""Voice activity per 30 ms frame: WebRTC's detector, gated by a loudness threshold that adapts.

`webrtcvad` (the `webrtcvad-wheels` package: Google's WebRTC detector in C, wheels for x86-64 and
ARM64, no other dependency) tells speech from other sound by its spectrum, so a fan, a hum or a
knock that is loud is not taken for the start of an answer the way a plain loudness threshold
takes it. A frame counts as voiced only when the detector says speech *and* the frame is louder
than `threshold`; while nobody speaks, the threshold follows the background (towards 1.5 times
its loudness, as SpeechRecognition's listener does), and once speech starts it is frozen, so a
soft or fading word ("no", said slowly) is not lost under it.

Frames come from `Frames`: any source's chunks (any rate, 16-bit) turned into 16 kHz mono frames.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from typing import Any

from assistant.core.endpoint import CaptureSettings
from assistant.core.errors import AudioInputError

with warnings.catch_warnings():  # deprecated in 3.11-3.12; SpeechRecognition needs it anyway
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

log = logging.getLogger(__name__)

RATE = 16000
FRAME_S = 0.03
"""One frame: 30 ms, the longest the WebRTC detector takes (10, 20 or 30 ms at 16 kHz)."""
FRAME_BYTES = int(RATE * FRAME_S) * 2
AGGRESSIVENESS = 2
"""0 (keeps most sound as speech) to 3 (strictest); 2 kept every word of the dev fixtures."""
RATIO, DAMPING = 1.5, 0.15
"""The threshold moves towards RATIO times the background, by DAMPING per second left over."""


class VoiceDetector:
    """Says which frames are speech; the loudness threshold is its state between answers."""

    def __init__(self, settings: CaptureSettings, aggressiveness: int = AGGRESSIVENESS) -> None:
        try:
            import webrtcvad  # noqa: PLC0415 - lazy: part of the optional audio extras
        except ImportError:
            raise AudioInputError(
                "error_no_microphone", detail="webrtcvad-wheels is not installed"
            ) from None
        self._vad: Any = webrtcvad.Vad(aggressiveness)
        self.settings = settings
        self.threshold = settings.energy_threshold
        self._damping = DAMPING**FRAME_S

    def voiced(self, frame: bytes, speaking: bool) -> bool:
        """Is this 30 ms frame (16 kHz, 16-bit) speech? Adapts the threshold while not speaking."""
        energy = audioop.rms(frame, 2)
        loud = energy > self.threshold
        speech = loud and bool(self._vad.is_speech(frame, RATE))
        if not speech and not speaking and self.settings.dynamic_energy:
            target = energy * RATIO
            self.threshold = self.threshold * self._damping + target * (1 - self._damping)
        return speech

    def calibrate(self, frames: Iterator[bytes], seconds: float) -> None:
        """Set the threshold from `seconds` of background sound (the microphone at start)."""
        count = max(1, round(seconds / FRAME_S))
        energies = [audioop.rms(frame, 2) for _, frame in zip(range(count), frames, strict=False)]
        if energies and self.settings.dynamic_energy:
            self.threshold = max(energies) * RATIO
        log.info("background loudness threshold %.0f", self.threshold)


class Frames:
    """Reads a source's stream (`read(n)` of 16-bit chunks at `rate`) as 16 kHz 30 ms frames."""

    def __init__(self, stream: Any, rate: int, width: int, chunk: int) -> None:
        self._stream = stream
        self._rate = rate
        self._width = width
        self._chunk = chunk
        self._state: Any = None
        self._left = b""
        self.ended = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        while len(self._left) < FRAME_BYTES:
            if self.ended:
                raise StopIteration
            data: bytes = self._stream.read(self._chunk)
            if not data:
                self.ended = True
                continue
            if self._width != 2:
                data = audioop.lin2lin(data, self._width, 2)
            if self._rate != RATE:
                data, self._state = audioop.ratecv(data, 2, 1, self._rate, RATE, self._state)
            self._left += data
        frame, self._left = self._left[:FRAME_BYTES], self._left[FRAME_BYTES:]
        return frame


def chunk_for(rate: int) -> int:
    """Samples per read at `rate` for one 30 ms frame."""
    return max(1, round(rate * FRAME_S))
