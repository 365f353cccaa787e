"""Speech output: every line is heard, rate steps work, --say-to, no-audio failure, fallbacks."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import textwrap
import time
import wave
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from assistant.core.errors import SpeechOutputError
from assistant.io.speakers import FallbackSpeaker, SilentSpeaker
from assistant.io.tts import (
    MAX_RATE,
    MIN_RATE,
    SYNTH_ATTEMPTS,
    Pyttsx3Speaker,
)
from assistant.io.voices import voices

# Needs tests/__init__.py (or pytest `pythonpath = ["."]`) so the project root is importable.
from tests.audio_stack import (
    PulseStack,
    pulse_stack_fixture,  # noqa: F401 - registers the `pulse_stack` fixture here
    rms_db,
    speech_segments,
)

ROOT = Path(__file__).resolve().parents[1]
LINES = (
    "Hello. I will ask you a few questions about your back.",
    "Does the pain go down your leg?",
    "Please answer yes or no.",
    "Thank you.",
    "Have you had a fever with this back pain in the last week?",
)
FLOOR_DB = -35.0  # espeak at full volume measures about -20 dBFS on the null sink


def needs_tts() -> None:
    pytest.importorskip("pyttsx3")
    try:
        voices()
    except SpeechOutputError as error:
        pytest.skip(f"no speech engine: {error.fields.get('detail')}")


@pytest.fixture
def speaker(tmp_path: Path) -> Iterator[Pyttsx3Speaker]:
    needs_tts()
    made = Pyttsx3Speaker(rate=150, volume=1.0, voice=None, say_to=None)
    yield made
    made.close()


# --- unit tests, no audio --------------------------------------------------------------------


class Recorder:
    """A speaker that records lines and fails from line `fail_at` (1-based) on."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.lines: list[str] = []
        self.rates: list[int] = []
        self.prepared: list[str] = []
        self.fail_at = fail_at

    def say(self, text: str) -> None:
        if self.fail_at is not None and len(self.lines) + 1 >= self.fail_at:
            raise SpeechOutputError("error_speech_output", detail="no device")
        self.lines.append(text)

    def prepare(self, lines: Sequence[str]) -> None:
        self.prepared += lines

    def change_rate(self, steps: int) -> None:
        self.rates.append(steps)


def test_silent_speaker_does_nothing() -> None:
    mute = SilentSpeaker()
    mute.prepare(["Hello."])
    mute.say("Hello.")
    mute.change_rate(3)


def test_fallback_passes_lines_through_while_speech_works() -> None:
    inner = Recorder()
    failures: list[SpeechOutputError] = []
    speaker = FallbackSpeaker(inner, failures.append)
    speaker.prepare(["one", "two"])
    speaker.say("one")
    speaker.change_rate(-1)
    speaker.say("two")
    assert inner.prepared == ["one", "two"]
    assert inner.lines == ["one", "two"]
    assert inner.rates == [-1]
    assert failures == []


def test_fallback_reports_first_failure_once_then_stays_silent() -> None:
    inner = Recorder(fail_at=2)
    failures: list[SpeechOutputError] = []
    speaker = FallbackSpeaker(inner, failures.append)
    for line in ("one", "two", "three", "four"):
        speaker.say(line)  # never raises
    speaker.change_rate(1)
    speaker.prepare(["five"])
    assert inner.lines == ["one"]
    assert inner.rates == []
    assert inner.prepared == []
    assert len(failures) == 1
    assert failures[0].key == "error_speech_output"
    assert failures[0].fields == {"detail": "no device"}


def test_rate_steps_are_clamped_without_touching_an_engine() -> None:
    speaker = Pyttsx3Speaker(rate=150, volume=None, voice=None, say_to=None)
    speaker.change_rate(-1)
    assert speaker.rate == 130
    speaker.change_rate(+2)
    assert speaker.rate == 170
    speaker.change_rate(-100)
    assert speaker.rate == MIN_RATE
    speaker.change_rate(+100)
    assert speaker.rate == MAX_RATE
    assert Pyttsx3Speaker(rate=999, volume=None, voice=None, say_to=None).rate == MAX_RATE


def test_blank_lines_are_not_spoken_or_saved(tmp_path: Path) -> None:
    speaker = Pyttsx3Speaker(rate=None, volume=None, voice=None, say_to=tmp_path)
    speaker.say("   ")
    assert list(tmp_path.iterdir()) == []


