"""The shared capture path: frames, the voice detector and the end of an answer become one Event."""

from __future__ import annotations

import io
import math
import threading
import time
import warnings
import wave
from array import array
from pathlib import Path

import pytest

from assistant.core.messages import Expected, Heard, NotUnderstood, Silence
from assistant.core.ports import Audio
from assistant.io.capture import Capture, CaptureSettings, Judge, never_complete
from assistant.io.vad import chunk_for

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

sr = pytest.importorskip("speech_recognition")
pytest.importorskip("webrtcvad")

EXPECTED = Expected("q_pain_leg", ("yes", "no"))


class FakeRecognizer:
    """Records the Audio it is given and always hears `text`, taking `delay` seconds."""

    name = "fake"

    def __init__(self, text: str = "yes", delay: float = 0.0) -> None:
        self.calls: list[tuple[Audio, Expected]] = []
        self.text = text
        self.delay = delay
        self.threads: set[str] = set()
        self.busy = threading.Lock()

    def recognize(self, audio: Audio, expected: Expected) -> Heard:
        assert self.busy.acquire(blocking=False), "two decodes at once"
        try:
            self.threads.add(threading.current_thread().name)
            time.sleep(self.delay)
            self.calls.append((audio, expected))
            return Heard(self.text)
        finally:
            self.busy.release()

    @property
    def seconds(self) -> float:
        audio = self.calls[-1][0]
        return len(audio.pcm) / 2 / audio.sample_rate


FIXTURES = Path(__file__).resolve().parents[1] / "audio_fixtures"


def word(name: str = "clips/bladder_yes_yes_m3_130_clean.wav", rate: int = 16000) -> list[int]:
    """A spoken word from the fixtures (0.2 s quiet, the word, a little quiet), at `rate`."""
    with wave.open(str(FIXTURES / name)) as w:
        pcm, own = w.readframes(w.getnframes()), w.getframerate()
    if own != rate:
        pcm, _ = audioop.ratecv(pcm, 2, 1, own, rate, None)
    return list(array("h", pcm))


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
    samples: list[int],
    rate: int = 16000,
    judge: Judge = never_complete,
    fake: FakeRecognizer | None = None,
    capture: Capture | None = None,
    **settings: float,
) -> tuple[object, FakeRecognizer, Capture]:
    if capture is not None:
        fake = capture.recognizer  # type: ignore[assignment]
    fake = fake or FakeRecognizer()
    capture = capture or Capture(fake, CaptureSettings(**settings), judge)  # type: ignore[arg-type]
    with sr.AudioFile(wav16(samples, rate)) as source:
        source.CHUNK = chunk_for(rate)
        event = capture.listen(source, EXPECTED)
    return event, fake, capture


def always(heard: Heard, expected: Expected, followed: bool) -> bool:
    return True


YES = word()
"""0.88 s: 0.2 s quiet, "yes" (0.48 s), 0.2 s quiet."""
YES_S = 0.48


def test_speech_reaches_the_recognizer_as_16k_mono_16bit() -> None:
    event, fake, _ = run(quiet(0.5, 44100) + word(rate=44100) + quiet(2.0, 44100), rate=44100)
    assert event == Heard("yes")
    audio, expected = fake.calls[-1]
    assert audio.sample_rate == 16000
    assert expected is EXPECTED
    # The word plus at most the 0.3 s kept on each side.
    assert YES_S <= fake.seconds <= YES_S + 0.7


@pytest.mark.parametrize(
    ("samples", "why"),
    [
        pytest.param(quiet(3.0, 16000), "ends before the timeout", id="short-silence"),
        pytest.param(quiet(30.0, 16000), "timeout", id="long-silence"),
        pytest.param([], "no audio at all", id="empty"),
        pytest.param(tone(6.0, 16000), "a steady hum is not speech", id="hum"),
    ],
)
def test_no_speech_is_silence(samples: list[int], why: str) -> None:
    event, fake, _ = run(samples, timeout=5.0)
    assert event == Silence(), why
    assert fake.calls == []


def test_a_click_is_not_understood() -> None:
    event, fake, _ = run(quiet(1.0, 16000) + YES[3800:4400] + quiet(0.3, 16000))
    assert event == NotUnderstood()
    assert fake.calls == []


def test_a_click_then_quiet_until_the_timeout_is_silence() -> None:
    event, fake, _ = run(YES[3800:4400] + quiet(6.0, 16000), timeout=3.0)
    assert event == Silence()
    assert fake.calls == []


def test_speech_that_never_pauses_is_cut_and_not_understood() -> None:
    babble = [x for _ in range(12) for x in YES[3200:10880]]  # "yes" without its pauses
    event, fake, _ = run(babble, phrase_limit=4.0)
    assert event == NotUnderstood()
    assert fake.calls == []


def test_a_file_shorter_than_the_pause_still_yields_the_word() -> None:
    event, fake, _ = run(YES, pause=1.2)
    assert event == Heard("yes")
    assert YES_S <= fake.seconds <= 0.9


