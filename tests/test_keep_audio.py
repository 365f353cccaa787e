"""--keep-audio DIR keeps each answer as a private WAV; nothing is kept otherwise."""

from __future__ import annotations

import stat
import wave
from pathlib import Path

from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio
from assistant.io.keep_audio import KeepAudio


class Fake:
    name = "fake"

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        return Heard("yes", 0.9)


def test_each_answer_is_kept_as_a_private_wav(tmp_path: Path) -> None:
    folder = tmp_path / "kept"
    keep = KeepAudio(Fake(), folder)
    pcm = b"\x01\x00" * 16000
    assert keep.recognize(Audio(pcm, 16000), Expected("bladder", ("yes",))) == Heard("yes", 0.9)
    keep.recognize(Audio(pcm, 16000), Expected("saddle", ("yes",)))
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == ["0001-bladder.wav", "0002-saddle.wav"]
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
        with wave.open(str(f)) as w:
            assert (w.getframerate(), w.getnchannels(), w.getnframes()) == (16000, 1, 16000)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
