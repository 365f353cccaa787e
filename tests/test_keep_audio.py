"""--keep-audio DIR keeps each whole answer as a private WAV; nothing is kept otherwise."""

from __future__ import annotations

import stat
import wave
from pathlib import Path

import pytest

from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio
from assistant.io.keep_audio import KeepAudio

FIXTURE = Path(__file__).resolve().parents[1] / "audio_fixtures" / "sessions" / "urgent" / "07.wav"


class Fake:
    name = "fake"

    def __init__(self) -> None:
        self.calls = 0

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        self.calls += 1
        return Heard("yes", 0.9)


def test_each_answer_is_kept_as_a_private_wav(tmp_path: Path) -> None:
    folder = tmp_path / "kept"
    keep = KeepAudio(folder)
    pcm = b"\x01\x00" * 16000
    keep.keep(Audio(pcm, 16000), Expected("bladder", ("yes",)))
    keep.keep(Audio(pcm, 16000), Expected("saddle", ("yes",)))
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == ["0001-bladder.wav", "0002-saddle.wav"]
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
        with wave.open(str(f)) as w:
            assert (w.getframerate(), w.getnchannels(), w.getnframes()) == (16000, 1, 16000)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_only_the_whole_answer_is_kept_not_the_early_decodes(tmp_path: Path) -> None:
    """The capture path decodes while the person speaks; only the ended answer is saved."""
    pytest.importorskip("speech_recognition")
    from assistant.io.replay import ReplayListener

    fake = Fake()
    keep = KeepAudio(tmp_path / "kept")
    listener = ReplayListener([FIXTURE], fake, keep=keep.keep)
    assert listener.listen(Expected("bladder", ("yes",))) == Heard("yes", 0.9)
    assert fake.calls >= 1
    assert [f.name for f in sorted((tmp_path / "kept").iterdir())] == ["0001-bladder.wav"]
