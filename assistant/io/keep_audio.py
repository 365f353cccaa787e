"""--keep-audio DIR: keep each answer's audio as a numbered WAV, readable by the owner only."""

from __future__ import annotations

import os
import wave
from pathlib import Path

from assistant.core.messages import Expected
from assistant.core.ports import Audio


class KeepAudio:
    """Saves each answer's audio (0600) once the answer has ended (the capture path calls `keep`).

    Only the whole answer is kept, never the early decodes made while the person was speaking.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)

    def keep(self, audio: Audio, expected: Expected) -> None:
        """Save `audio` as DIR/NNNN-<question>.wav."""
        self.count += 1
        path = self.folder / f"{self.count:04d}-{expected.question}.wav"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f, wave.open(f, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(audio.sample_rate)
            w.writeframes(audio.pcm)
