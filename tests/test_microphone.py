"""The microphone listener: listing, no device, a device lost mid-session, a live virtual mic.

Real PortAudio runs in child processes: ALSA decides once per process whether PulseAudio is there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

try:  # tests/ as a package (tests/__init__.py) or as a plain folder on sys.path
    from tests.audio_stack import PulseStack, pulse_stack_fixture
except ImportError:
    from audio_stack import PulseStack, pulse_stack_fixture  # type: ignore[no-redef]

from assistant.core.errors import AudioInputError
from assistant.core.messages import Expected, Heard, InputFailed, Silence
from assistant.core.ports import Audio
from assistant.io import mic_device
from assistant.io.capture import CaptureSettings
from assistant.io.mic_device import list_microphones, opening
from assistant.io.microphone import MicrophoneListener

sr = pytest.importorskip("speech_recognition")
pytest.importorskip("pyaudio")

EXPECTED = Expected("q_pain_leg", ("yes", "no"))
_ = pulse_stack_fixture  # registers the `pulse_stack` fixture in this module
ROOT = Path(__file__).resolve().parents[1]


class FakeRecognizer:
    """Records the Audio it is given and always hears "yes"."""

    name = "fake"

    def __init__(self) -> None:
        self.audio: list[Audio] = []

    def recognize(self, audio: Audio, expected: Expected) -> Heard:
        self.audio.append(audio)
        return Heard("yes")


# --- in process, with a fake device -----------------------------------------------------------


class FakeStream:
    """A PyAudio-like stream: `fail_after` reads, then OSError as when a USB mic is pulled."""

    def __init__(self, fail_after: int | None) -> None:
        self.fail_after = fail_after
        self.reads = 0
        self.stopped = False
        self.pyaudio_stream = self

    def read(self, size: int) -> bytes:
        if self.stopped:
            raise AssertionError("read while the stream is stopped (stale audio)")
        self.reads += 1
        if self.fail_after is not None and self.reads > self.fail_after:
            raise OSError(-9999, "Unanticipated host error")
        return bytes(2 * size)

    def is_stopped(self) -> bool:
        return self.stopped

    def stop_stream(self) -> None:
        self.stopped = True

    def start_stream(self) -> None:
        self.stopped = False

    def close(self) -> None:
        pass


AudioSource: Any = sr.AudioSource  # SpeechRecognition's listen asserts isinstance(source, this)


class FakeMicrophone(AudioSource):
    """Stands in for speech_recognition.Microphone; the class keeps every instance."""

    made: ClassVar[list[FakeMicrophone]] = []
    fail_after: ClassVar[list[int | None]] = []

    def __init__(self, device_index: int | None = None) -> None:
        self.device_index = device_index
        self.SAMPLE_RATE, self.SAMPLE_WIDTH, self.CHUNK = 16000, 2, 1024
        self.stream: Any = None
        FakeMicrophone.made.append(self)

    def __enter__(self) -> FakeMicrophone:
        plan = FakeMicrophone.fail_after
        self.stream = FakeStream(plan.pop(0) if plan else None)
        return self

    def __exit__(self, *args: object) -> None:
        self.stream = None


@pytest.fixture
def fake_mic(monkeypatch: pytest.MonkeyPatch) -> type[FakeMicrophone]:
    FakeMicrophone.made = []
    FakeMicrophone.fail_after = []
    monkeypatch.setattr(sr, "Microphone", FakeMicrophone)
    return FakeMicrophone


def test_a_device_lost_mid_session_is_reported_then_reopened(
    fake_mic: type[FakeMicrophone],
) -> None:
    fake_mic.fail_after = [20, None]  # first device: calibration (17 reads) then dies; 2nd works
    listener = MicrophoneListener(
        FakeRecognizer(), None, CaptureSettings(pause=0.8, timeout=1.0), calibrate_seconds=0.5
    )
    first = listener.listen(EXPECTED)
    assert isinstance(first, InputFailed)
    assert first.key == "error_microphone_lost"
    assert "-9999" in first.detail
    assert "Unanticipated" not in first.detail
    assert listener.listen(EXPECTED) == Silence()  # reopened: digital silence until the timeout
    assert len(fake_mic.made) == 2
    listener.close()


def test_the_stream_is_stopped_between_answers(fake_mic: type[FakeMicrophone]) -> None:
    listener = MicrophoneListener(
        FakeRecognizer(), None, CaptureSettings(pause=0.8, timeout=0.5), calibrate_seconds=0.2
    )
    stream = fake_mic.made[0].stream
    assert stream.stopped  # after calibration: nothing is heard while the assistant speaks
    assert listener.listen(EXPECTED) == Silence()
    assert stream.stopped
    listener.close()


def test_a_microphone_opened_in_the_background_is_the_one_listened_to(
    fake_mic: type[FakeMicrophone], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mic_device, "probe_portaudio", lambda: None)
    heard = opening(None)  # at start, while the session's data loads
    listener = MicrophoneListener(
        FakeRecognizer(), None, CaptureSettings(pause=0.8, timeout=0.5), opened=heard
    )
    assert len(fake_mic.made) == 1  # opened once, not again by the listener
    stream = fake_mic.made[0].stream
    assert stream.reads == 10  # the room: CALIBRATE_S of 30 ms frames
    assert stream.stopped
    assert listener.listen(EXPECTED) == Silence()
    listener.close()


def test_a_microphone_that_fails_to_open_in_the_background_is_said_when_it_is_needed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def gone(*_: object, **__: object) -> None:
        raise OSError(-9996, "Invalid input device")

    monkeypatch.setattr(mic_device, "probe_portaudio", lambda: None)
    monkeypatch.setattr(sr, "Microphone", gone)
    heard = opening(None)
    with pytest.raises(AudioInputError) as caught:
        MicrophoneListener(FakeRecognizer(), None, opened=heard)
    assert caught.value.fields["detail"] == "no default input device"


def test_reopening_that_fails_is_reported_again(
    fake_mic: type[FakeMicrophone], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_mic.fail_after = [20]  # calibration takes 17 reads of 30 ms
    listener = MicrophoneListener(
        FakeRecognizer(), None, CaptureSettings(pause=0.8, timeout=1.0), calibrate_seconds=0.5
    )
    assert isinstance(listener.listen(EXPECTED), InputFailed)

    def gone(*_: object, **__: object) -> None:
        raise OSError(-9996, "Invalid input device (no default output device)")

    monkeypatch.setattr(sr, "Microphone", gone)
    again = listener.listen(EXPECTED)
    assert again == InputFailed("error_microphone_lost", "no default input device")


def test_pyaudio_missing_is_no_microphone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyaudio", None)
    with pytest.raises(AudioInputError) as caught:
        MicrophoneListener(FakeRecognizer(), None, calibrate_seconds=0)
    assert caught.value.key == "error_no_microphone"
    assert caught.value.fields["detail"] == "PyAudio is not installed"
    with pytest.raises(AudioInputError):
        list_microphones()


def test_list_microphones_gives_index_and_name() -> None:
    found = list_microphones()
    assert all(isinstance(i, int) and isinstance(name, str) for i, name in found)


def test_native_noise_on_stderr_is_hidden(capfd: pytest.CaptureFixture[str]) -> None:
    with mic_device.quiet_native_stderr():
        os.write(2, b"ALSA lib pcm.c: Unknown PCM default\n")
    assert "ALSA" not in capfd.readouterr().err


def test_an_unopenable_dev_null_does_not_stop_listening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Seen on a CI machine: /dev/null with mode 600, so an ordinary user cannot open it.
    monkeypatch.setattr(mic_device.os, "devnull", str(tmp_path / "no" / "such" / "null"))
    with mic_device.quiet_native_stderr():
        entered = True
    assert entered


# --- real PortAudio in a child process --------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from assistant.core.errors import AudioInputError
    from assistant.core.messages import Expected, Heard
    from assistant.io.capture import CaptureSettings
    from assistant.io.mic_device import list_microphones
    from assistant.io.microphone import MicrophoneListener

    class Fake:
        name = "fake"
        def __init__(self):
            self.audio = []
        def recognize(self, audio, expected):
            self.audio.append(audio)
            return Heard("yes")

    def say(**fields):
        print(json.dumps(fields), flush=True)

    fake = Fake()
    index = None if sys.argv[2] == "default" else int(sys.argv[2])
    try:
        settings = CaptureSettings(pause=1.0, timeout=float(sys.argv[3]))
        mic = MicrophoneListener(fake, index, settings, calibrate_seconds=0.5)
    except AudioInputError as error:
        say(error=error.key, detail=error.fields.get("detail"), mics=list_microphones())
        sys.exit(0)
    say(ready=True, mics=list_microphones())
    for line in sys.stdin:
        event = mic.listen(Expected("q", ("yes", "no")))
        seconds = [len(a.pcm) / 2 / a.sample_rate for a in fake.audio]
        say(event=type(event).__name__, seconds=seconds, rates=[a.sample_rate for a in fake.audio])
    mic.close()
    """
)


