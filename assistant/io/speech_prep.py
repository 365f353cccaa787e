"""Making the known lines in the background, in order, while the assistant already talks.

The lines are made by the `espeak-ng` program in a child process, one at a time, at a lower
priority (`nice`), not by pyttsx3 in a second thread: pyttsx3 keeps one engine per process and
is not thread-safe, and its espeak driver already mixes up end-of-line events between lines
(see tts.py), so a background thread sharing it would race the lines said on the spot. The
program is the same espeak-ng library with the same voice, rate and volume, so a prepared line
sounds as a line made on the spot (a fresh pyttsx3 engine makes the same samples; the tests
compare them), and the child runs on the other core while this process listens and decodes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.core.errors import SpeechOutputError
from assistant.io.speech_cache import SpeechCache, VoiceSettings, open_cache
from assistant.io.speech_wav import (
    PREFERRED_LINUX_VOICES,
    LineAudio,
    espeak_ng_identity,
    espeak_ng_voice,
    espeak_ng_wav,
    synth_timeout,
)

log = logging.getLogger(__name__)

Maker = Callable[[str, VoiceSettings, Path], None]
"""Writes one line, spoken with these settings, as a WAV at the path (or SpeechOutputError)."""

OPEN_WAIT_S = 1.0
"""How long `claim` waits for the cache to open before the line is made on the spot."""
MAKING_WAIT_S = 10.0
"""How long `claim` waits for the worker to finish the very line asked for."""

_Line = tuple[str, VoiceSettings]


class LinePreparer:
    """Known lines queued in order and made by one worker thread into a SpeechCache.

    The speaker gets a line with `claim`: ready from the cache, waited for while the worker is
    making that very line, or taken out of the queue to be made on the spot and handed back with
    `keep`, so no line is made twice. Only lines given to `prepare` are ever kept: a line made
    from the person's answers never reaches the disk.
    """

    def __init__(self, open_cache: Callable[[], SpeechCache | None], make: Maker) -> None:
        self._open_cache = open_cache
        self._make = make
        self._cache: SpeechCache | None = None
        self._opened = threading.Event()
        self._changed = threading.Condition()
        self._known: dict[str, None] = {}
        self._settings: VoiceSettings | None = None
        self._queue: list[str] = []
        self._making: _Line | None = None
        self._claimed: set[_Line] = set()
        self._done: set[_Line] = set()
        self._worker: threading.Thread | None = None
        self._halted = False
        self.made = 0
        """Lines the worker made."""
        self.found = 0
        """Lines the worker found already in the cache."""

    @property
    def cache(self) -> SpeechCache | None:
        """The cache once the worker has opened it."""
        return self._cache

    def prepare(self, lines: Sequence[str], settings: VoiceSettings) -> None:
        """Queue `lines` to be made with `settings`, in order; returns at once.

        New settings (a rate change) queue every known line again, for the new settings.
        """
        with self._changed:
            self._known.update(dict.fromkeys(lines))
            if settings != self._settings:
                self._settings = settings
                self._queue = []
                lines = list(self._known)
            waiting = set(self._queue)
            for text in dict.fromkeys(lines):
                line = (text, settings)
                busy = line in self._claimed or line in self._done or line == self._making
                if text not in waiting and not busy:
                    self._queue.append(text)
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="speech-prep", daemon=True)
                self._worker.start()
            self._changed.notify_all()

    def claim(self, text: str, settings: VoiceSettings) -> LineAudio | None:
        """The line's sound if it is ready or being made now; None: make it on the spot.

        After None for a known line, hand the line made on the spot to `keep` (or `release`).
        """
        with self._changed:
            if text not in self._known:
                return None
        if not self._opened.wait(OPEN_WAIT_S) or self._cache is None:
            return None
        line = (text, settings)
        with self._changed:
            self._changed.wait_for(lambda: self._making != line, timeout=MAKING_WAIT_S)
            if settings == self._settings and text in self._queue:
                self._queue.remove(text)
            self._claimed.add(line)
        audio = self._cache.load(self._cache.key(text, settings))
        if audio is not None:
            self.release(text, settings, done=True)
        return audio

    def keep(self, text: str, settings: VoiceSettings, audio: LineAudio) -> None:
        """Store a known line made on the spot (lines not given to `prepare` are not kept)."""
        kept = False
        try:
            if self._cache is not None and text in self._known:
                self._cache.keep(self._cache.key(text, settings), audio)
                kept = True
        except OSError as error:
            log.debug("line not kept in the speech cache: %s", error)
        finally:
            self.release(text, settings, done=kept)

    def release(self, text: str, settings: VoiceSettings, done: bool = False) -> None:
        """The line claimed by `claim` is no longer being made on the spot."""
        with self._changed:
            self._claimed.discard((text, settings))
            if done:
                self._done.add((text, settings))
            self._changed.notify_all()

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until nothing is queued or being made; whether that happened in time."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self._halted or (not self._queue and self._making is None), timeout_s
            )

    def stop(self) -> None:
        """Make no more lines (the one being made is finished)."""
        with self._changed:
            self._halted = True
            self._queue = []
            self._changed.notify_all()

    def _work(self) -> None:
        try:
            self._cache = self._open_cache()
        finally:
            self._opened.set()
        cache = self._cache
        if cache is None:
            self.stop()
            return
        cache.sweep()
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._halted or bool(self._queue))
                if self._halted or self._settings is None:
                    return
                text, settings = self._queue.pop(0), self._settings
                self._making = (text, settings)
            try:
                self._make_one(cache, text, settings)
            except (SpeechOutputError, OSError) as error:  # the rest are made when said
                log.info("lines are no longer made ahead: %s", getattr(error, "fields", error))
                self.stop()
            finally:
                with self._changed:
                    self._making = None
                    self._changed.notify_all()

    def _make_one(self, cache: SpeechCache, text: str, settings: VoiceSettings) -> None:
        key = cache.key(text, settings)
        if cache.has(key):
            cache.touch(key)
            self.found += 1
        elif cache.make(key, lambda path: self._make(text, settings, path)):
            self.made += 1
        with self._changed:
            self._done.add((text, settings))


def make_in_background(text: str, settings: VoiceSettings, path: Path) -> None:
    """Make a known line with the espeak-ng program at a low priority, as pyttsx3 would say it."""
    espeak_ng_wav(
        text,
        path,
        rate=settings.rate,
        voice=espeak_ng_voice(settings.voice, PREFERRED_LINUX_VOICES),
        volume=settings.volume,
        timeout_s=synth_timeout(text),
        background=True,
    )


def background_lines(folder: Path | None) -> LinePreparer:
    """Lines made by espeak-ng into the speech cache in `folder` (None: for this run only)."""
    return LinePreparer(lambda: open_cache(folder, espeak_ng_identity()), make_in_background)