def test_a_softly_ending_word_is_kept_whole() -> None:
    """The threshold is frozen once speech starts: a softer tail is not lost under it."""
    soft = YES[:6400] + [x // 4 for x in YES[6400:]]
    event, fake, _ = run(quiet(1.0, 16000) + soft + quiet(4.0, 16000), timeout=3.0)
    assert event == Heard("yes")
    assert fake.seconds >= YES_S


def test_a_pause_shorter_than_the_setting_keeps_an_unfinished_answer_whole() -> None:
    samples = YES + quiet(0.6, 16000) + YES + quiet(3.0, 16000)  # 1.0 s between the words
    event, fake, _ = run(samples, pause=1.2)
    assert event == Heard("yes")
    assert fake.seconds >= 2 * YES_S + 1.0  # both words, and the pause between them


def test_a_pause_longer_than_the_setting_ends_the_answer() -> None:
    event, fake, _ = run(YES + quiet(1.5, 16000) + YES, pause=1.0)
    assert event == Heard("yes")
    assert fake.seconds < 1.5  # only the first word


def test_a_complete_answer_ends_after_a_short_quiet_with_its_early_decode() -> None:
    """The early decode made at the first short quiet is the answer: no second decode."""
    event, fake, capture = run(YES + quiet(0.6, 16000) + YES, judge=always, pause=1.2)
    assert event == Heard("yes")
    assert len(fake.calls) == 1
    assert fake.seconds < 1.2  # the first word only: the second came after the answer ended
    assert capture.timing.early
    assert capture.timing.quiet_s == pytest.approx(0.3, abs=0.05)


def test_a_file_is_read_on_after_an_early_reply_and_a_going_on_is_heard_whole() -> None:
    """Files follow in line: "no... well, once" is one answer even though "no" was whole."""
    fake = FakeRecognizer()
    capture = Capture(fake, CaptureSettings(pause=1.2), always, follows=True)
    event, _, _ = run(YES + quiet(0.6, 16000) + YES + quiet(2.0, 16000), capture=capture)
    assert event == Heard("yes")
    assert fake.seconds >= 2 * YES_S + 1.0  # both words and the pause between them
    # The person paused 1 s inside this answer: from now on they are given longer.
    assert capture.pace.quick(capture.settings) == pytest.approx(1.2)
    assert capture.timing.quiet_s == pytest.approx(1.2, abs=0.05)


def test_a_file_that_does_not_go_on_ends_with_its_early_result() -> None:
    fake = FakeRecognizer()
    capture = Capture(fake, CaptureSettings(pause=1.2), always, follows=True)
    event, _, _ = run(YES + quiet(3.0, 16000), capture=capture)
    assert event == Heard("yes")
    assert len(fake.calls) == 1
    assert capture.timing.quiet_s == pytest.approx(0.3, abs=0.05)


def test_an_unfinished_answer_waits_the_whole_pause() -> None:
    event, _, capture = run(YES + quiet(2.0, 16000), pause=1.2)
    assert event == Heard("yes")
    assert capture.timing.quiet_s == pytest.approx(1.2, abs=0.05)
    assert capture.timing.early  # the early decode still held every word


def test_the_judge_sees_the_words_and_the_question() -> None:
    seen: list[tuple[Heard, Expected, bool]] = []

    def judge(heard: Heard, expected: Expected, followed: bool) -> bool:
        seen.append((heard, expected, followed))
        return False

    run(YES + quiet(2.0, 16000), judge=judge)
    # Once with a short tail of quiet, once more with the whole tail (it was not complete).
    assert seen == [(Heard("yes"), EXPECTED, False)] * 2


def test_a_pause_the_person_made_stretches_the_quick_end_for_them() -> None:
    """After an answer with a 1.2 s pause inside it, a complete answer waits past 1.2 s."""
    words = {"whole": False}

    def whole(heard: Heard, expected: Expected, followed: bool) -> bool:
        return words["whole"]

    samples = YES + quiet(0.8, 16000) + YES + quiet(2.0, 16000)
    _, _, capture = run(samples, judge=whole, pause=1.5)
    words["whole"] = True  # from now on every answer is complete at once
    assert 1.1 <= capture.pace.longest_gap <= 1.3  # 0.8 s and the quiet around each word
    event, fake, _ = run(YES + quiet(0.8, 16000) + YES + quiet(2.0, 16000), capture=capture)
    assert event == Heard("yes")
    assert fake.seconds >= 2 * YES_S + 1.2  # the second answer's pause did not end it


def test_live_decoding_runs_beside_listening_one_decode_at_a_time() -> None:
    """Realtime sources decode on the worker thread; never two decodes at once."""
    fake = FakeRecognizer(delay=0.05)
    capture = Capture(fake, CaptureSettings(pause=1.0), always, realtime=True)
    samples = YES + quiet(0.1, 16000) + YES + quiet(2.0, 16000)
    event, _, _ = run(samples, fake=fake, capture=capture)
    capture.close()
    assert event == Heard("yes")
    assert any(name.startswith("decode") for name in fake.threads)


@pytest.mark.parametrize("field", ["pause", "timeout", "phrase_limit"])
def test_settings_refuse_non_positive_seconds(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        CaptureSettings(**{field: 0.0})  # type: ignore[arg-type]


def test_the_threshold_follows_the_background_again_after_listening() -> None:
    _, _, capture = run(tone(3.0, 16000, level=0.05) + YES + quiet(2.0, 16000))
    raised = capture.detector.threshold
    run(quiet(3.0, 16000), capture=capture)
    assert capture.detector.threshold < raised


class PreparingFake(FakeRecognizer):
    """A recognizer that notes when it was asked to get ready for a question."""

    def __init__(self) -> None:
        super().__init__()
        self.prepared: list[tuple[str, int]] = []

    def prepare(self, expected: Expected) -> None:
        self.prepared.append((expected.question, len(self.calls)))


@pytest.mark.parametrize("realtime", [True, False])
def test_a_live_capture_has_the_recognizer_prepare_before_the_answer(realtime: bool) -> None:
    """Live, the question's slow set-up (a grammar) runs while the person starts to speak."""
    fake = PreparingFake()
    capture = Capture(fake, CaptureSettings(pause=1.0), always, realtime=realtime)
    run(YES + quiet(2.0, 16000), fake=fake, capture=capture)
    capture.close()
    assert fake.prepared == ([(EXPECTED.question, 0)] if realtime else [])