def child(
    env: dict[str, str], device: str = "default", timeout: float = 2.0
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT), device, str(timeout)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def reply(process: subprocess.Popen[str]) -> dict[str, Any]:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line, process.stderr.read() if process.stderr else "no output"
    return dict(json.loads(line))


def no_server_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE")}
    env.update(
        XDG_RUNTIME_DIR=str(tmp_path),
        PULSE_SERVER=f"unix:{tmp_path}/no-such-socket",
        PULSE_CLIENTCONFIG=str(tmp_path / "client.conf"),
    )
    (tmp_path / "client.conf").write_text("autospawn = no\n")
    return env


@pytest.mark.parametrize("device", ["default", "7"], ids=["default-device", "device-7"])
def test_no_audio_server_is_no_microphone(tmp_path: Path, device: str) -> None:
    process = child(no_server_env(tmp_path), device)
    out = reply(process)
    process.communicate(timeout=30)
    assert out["error"] == "error_no_microphone"
    assert out["detail"] == (
        "no default input device" if device == "default" else "no input device 7"
    )
    assert out["mics"] == []
    assert process.returncode == 0


@pytest.mark.pulse
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_the_virtual_microphone_hears_a_spoken_word(
    pulse_stack: PulseStack, tmp_path: Path
) -> None:
    word = tmp_path / "yes.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(word), "yes"],
        check=True,
        capture_output=True,
    )
    word_seconds = (word.stat().st_size - 44) / 2 / 22050
    process = child(pulse_stack.env, "default", timeout=2.0)
    assert process.stdin is not None
    try:
        ready = reply(process)
        assert ready.get("ready"), ready
        assert ready["mics"], "the virtual microphone is listed"
        # Played while nobody listens (as while the assistant speaks): must not leak into it.
        pulse_stack.play_into_mic(word)
        process.stdin.write("listen\n")
        process.stdin.flush()
        assert reply(process)["event"] == "Silence"
        # Played while listening: one answer of about the word's length, at 16 kHz.
        process.stdin.write("listen\n")
        process.stdin.flush()
        time.sleep(0.4)
        pulse_stack.play_into_mic(word)
        heard = reply(process)
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    assert heard["event"] == "Heard"
    assert set(heard["rates"]) == {16000}  # every decode (early ones too) at 16 kHz
    # The answer's last decode: the word, with at most 0.3 s kept on either side.
    assert word_seconds - 0.2 <= heard["seconds"][-1] <= word_seconds + 0.7


