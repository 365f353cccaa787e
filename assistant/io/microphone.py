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
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from assistant.core.errors import AudioInputError
from assistant.core.messages import Event, Expected, Heard, InputFailed, NotUnderstood
from assistant.core.ports import Recognizer
from assistant.engines.loading import Loading
from assistant.io.capture import Capture, CaptureSettings, Judge, Keep, frames_of, never_complete
from assistant.io.mic_device import CALIBRATE_S, Opened, open_microphone, stream_detail

log = logging.getLogger(__name__)

ECHO_SHARE = 0.25
"""Above this share of speech frames while the assistant itself speaks, the microphone hears the
assistant (echo), and answers are not followed while it replies. A person saying a word or two
over the opening lines stays under it."""


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
        opened: Loading[Opened] | None = None,
    ) -> None:
        """Open and calibrate the microphone; AudioInputError("error_no_microphone") if not.

        `opened`: the device already being opened (mic_device.opening), with the room heard.
        """
        self._device_index = device_index
        self._calibrate_seconds = calibrate_seconds
        self._capture = Capture(
            recognizer, settings or CaptureSettings(), judge, keep, realtime=True
        )
        self._source: Any = None
        self._use(opened.result() if opened else open_microphone(device_index, calibrate_seconds))

    def _use(self, opened: Opened) -> None:
        self._source = opened.source
        if opened.room:
            self._capture.calibrate(iter(opened.room), self._calibrate_seconds)

    def _open(self) -> None:
        """Open the device again after it failed (PortAudio was checked at start)."""
        self._use(open_microphone(self._device_index, self._calibrate_seconds, probe=False))

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
            return InputFailed("error_microphone_lost", stream_detail(error))
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
