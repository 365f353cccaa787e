"""The microphone as a Listener: SpeechRecognition's Microphone (PyAudio), heard through capture.

Never listen while speaking: `listen()` is only called by the session loop after the speaker has
finished (Speaker.say returns only once the line has been spoken). Between two `listen()` calls the
input stream is stopped, so the assistant's own voice is never captured and no stale audio from
before the question leaks into the answer.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from assistant.core.errors import AudioInputError
from assistant.core.messages import Event, Expected, InputFailed
from assistant.core.ports import Recognizer
from assistant.io.capture import CaptureSettings, capture, new_sr_recognizer

log = logging.getLogger(__name__)


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
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


def _pyaudio() -> Any:
    try:
        import pyaudio  # noqa: PLC0415 - lazy: PyAudio is the optional [mic] extra
    except ImportError:
        raise AudioInputError("error_no_microphone", detail="PyAudio is not installed") from None
    return pyaudio


def _probe_portaudio() -> None:
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


def _stream_detail(error: OSError) -> str:
    """Describe a PortAudio failure briefly (its code, not its English message)."""
    code = error.errno if isinstance(error.errno, int) else (error.args or ("?",))[0]
    if isinstance(code, int):
        return f"the audio input stopped working (PortAudio error {code})"
    return "the audio input stopped working"


def list_microphones() -> list[tuple[int, str]]:
    """Input devices as (device index, name), for `--microphone INDEX`; empty if there are none."""
    pyaudio = _pyaudio()
    _probe_portaudio()
    with _quiet_native_stderr():
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


class MicrophoneListener:
    """Listens to one microphone, opened once; reopens it after it fails mid-session."""

    def __init__(
        self,
        recognizer: Recognizer,
        device_index: int | None = None,
        *,
        pause: float = 1.2,
        timeout: float = 8.0,
        calibrate_seconds: float = 1.0,
        phrase_limit: float = 15.0,
    ) -> None:
        """Open and calibrate the microphone; AudioInputError("error_no_microphone") if not."""
        self._recognizer = recognizer
        self._device_index = device_index
        self._calibrate_seconds = calibrate_seconds
        self._settings = CaptureSettings(pause=pause, timeout=timeout, phrase_limit=phrase_limit)
        self._listener = new_sr_recognizer(self._settings)
        self._source: Any = None
        _pyaudio()
        _probe_portaudio()
        self._open()

    def _open(self) -> None:
        _pyaudio()
        import speech_recognition as sr  # noqa: PLC0415 - lazy: the library is an optional extra

        where = "the default input device"
        missing = "no default input device"
        if self._device_index is not None:
            where = f"input device {self._device_index}"
            missing = f"no input device {self._device_index}"
        with _quiet_native_stderr():
            try:
                source = sr.Microphone(device_index=self._device_index)
            except AssertionError:  # SpeechRecognition checks the index with assert
                raise AudioInputError("error_no_microphone", detail=missing) from None
            except OSError:  # PyAudio: "No Default Input Device Available" and the like
                raise AudioInputError("error_no_microphone", detail=missing) from None
            source.__enter__()
        if source.stream is None:  # Microphone.__enter__ swallows the error of opening the stream
            raise AudioInputError("error_no_microphone", detail=f"{where} cannot be opened")
        self._source = source
        try:
            if self._calibrate_seconds > 0:
                self._listener.adjust_for_ambient_noise(source, duration=self._calibrate_seconds)
                log.info("microphone calibrated: threshold %.0f", self._listener.energy_threshold)
            self._pause_stream()
        except OSError as error:
            self._close()
            raise AudioInputError("error_no_microphone", detail=_stream_detail(error)) from None
        log.info("listening on %s at %d Hz", where, source.SAMPLE_RATE)

    def _pause_stream(self) -> None:
        stream = self._source.stream.pyaudio_stream
        if not stream.is_stopped():
            stream.stop_stream()

    def _resume_stream(self) -> None:
        stream = self._source.stream.pyaudio_stream
        if stream.is_stopped():
            stream.start_stream()

    def _close(self) -> None:
        source, self._source = self._source, None
        if source is None:
            return
        with contextlib.suppress(
            Exception
        ):  # the device may be gone already; closing is best effort
            source.__exit__(None, None, None)

    def listen(self, expected: Expected) -> Event:
        """Hear one answer; InputFailed("error_microphone_lost") if the device fails.

        After a failure the next call tries to open the device again; the caller decides how many
        failures end the session.
        """
        if self._source is None:
            try:
                self._open()
            except AudioInputError as error:
                return InputFailed("error_microphone_lost", error.fields.get("detail", ""))
        try:
            self._resume_stream()
            event = capture(
                self._source, self._listener, self._recognizer, expected, self._settings
            )
        except OSError as error:
            log.warning("microphone failed: %s", error)
            self._close()
            return InputFailed("error_microphone_lost", _stream_detail(error))
        try:
            self._pause_stream()
        except OSError as error:
            log.warning("microphone failed after listening: %s", error)
            self._close()
        return event

    def close(self) -> None:
        """Release the device."""
        self._close()

    def __enter__(self) -> MicrophoneListener:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
