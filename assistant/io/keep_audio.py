"""--keep-audio DIR: keep each answer's audio as a numbered WAV, readable by the owner only."""

from __future__ import annotations

import os
import wave
from pathlib import Path

from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio, Recognizer


class KeepAudio:
    """Wraps a recogniser: saves the audio it is given (0600), then recognises it as usual."""

    def __init__(self, inner: Recognizer, folder: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.folder = folder
        self.count = 0
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        """Save `audio` as DIR/NNNN-<question>.wav, then pass it on."""
        self.count += 1
        path = self.folder / f"{self.count:04d}-{expected.question}.wav"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f, wave.open(f, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(audio.sample_rate)
            w.writeframes(audio.pcm)
        return self.inner.recognize(audio, expected)