class EmptyLineEngine:
    """pyttsx3's espeak driver at its worst: every line ends before its first sample is saved."""

    driver_name = "espeak"

    def __init__(self, speaker: Pyttsx3Speaker) -> None:
        self.speaker = speaker
        self.saves: list[str] = []

    def setProperty(self, name: str, value: object) -> None:  # noqa: N802 - pyttsx3's API
        pass

    def save_to_file(self, text: str, path: str) -> None:
        self.saves.append(path)
        with wave.open(path, "wb") as empty:  # what the stale end event leaves: no samples
            empty.setnchannels(1)
            empty.setsampwidth(2)
            empty.setframerate(22050)

    def runAndWait(self) -> None:  # noqa: N802 - pyttsx3's API
        self.speaker._on_finished()


def _seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def test_a_line_the_driver_saves_empty_is_made_with_espeak_ng(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    speaker = Pyttsx3Speaker(rate=150, volume=0.8, voice=None, say_to=None)
    speaker._voice_id = "en-us"
    engine = EmptyLineEngine(speaker)
    speaker._engine = engine
    line = tmp_path / "line.wav"
    with caplog.at_level(logging.INFO, logger="assistant.io.tts"):
        speaker._synth(engine, "Watch for these warning signs.", line)
    assert len(engine.saves) == SYNTH_ATTEMPTS
    assert _seconds(line) > 1.0
    assert sum("empty line" in r.getMessage() for r in caplog.records) == SYNTH_ATTEMPTS
    assert any("espeak-ng" in r.getMessage() for r in caplog.records)


def test_an_empty_line_without_espeak_ng_is_a_speech_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    speaker = Pyttsx3Speaker(rate=150, volume=None, voice=None, say_to=None)
    engine = EmptyLineEngine(speaker)
    speaker._engine = engine
    with pytest.raises(SpeechOutputError) as caught:
        speaker._synth(engine, "Thank you.", tmp_path / "line.wav")
    assert "produced no sound" in caught.value.fields["detail"]


def test_voices_lists_an_american_english_voice_on_linux() -> None:
    needs_tts()
    found = voices()
    assert found
    if sys.platform.startswith("linux"):
        assert any(v.id.lower() == "gmw/en-us" for v in found)


def test_list_voices_prints_the_ids_that_voice_takes() -> None:
    """The --voice error points to --list-voices: it exists and lists `id: name` lines."""
    needs_tts()
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "--list-voices"],
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    ids = [line.split(": ", 1)[0] for line in done.stdout.splitlines()]
    assert ids == [v.id for v in voices()]


def test_unknown_voice_is_a_speech_output_error() -> None:
    needs_tts()
    speaker = Pyttsx3Speaker(rate=None, volume=None, voice="no-such-voice", say_to=None)
    with pytest.raises(SpeechOutputError) as raised:
        speaker.say("Hello.")
    assert "no-such-voice" in raised.value.fields["detail"]
    speaker.say("Hello again.")  # reported once; silent afterwards


# --- through the private PulseAudio ----------------------------------------------------------


def speak_and_capture(
    stack: PulseStack, speaker: Pyttsx3Speaker, lines: tuple[str, ...], capture: Path
) -> tuple[list[float], list[tuple[float, float, float]]]:
    """Say each line (0.6 s apart), return how long each say() blocked and the sound heard."""
    blocked = []
    stack.start_capture(capture)
    for line in lines:
        started = time.monotonic()
        speaker.say(line)
        blocked.append(time.monotonic() - started)
        time.sleep(0.6)
    stack.stop_capture()
    return blocked, speech_segments(capture, threshold_db=-45, min_gap_s=0.45)


