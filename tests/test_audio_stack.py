"""The PulseStack harness: virtual speaker capture, virtual microphone via speech_recognition."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

# Needs tests/__init__.py (or pytest `pythonpath = ["."]`) so the project root is importable.
from tests.audio_stack import (
    PulseStack,
    pulse_stack_fixture,  # noqa: F401 - registers the `pulse_stack` fixture here
    silence,
    speech_segments,
    tone,
    write_wav,
)


def two_tones(path: Path) -> Path:
    """0.3 s quiet, 1.0 s tone, 0.5 s quiet, 0.5 s tone, 0.3 s quiet."""
    write_wav(path, silence(0.3) + tone(1.0) + silence(0.5) + tone(0.5, freq=660) + silence(0.3))
    return path


def test_speech_segments_finds_each_burst(tmp_path: Path) -> None:
    wav = two_tones(tmp_path / "two.wav")
    segments = speech_segments(wav, threshold_db=-40)
    assert len(segments) == 2
    (s1, e1, db1), (s2, e2, db2) = segments
    assert s1 == pytest.approx(0.3, abs=0.03)
    assert e1 - s1 == pytest.approx(1.0, abs=0.05)
    assert e2 - s2 == pytest.approx(0.5, abs=0.05)
    assert db1 == pytest.approx(db2, abs=1)
    assert db1 > -20


def test_speech_segments_joins_short_gaps_and_drops_clicks(tmp_path: Path) -> None:
    wav = tmp_path / "words.wav"
    write_wav(wav, tone(0.4) + silence(0.15) + tone(0.4) + silence(1.0) + tone(0.04))
    segments = speech_segments(wav, threshold_db=-40, min_gap_s=0.35, min_len_s=0.1)
    assert len(segments) == 1
    assert segments[0][1] - segments[0][0] == pytest.approx(0.95, abs=0.05)


def test_silence_has_no_segments(tmp_path: Path) -> None:
    wav = tmp_path / "quiet.wav"
    write_wav(wav, silence(1.0))
    assert speech_segments(wav) == []


@pytest.mark.pulse
def test_speaker_sink_is_recorded(pulse_stack: PulseStack, tmp_path: Path) -> None:
    wav = two_tones(tmp_path / "out.wav")
    capture = tmp_path / "speaker.wav"
    pulse_stack.start_capture(capture)
    started = time.monotonic()
    subprocess.run(["paplay", str(wav)], env=pulse_stack.env, check=True, timeout=30)
    played_s = time.monotonic() - started
    pulse_stack.stop_capture()
    segments = speech_segments(capture, threshold_db=-40)
    assert [round(e - s, 1) for s, e, _ in segments] == [1.0, 0.5]
    assert all(db > -20 for _, _, db in segments)
    assert 2.0 < played_s < 4.0  # paplay plays in real time on the null sink


MIC_SCRIPT = textwrap.dedent(
    """
    import json, sys, wave
    import speech_recognition as sr
    seconds, out = float(sys.argv[1]), sys.argv[2]
    mic = sr.Microphone(sample_rate=16000)  # the default source: the virtual "mic"
    with mic as source:
        print(json.dumps({"ready": True}), flush=True)
        audio = sr.Recognizer().record(source, duration=seconds)
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(audio.get_raw_data(convert_rate=16000, convert_width=2))
    print(json.dumps({"frames": len(audio.frame_data) // 2}), flush=True)
    """
)


@pytest.mark.pulse
def test_microphone_hears_the_virtual_mic(pulse_stack: PulseStack, tmp_path: Path) -> None:
    """speech_recognition.Microphone (PyAudio -> ALSA -> PulseAudio) records what we play in.

    It runs in a child process: ALSA decides once per process whether PulseAudio is its default.
    """
    pytest.importorskip("speech_recognition")
    pytest.importorskip("pyaudio")
    wav = two_tones(tmp_path / "in.wav")
    heard = tmp_path / "heard.wav"
    child = subprocess.Popen(
        [sys.executable, "-c", MIC_SCRIPT, "3.5", str(heard)],
        env=pulse_stack.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert json.loads(child.stdout.readline() or "{}").get("ready"), child.stderr
    time.sleep(0.2)
    pulse_stack.play_into_mic(wav)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 0, err
    frames = json.loads(out.strip().splitlines()[-1])["frames"]
    assert frames == pytest.approx(3.5 * 16000, rel=0.05)
    segments = speech_segments(heard, threshold_db=-40)
    assert [round(e - s, 1) for s, e, _ in segments] == [1.0, 0.5]
    (s1, _, db1), (s2, _, _) = segments
    assert s2 - s1 == pytest.approx(1.5, abs=0.05)  # the gap between the tones is kept
    assert db1 > -20