FOLLOW_CHILD = textwrap.dedent(
    """
    import json, sys, time
    sys.path.insert(0, sys.argv[1])
    from assistant.core.messages import Expected, Heard
    from assistant.io.capture import CaptureSettings
    from assistant.io.microphone import MicrophoneListener

    class Fake:
        name = "fake"
        def recognize(self, audio, expected):
            return Heard(f"{len(audio.pcm) / 32000:.2f}")

    def whole(heard, expected, followed):
        return True  # every early decode is a whole answer: the reply comes at once

    mic = MicrophoneListener(Fake(), None, CaptureSettings(pause=1.2), calibrate_seconds=0.3,
                             judge=whole)
    with mic.overhear():
        time.sleep(1.0)  # the assistant's opening lines: nothing plays into the microphone
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()
    early = mic.listen(Expected("bladder", ("yes", "no")))
    replied = time.monotonic()
    resumed = []
    later = mic.follow(lambda: resumed.append(time.monotonic() - replied))
    print(json.dumps({"early": early.text, "following": mic.following, "resumed": resumed,
                      "whole": later.text if later else None}), flush=True)
    mic.close()
    """
)


@pytest.mark.pulse
def test_an_answer_that_goes_on_after_an_early_reply_is_followed(
    pulse_stack: PulseStack,
) -> None:
    """Live: "no | well, once, last week..." is replied to after "no", then heard whole."""
    clip = ROOT / "audio_fixtures" / "pauses" / "clips"
    path = next(clip.glob("01_bladder_*_espeak-*.flac"))
    process = subprocess.Popen(
        [sys.executable, "-c", FOLLOW_CHILD, str(ROOT)],
        env=pulse_stack.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdin is not None
    try:
        assert reply(process).get("ready")
        process.stdin.write("listen\n")
        process.stdin.flush()
        time.sleep(0.4)
        pulse_stack.play_into_mic(path)
        out = reply(process)
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    # The early answer holds the first part only ("no": under a second of sound with its edges);
    # the person went on within the 0.9 s pause, and the whole answer is several seconds long.
    assert float(out["early"]) < 1.5
    assert len(out["resumed"]) == 1 and out["resumed"][0] < 1.2
    assert out["whole"] is not None and float(out["whole"]) > 4.0
