"""Opening the microphone device: PortAudio checked in a child process, the stream, the room heard.

Opening takes about 0.6 s (the check, PortAudio's device list, then `CALIBRATE_S` of the room), so
a session starts it on a thread of its own at once (`opening`), while its data loads.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from assistant.core.errors import AudioInputError
from assistant.engines.loading import Loading
from assistant.io.capture import frames_of
from assistant.io.vad import FRAME_S, chunk_for

log = logging.getLogger(__name__)

CALIBRATE_S = 0.3
"""Seconds of the room heard at start for the first loudness threshold (the voice detector decides
what is speech; the threshold keeps out sounds no louder than the room, and goes on following the
room between answers). Ten 30 ms frames, not SpeechRecognition's 1 s: the first word is sooner."""


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Hide what ALSA/JACK print on file descriptor 2 while PortAudio looks for devices.

    Those lines ("ALSA lib pcm.c: Unknown PCM ...") are noise for the person at the screen; what
    went wrong is reported as our own AudioInputError instead.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to hide
        yield
        return
    try:
        try:
            with open(os.devnull, "wb") as devnull:
                os.dup2(devnull.fileno(), 2)
        except OSError:  # /dev/null cannot be opened (some systems let only root): noise stays
            log.debug("cannot open %s; native messages stay on stderr", os.devnull)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def pyaudio_module() -> Any:
    """PyAudio, or AudioInputError("error_no_microphone") when it is not installed."""
    try:
        import pyaudio  # noqa: PLC0415 - lazy: PyAudio is the optional [mic] extra
    except ImportError:
        raise AudioInputError("error_no_microphone", detail="PyAudio is not installed") from None
    return pyaudio


def probe_portaudio() -> None:
    """Start PortAudio once in a child process first, so a broken setup cannot kill this one.

    With an empty ALSA configuration PortAudio aborts the whole process (SIGABRT in
    BuildDeviceList), which no exception handler can catch.
    """
    probe = "import pyaudio; pyaudio.PyAudio().terminate()"
    try:
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        raise AudioInputError(
            "error_no_microphone", detail="the audio system did not start"
        ) from None
    if done.returncode != 0:
        detail = f"the audio system failed to start (exit {done.returncode})"
        raise AudioInputError("error_no_microphone", detail=detail)


def stream_detail(error: OSError) -> str:
    """Describe a PortAudio failure briefly (its code, not its English message)."""
    code = error.errno if isinstance(error.errno, int) else (error.args or ("?",))[0]
    if isinstance(code, int):
        return f"the audio input stopped working (PortAudio error {code})"
    return "the audio input stopped working"


def list_microphones() -> list[tuple[int, str]]:
    """Input devices as (device index, name), for `--microphone INDEX`; empty if there are none."""
    pyaudio = pyaudio_module()
    probe_portaudio()
    with quiet_native_stderr():
        audio = pyaudio.PyAudio()
        try:
            found = []
            for index in range(audio.get_device_count()):
                info = audio.get_device_info_by_index(index)
                if int(info.get("maxInputChannels", 0)) > 0:
                    found.append((index, str(info.get("name", f"device {index}"))))
        finally:
            audio.terminate()
    return found


@dataclass
class Opened:
    """An entered SpeechRecognition source, its stream stopped, and the room heard at start."""

    source: Any
    room: list[bytes]
    """`CALIBRATE_S` of 16 kHz 30 ms frames heard right after opening (empty if none asked)."""


def open_microphone(
    device_index: int | None, calibrate_seconds: float = CALIBRATE_S, *, probe: bool = True
) -> Opened:
    """Open the device and hear the room; AudioInputError("error_no_microphone") if it cannot.

    `probe`: check PortAudio in a child process first (at start; not when reopening).
    """
    pyaudio_module()
    if probe:
        probe_portaudio()
    import speech_recognition as sr  # noqa: PLC0415 - lazy: the library is an optional extra

    where = "the default input device"
    missing = "no default input device"
    if device_index is not None:
        where = f"input device {device_index}"
        missing = f"no input device {device_index}"
    with quiet_native_stderr():
        try:
            source = sr.Microphone(device_index=device_index)
            source.CHUNK = chunk_for(int(source.SAMPLE_RATE))  # one 30 ms frame per read
        except AssertionError:  # SpeechRecognition checks the index with assert
            raise AudioInputError("error_no_microphone", detail=missing) from None
        except OSError:  # PyAudio: "No Default Input Device Available" and the like
            raise AudioInputError("error_no_microphone", detail=missing) from None
        source.__enter__()
    if source.stream is None:  # Microphone.__enter__ swallows the error of opening the stream
        raise AudioInputError("error_no_microphone", detail=f"{where} cannot be opened")
    try:
        count = max(1, round(calibrate_seconds / FRAME_S)) if calibrate_seconds > 0 else 0
        frames = frames_of(source)
        room = [next(frames) for _ in range(count)]
        stream = source.stream.pyaudio_stream
        if not stream.is_stopped():
            stream.stop_stream()
    except (OSError, StopIteration) as error:
        with contextlib.suppress(Exception):  # the device may be gone already
            source.__exit__(None, None, None)
        detail = stream_detail(error) if isinstance(error, OSError) else f"{where} gave no sound"
        raise AudioInputError("error_no_microphone", detail=detail) from None
    log.info("listening on %s at %d Hz", where, source.SAMPLE_RATE)
    return Opened(source, room)


def opening(device_index: int | None) -> Loading[Opened]:
    """Start opening the microphone on a thread of its own; `result()` gives it (or its error)."""
    return Loading(lambda: open_microphone(device_index))