@pytest.mark.pulse
def test_every_line_is_heard_and_say_blocks_until_it_ends(
    pulse_stack: PulseStack, speaker: Pyttsx3Speaker, tmp_path: Path
) -> None:
    blocked, segments = speak_and_capture(pulse_stack, speaker, LINES, tmp_path / "five.wav")
    report = [f"{s:.2f}-{e:.2f}s {db:.0f}dB" for s, e, db in segments]
    assert len(segments) == len(LINES), report
    durations = [end - start for start, end, _ in segments]
    for line, took, heard, (_, _, level) in zip(LINES, blocked, durations, segments, strict=True):
        assert level > FLOOR_DB, (line, report)
        # say() returned only once the line was over (a little playback latency either way).
        assert took > heard - 0.15, (line, took, heard)
        assert took < heard + 1.5, (line, took, heard)
        # Length follows the text: roughly 10-25 characters a second at 150 wpm.
        assert 10 < len(line) / heard < 25, (line, heard)


@pytest.mark.pulse
def test_change_rate_makes_speech_measurably_slower_and_faster(
    pulse_stack: PulseStack, speaker: Pyttsx3Speaker, tmp_path: Path
) -> None:
    line = "Does the pain go down your leg below the knee?"
    lengths = []
    for steps in (0, -2, +4):  # 150, then 110, then 190 words a minute
        speaker.change_rate(steps)
        _, segments = speak_and_capture(pulse_stack, speaker, (line,), tmp_path / f"r{steps}.wav")
        assert len(segments) == 1, segments
        lengths.append(segments[0][1] - segments[0][0])
    normal, slow, fast = lengths
    assert slow > normal * 1.2, lengths
    assert fast < normal * 0.9, lengths


@pytest.mark.pulse
def test_say_to_saves_one_wav_per_spoken_line(pulse_stack: PulseStack, tmp_path: Path) -> None:
    needs_tts()
    out = tmp_path / "said"
    speaker = Pyttsx3Speaker(rate=None, volume=None, voice=None, say_to=out)
    try:
        _, segments = speak_and_capture(pulse_stack, speaker, LINES[:3], tmp_path / "cap.wav")
    finally:
        speaker.close()
    saved = sorted(out.iterdir())
    assert [p.name for p in saved] == ["0001.wav", "0002.wav", "0003.wav"]
    assert len(segments) == 3
    for wav, (start, end, _) in zip(saved, segments, strict=True):
        assert rms_db(wav) > FLOOR_DB
        file_speech = speech_segments(wav, threshold_db=-45, min_gap_s=0.45)
        assert len(file_speech) == 1
        assert file_speech[0][1] - file_speech[0][0] == pytest.approx(end - start, abs=0.25)


# --- no audio at all: a prompt SpeechOutputError, never a hang -------------------------------

NO_AUDIO_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from assistant.core.errors import SpeechOutputError
    from assistant.io.speakers import FallbackSpeaker
    from assistant.io.tts import Pyttsx3Speaker

    speaker = Pyttsx3Speaker(rate=None, volume=None, voice=None, say_to=None)
    started = time.monotonic()
    try:
        speaker.say("Hello. Can you hear me?")
        print("NO ERROR")
    except SpeechOutputError as error:
        print("RAISED", error.key, round(time.monotonic() - started, 2), error.fields["detail"])
    speaker.say("A later line is dropped quietly.")
    print("SECOND OK")

    failures = []
    fallback = FallbackSpeaker(Pyttsx3Speaker(None, None, None, None), failures.append)
    for line in ("one", "two", "three"):
        fallback.say(line)
    print("FALLBACK FAILURES", len(failures))
    """
)


@pytest.mark.parametrize(
    "alsa",
    [
        pytest.param("pulse-socket-missing", id="pulse-socket-missing"),
        pytest.param("no-alsa-device", id="no-alsa-device"),
    ],
)
def test_no_audio_output_raises_promptly_and_never_hangs(alsa: str, tmp_path: Path) -> None:
    needs_tts()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "XDG_RUNTIME_DIR": str(tmp_path),
        "PULSE_SERVER": f"unix:{tmp_path}/no-such-socket",
    }
    if alsa == "no-alsa-device" or Path("/dev/snd").exists():
        # No usable ALSA device even on a machine with a sound card.
        empty = tmp_path / "asound.conf"
        empty.write_text("")
        env["ALSA_CONFIG_PATH"] = str(empty)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", NO_AUDIO_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0].startswith("RAISED error_speech_output"), done.stdout
    assert float(out[0].split()[2]) < 2.0  # prompt: no waiting for a sound that never plays
    assert "audio open error" in out[0]
    assert out[1:] == ["SECOND OK", "FALLBACK FAILURES 1"]
    assert took < 15
