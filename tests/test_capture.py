"""The shared capture path: what SpeechRecognition's listen hears becomes one Event."""

from __future__ import annotations

import io
import math
import wave
from array import array

import pytest

from assistant.core.messages import Expected, Heard, NotUnderstood, Silence
from assistant.core.ports import Audio
from assistant.io.capture import CaptureSettings, capture, new_sr_recognizer

sr = pytest.importorskip("speech_recognition")

EXPECTED = Expected("q_pain_leg", ("yes", "no"))


class FakeRecognizer:
    """Records the Audio it is given and always hears "yes"."""

    name = "fake"

    def __init__(self) -> None:
        self.calls: list[tuple[Audio, Expected]] = []

    def recognize(self, audio: Audio, expected: Expected) -> Heard:
        self.calls.append((audio, expected))
        return Heard("yes")

    @property
    def seconds(self) -> float:
        audio = self.calls[-1][0]
        return len(audio.pcm) / 2 / audio.sample_rate


def tone(seconds: float, rate: int, level: float = 0.3, freq: float = 220.0) -> list[int]:
    return [
        int(level * 32767 * math.sin(2 * math.pi * freq * i / rate))
        for i in range(int(seconds * rate))
    ]


def quiet(seconds: float, rate: int) -> list[int]:
    return [0] * int(seconds * rate)


def wav16(samples: list[int], rate: int) -> io.BytesIO:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(array("h", samples).tobytes())
    out.seek(0)
    return out


def run(
    samples: list[int], rate: int = 16000, chunk: int = 1024, **settings: float
) -> tuple[object, FakeRecognizer]:
    config = CaptureSettings(**settings)  # type: ignore[arg-type]
    fake = FakeRecognizer()
    with sr.AudioFile(wav16(samples, rate)) as source:
        source.CHUNK = chunk
        event = capture(source, new_sr_recognizer(config), fake, EXPECTED, config)
    return event, fake


def test_speech_reaches_the_recognizer_as_16k_mono_16bit() -> None:
    event, fake = run(quiet(0.5, 44100) + tone(0.8, 44100) + quiet(2.0, 44100), rate=44100)
    assert event == Heard("yes")
    audio, expected = fake.calls[0]
    assert audio.sample_rate == 16000
    assert expected is EXPECTED
    # 0.8 s of sound plus at most the 0.5 s kept on each side.
    assert 0.8 <= fake.seconds <= 1.9


@pytest.mark.parametrize(
    ("samples", "why"),
    [
        pytest.param(quiet(3.0, 16000), "ends before the timeout", id="short-silence"),
        pytest.param(quiet(30.0, 16000), "timeout", id="long-silence"),
        pytest.param([], "no audio at all", id="empty"),
    ],
)
def test_no_sound_is_silence(samples: list[int], why: str) -> None:
    event, fake = run(samples, timeout=5.0)
    assert event == Silence(), why
    assert fake.calls == []


def test_a_click_is_not_understood() -> None:
    event, fake = run(quiet(1.0, 16000) + tone(0.02, 16000, level=0.9) + quiet(0.3, 16000))
    assert event == NotUnderstood()
    assert fake.calls == []


def test_sound_that_never_pauses_is_cut_and_not_understood() -> None:
    event, fake = run(tone(30.0, 16000, level=0.5), phrase_limit=4.0)
    assert event == NotUnderstood()
    assert fake.calls == []


def test_a_file_shorter_than_the_pause_still_yields_the_word() -> None:
    event, fake = run(tone(0.4, 16000), pause=1.2)
    assert event == Heard("yes")
    assert fake.seconds == pytest.approx(0.4, abs=0.07)


@pytest.mark.parametrize("onset", [0.18, 0.2], ids=["onset-180ms", "onset-200ms"])
def test_a_word_with_a_softer_tail_is_kept(onset: float) -> None:
    """Regression: SpeechRecognition's dynamic threshold rises towards 1.5x the word's own
    loudness, so a word with a loud onset and a softer tail ("no" said slowly) fell under it,
    was dropped as "too short" and became a timeout (Silence). The threshold is frozen now."""
    word = tone(onset, 44100, level=0.3) + tone(0.4, 44100, level=0.12)
    event, fake = run(quiet(1.0, 44100) + word + quiet(4.0, 44100), rate=44100, timeout=3.0)
    assert event == Heard("yes")
    assert onset + 0.4 <= fake.seconds <= onset + 0.4 + 1.1


def test_a_pause_shorter_than_the_setting_keeps_one_answer() -> None:
    word = tone(0.4, 16000)
    samples = word + quiet(0.9, 16000) + word + quiet(3.0, 16000)
    event, fake = run(samples, pause=1.2)
    assert event == Heard("yes")
    assert fake.seconds >= 1.7  # both words, and the pause between them


def test_a_pause_longer_than_the_setting_ends_the_answer() -> None:
    word = tone(0.4, 16000)
    event, fake = run(word + quiet(1.5, 16000) + word, pause=1.0)
    assert event == Heard("yes")
    assert fake.seconds < 1.5  # only the first word


def test_a_short_pause_setting_is_not_an_assertion_error() -> None:
    """SpeechRecognition asserts pause >= non_speaking; --pause 0.3 must still work."""
    listener = new_sr_recognizer(CaptureSettings(pause=0.3, non_speaking=0.5))
    assert listener.non_speaking_duration == 0.3
    event, _ = run(tone(0.5, 16000) + quiet(1.0, 16000), pause=0.3)
    assert event == Heard("yes")


@pytest.mark.parametrize("field", ["pause", "timeout", "phrase_limit"])
def test_settings_refuse_non_positive_seconds(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        CaptureSettings(**{field: 0.0})  # type: ignore[arg-type]


def test_the_threshold_follows_the_settings_again_after_listening() -> None:
    config = CaptureSettings()
    listener = new_sr_recognizer(config)
    with sr.AudioFile(wav16(tone(0.5, 16000) + quiet(2.0, 16000), 16000)) as source:
        capture(source, listener, FakeRecognizer(), EXPECTED, config)
    assert listener.dynamic_energy_threshold is True
