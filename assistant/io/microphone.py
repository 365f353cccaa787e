"""The microphone as a Listener: SpeechRecognition's Microphone (PyAudio), heard through capture.

An answer is listened for only after the question has been spoken (Speaker.say returns once the
line has been heard), and between answers the input stream is stopped, so no stale audio from
before the question leaks into the answer. Two exceptions, both while the assistant speaks:
- `overhear`, around the opening lines: how much of the assistant's own voice does the microphone
  pick up? Little (a headset, or a virtual microphone): answers can be followed. Much (a laptop's
  speakers and microphone): they cannot, and the assistant waits longer before it replies instead.
- `follow`, after an answer was taken early: the stream runs on while the reply plays, until the
  person's `--pause` has passed, in case they go on (then the reply is stopped).
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from assistant.core.errors import AudioInputError
from assistant.core.messages import Event, Expected, Heard, InputFailed, NotUnderstood
from assistant.core.ports import Recognizer
from assistant.io.capture import Capture, CaptureSettings, Judge, Keep, frames_of, never_complete
from assistant.io.vad import chunk_for

log = logging.getLogger(__name__)

CALIBRATE_S = 0.3
"""Seconds of the room heard at start for the first loudness threshold (the voice detector decides
what is speech; the threshold keeps out sounds no louder than the room, and goes on following the
room between answers). Ten 30 ms frames, not SpeechRecognition's 1 s: the first word is sooner."""
ECHO_SHARE = 0.25
"""Above this share of speech frames while the assistant itself speaks, the microphone hears the
assistant (echo), and answers are not followed while it replies. A person saying a word or two
over the opening lines stays under it."""


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
        settings: CaptureSettings | None = None,
        *,
        calibrate_seconds: float = CALIBRATE_S,
        judge: Judge = never_complete,
        keep: Keep | None = None,
    ) -> None:
        """Open and calibrate the microphone; AudioInputError("error_no_microphone") if not."""
        self._device_index = device_index
        self._calibrate_seconds = calibrate_seconds
        self._capture = Capture(
            recognizer, settings or CaptureSettings(), judge, keep, realtime=True
        )
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
                source.CHUNK = chunk_for(int(source.SAMPLE_RATE))  # one 30 ms frame per read
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
                self._capture.calibrate(source, self._calibrate_seconds)
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
            event = self._capture.listen(self._source, expected)
        except OSError as error:
            log.warning("microphone failed: %s", error)
            self._close()
            return InputFailed("error_microphone_lost", _stream_detail(error))
        if not self._capture.following:
            self._pause()
        return event

    def _pause(self) -> None:
        try:
            self._pause_stream()
        except OSError as error:
            log.warning("microphone failed after listening: %s", error)
            self._close()

    @property
    def following(self) -> bool:
        """The last answer was taken early and the stream still runs for the rest of it."""
        return self._capture.following

    def follow(self, on_resume: Callable[[], None]) -> Heard | NotUnderstood | None:
        """Listen on while the reply plays (see the module docstring); None if nothing more."""
        try:
            return self._capture.follow(on_resume)
        except OSError as error:  # the next listen reports it and reopens the device
            log.warning("microphone failed while following an answer: %s", error)
            self._close()
            return None
        finally:
            if self._source is not None and not self._capture.following:
                self._pause()

    @contextlib.contextmanager
    def overhear(self) -> Iterator[None]:
        """Around the opening lines: if the microphone hears them, do not follow answers."""
        if self._source is None:
            yield
            return
        done = threading.Event()
        share: list[float] = []

        def frames() -> Iterator[bytes]:
            for frame in frames_of(self._source):
                if done.is_set():
                    return
                yield frame

        def measure() -> None:
            try:
                share.append(self._capture.voiced_share(frames()))
            except OSError as error:
                log.warning("microphone failed while the assistant spoke: %s", error)

        try:
            self._resume_stream()
        except OSError as error:  # the first listen reports it
            log.warning("microphone failed before the first answer: %s", error)
            yield
            return
        reader = threading.Thread(target=measure, name="overhear", daemon=True)
        reader.start()
        try:
            yield
        finally:
            done.set()
            reader.join(timeout=5.0)  # a read returns within one 30 ms frame
            echo = share[0] if share and not reader.is_alive() else 1.0
            self._capture.follows = echo < ECHO_SHARE
            log.info(
                "the microphone heard %.0f %% speech while the assistant spoke: %s", echo * 100,
                "answers are followed" if self._capture.follows else "echo, answers not followed",
            )  # fmt: skip
            if self._source is not None:
                self._pause()

    def close(self) -> None:
        """Release the device and the decoding thread."""
        self._close()
        self._capture.close()

    def __enter__(self) -> MicrophoneListener:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
