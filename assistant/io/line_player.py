"""Playing one line with `aplay` as its parts are made: raw samples fed on its standard input."""

from __future__ import annotations

import contextlib
import logging
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from typing import IO, Protocol

from assistant.io.speech_wav import LineAudio, speech_error

log = logging.getLogger(__name__)

PLAY_MARGIN_S = 5.0
"""Extra seconds beyond a line's own length before playback counts as stuck."""


class Player(Protocol):
    """Plays one line: its parts are fed in order; `finish` returns once all have been heard."""

    def feed(self, audio: LineAudio) -> None:
        """Play `audio` after what was fed before (returns at once)."""
        ...

    def finish(self) -> None:
        """Return when everything fed has been played; SpeechOutputError if it was not."""
        ...

    def abort(self) -> None:
        """Stop at once (nothing more is heard)."""
        ...


class AplayPlayer:
    """One `aplay` process for one line, started on its first part.

    One process, not one per part: the parts join without a gap, and aplay's exit status says
    whether the whole line was heard. A writer thread feeds it, since a write blocks while aplay
    plays what it has; a part made late only makes aplay wait (an underrun), never skips it.
    """

    def __init__(self, first: LineAudio) -> None:
        program = shutil.which("aplay")
        if program is None:
            raise speech_error("aplay (alsa-utils) is not installed")
        self.format = (first.rate, first.channels, first.width)
        self._errors: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed at the end
        command = [program, "-q", "-t", "raw", "-f", "S16_LE"]
        command += ["-c", str(first.channels), "-r", str(first.rate), "-"]
        try:
            self._process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._errors
            )
        except OSError as error:
            self._errors.close()
            raise speech_error(f"aplay cannot start: {error}") from error
        self._parts: queue.Queue[bytes | None] = queue.Queue()
        self._writer = threading.Thread(target=self._write, name="aplay-feed", daemon=True)
        self._writer.start()
        self._seconds = 0.0
        self._last_fed = time.monotonic()
        self._aborted = False
        self.feed(first)

    def feed(self, audio: LineAudio) -> None:
        """Queue `audio` for aplay (same format as the first part)."""
        if (audio.rate, audio.channels, audio.width) != self.format:
            raise speech_error("the parts of a line were made in different audio formats")
        self._seconds += audio.seconds
        self._last_fed = time.monotonic()
        self._parts.put(audio.pcm)

    def finish(self) -> None:
        """Wait for aplay to play everything and exit; raise SpeechOutputError if it failed."""
        self._parts.put(None)
        timeout_s = self._seconds + PLAY_MARGIN_S
        deadline = self._last_fed + timeout_s
        try:
            self._writer.join(max(0.0, deadline - time.monotonic()))
            code = self._process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired as error:
            self.abort()
            raise speech_error(f"audio playback did not finish within {timeout_s:.0f} s") from error
        except BaseException:  # an interrupt: stop the sound too
            self.abort()
            raise
        if self._aborted:
            return  # stopped on purpose (another thread): nothing more is heard
        if code != 0:
            raise speech_error(f"no audio output: {self._last_error(code)}")
        self._errors.close()

    def abort(self) -> None:
        """Stop aplay (this line's own child) and the writer; `finish` then returns at once."""
        self._aborted = True
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._parts.put(None)
        self._errors.close()

    def _write(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            while (pcm := self._parts.get()) is not None:
                stdin.write(pcm)
                stdin.flush()
        except (BrokenPipeError, ValueError, OSError) as error:  # aplay ended or was stopped
            log.debug("aplay stopped reading: %s", error)
        finally:
            with contextlib.suppress(BrokenPipeError, OSError, ValueError):
                stdin.close()

    def _last_error(self, code: int) -> str:
        self._errors.seek(0)
        lines = self._errors.read().decode(errors="replace").strip().splitlines()
        self._errors.close()
        return lines[-1] if lines else f"exit status {code}"
