"""Replay recorded answers: each WAV/AIFF/FLAC file is one spoken answer, heard like the microphone.

Every file is checked when the listener is built (audio_file.py), so a bad file stops the run with
one clear AudioInputError *before* the conversation starts, instead of half-way through a triage.
A file is decoded only when its turn comes, and only the first `CaptureSettings.longest_listen`
seconds of it (all that one listen can read), so a ten-minute file costs no more time or memory
than a short one.

Files are turned into 16-bit mono at their own rate first, because SpeechRecognition's AudioFile
takes only plain PCM mono/stereo and judges loudness on the raw sample scale (8-bit or 24-bit
files would never, or always, count as speech). The capture path then resamples to 16 kHz,
exactly as for the microphone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from assistant.core.errors import AudioInputError
from assistant.core.messages import EndOfInput, Event, Expected, InputFailed
from assistant.core.ports import Recognizer
from assistant.io.audio_file import check, expand, load
from assistant.io.capture import Capture, CaptureSettings, Judge, Keep, Timing, never_complete
from assistant.io.vad import chunk_for

log = logging.getLogger(__name__)


class ReplayListener:
    """Hears each file as one spoken answer, in order; EndOfInput once the files run out."""

    def __init__(
        self,
        paths: Sequence[Path],
        recognizer: Recognizer,
        settings: CaptureSettings | None = None,
        *,
        judge: Judge = never_complete,
        keep: Keep | None = None,
    ) -> None:
        """Check every file now (see the module docstring); raise for the first bad one."""
        self._settings = settings or CaptureSettings()
        self._capture = Capture(
            recognizer, self._settings, judge, keep, realtime=False, follows=True
        )
        self._clips = [check(path) for path in expand(paths)]
        self._next = 0
        log.info("replaying %d file(s)", len(self._clips))

    @property
    def timing(self) -> Timing:
        """Where the last answer's time went, and which stretch of its file was heard."""
        return self._capture.timing

    @property
    def files(self) -> list[Path]:
        """The files to be heard, in order."""
        return [clip.path for clip in self._clips]

    def listen(self, expected: Expected) -> Event:
        """Hear the next file as one answer; InputFailed if it changed since the start."""
        import speech_recognition as sr  # noqa: PLC0415 - lazy: the library is an optional extra

        if self._next >= len(self._clips):
            return EndOfInput()
        clip = self._clips[self._next]
        self._next += 1
        try:
            wav = load(clip, self._settings.longest_listen)
        except AudioInputError:
            return InputFailed("error_replay_file_lost", clip.path.name)
        log.info("replaying %s", clip.path.name)
        with sr.AudioFile(wav) as source:
            source.CHUNK = chunk_for(int(source.SAMPLE_RATE))  # 30 ms reads, as from the mic
            return self._capture.listen(source, expected)
