"""Speech out through pyttsx3: each line blocks until it has been heard (espeak-ng on Linux)."""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.core.errors import SpeechOutputError
from assistant.io.line_player import AplayPlayer, Player
from assistant.io.speech_cache import VoiceSettings
from assistant.io.speech_prep import LinePreparer, background_lines
from assistant.io.speech_wav import (
    PREFERRED_LINUX_VOICES,
    LineAudio,
    espeak_ng_wav,
    first_sentence,
    read_line,
    speech_error,
    synth_timeout,
    wav_seconds,
    write_line,
)
from assistant.io.voices import pyttsx3_engine

log = logging.getLogger(__name__)

DEFAULT_RATE = 150
"""Words per minute; espeak-ng's en-us voice at 150 is clearer than its default 175."""
RATE_STEP = 20
"""Words per minute added or removed by one "faster"/"slower" step."""
MIN_RATE, MAX_RATE = 80, 260
"""Rates outside this range are hard to follow or sound broken."""
SPEAK_TIMEOUT_S, SPEAK_TIMEOUT_PER_CHAR_S = 10.0, 0.2
"""Speaking aloud: about 5 characters a second at the slowest rate, plus margin."""
SYNTH_ATTEMPTS = 3
"""Tries through pyttsx3 before a line is made with the espeak-ng command instead."""


class Pyttsx3Speaker:
    """Speaks through pyttsx3; `say` returns only once the line has been played.

    pyttsx3 2.99's Linux (espeak) driver returns from `runAndWait` before the sound ends and, when
    the next line starts while espeak's thread is still finishing, reports a line as done without
    playing it; it also ignores `aplay` failing. So on that driver the line is synthesised in
    process to a WAV (waiting on `finished-utterance`) and played with `aplay`, whose exit status
    and end are reliable. That driver also, now and then, takes a stale end-of-line event from
    espeak for the new line and saves an empty WAV; a retry can take another. So after
    SYNTH_ATTEMPTS empty tries the line is made by the `espeak-ng` command (same voice, rate and
    volume), which does not share the driver's events. Other drivers (SAPI5, NSSS) speak
    directly, again waiting on `finished-utterance` with a timeout that grows with the text.

    To speak at once (Linux), lines known in advance (`prepare`) are made in the background into
    the speech cache (speech_prep.py); a line made on the spot starts playing once its first
    sentence is made, and the rest follows without a gap (line_player.py).

    Audio failure raises SpeechOutputError once; later lines are then dropped silently.
    """

    def __init__(
        self,
        rate: int | None = None,
        volume: float | None = None,
        voice: str | None = None,
        say_to: Path | None = None,
        *,
        speech_cache: Path | None = None,
        lines: LinePreparer | None = None,
        player: Callable[[LineAudio], Player] = AplayPlayer,
    ) -> None:
        self.rate = _clamp(rate if rate is not None else DEFAULT_RATE)
        self.volume = volume
        self.voice = voice
        self.say_to = Path(say_to) if say_to is not None else None
        self.lines_saved = 0
        if lines is None and sys.platform.startswith("linux"):
            lines = background_lines(speech_cache)
        self.lines = lines  # None: every line is made when it is said
        self._player = player
        self._engine: Any = None
        self._voice_id: str | None = None
        self._token: Any = None
        self._done = threading.Event()
        self._failed = False
        self._stopping = threading.Event()
        self._playing: Player | None = None

    # --- the Speaker port ---------------------------------------------------------------------

    def say(self, text: str) -> None:
        """Speak `text`; return once it has been heard (or raise SpeechOutputError once)."""
        if self._failed or not text.strip():
            return
        self._stopping.clear()
        try:
            ready = self.lines.claim(text, self.settings) if self.lines is not None else None
            if ready is not None:
                self._say_ready(ready)
                return
            engine = self._get_engine()
            if engine.driver_name == "espeak":
                self._say_espeak(engine, text)
            else:
                self._release(text)
                self._say_direct(engine, text)
        except SpeechOutputError:
            if self._stopping.is_set():
                return  # cut short on purpose, not a failure
            self._failed = True
            if self.lines is not None:
                self.lines.stop()  # no sound: making lines ahead is of no use
            raise

    def stop(self) -> None:
        """Cut the line being said short (from another thread); say() returns, later lines play.

        Only lines played with aplay (Linux) can be cut; other drivers finish their line.
        """
        self._stopping.set()
        player = self._playing
        if player is not None:
            player.abort()

    def prepare(self, lines: Sequence[str]) -> None:
        """Make these lines ahead, in order, in the background; returns at once."""
        if self.lines is not None and not self._failed:
            self.lines.prepare(lines, self.settings)

    def change_rate(self, steps: int) -> None:
        """Slower (negative) or faster (positive) by `RATE_STEP` wpm a step, from the next line."""
        self.rate = _clamp(self.rate + steps * RATE_STEP)
        if self._engine is not None:
            self._engine.setProperty("rate", self.rate)
        if self.lines is not None and not self._failed:
            self.lines.prepare((), self.settings)  # the known lines again, at the new rate
        log.info("speech rate now %d wpm", self.rate)

    def close(self) -> None:
        """Stop listening to the shared engine's events (pyttsx3 keeps one engine per process)."""
        if self.lines is not None:
            self.lines.stop()
        if self._engine is not None and self._token is not None:
            self._engine.disconnect(self._token)
        self._engine = self._token = None

    @property
    def settings(self) -> VoiceSettings:
        """The voice, rate and volume lines are said with now."""
        return VoiceSettings(self.rate, self.voice, self.volume)

    # --- engine ---------------------------------------------------------------------------------

    def _get_engine(self) -> Any:
        if self._engine is None:
            engine = pyttsx3_engine()
            voice = self._voice_id = self._pick_voice(engine)
            self._token = engine.connect("finished-utterance", self._on_finished)
            if voice is not None:
                engine.setProperty("voice", voice)
            engine.setProperty("rate", self.rate)
            if self.volume is not None:
                engine.setProperty("volume", max(0.0, min(1.0, self.volume)))
            self._engine = engine
        return self._engine

    def _pick_voice(self, engine: Any) -> str | None:
        ids = {str(v.id).lower(): str(v.id) for v in engine.getProperty("voices")}
        if self.voice is not None:
            if self.voice.lower() in ids:
                return ids[self.voice.lower()]
            raise speech_error(f"no voice {self.voice!r}; --list-voices shows the installed ones")
        linux = sys.platform.startswith("linux")  # else None: the driver's own default
        return next((ids[v] for v in PREFERRED_LINUX_VOICES if linux and v in ids), None)

    def _on_finished(self, name: str | None = None, completed: bool = True) -> None:
        self._done.set()

    def _run(self, timeout_s: float, what: str) -> None:
        """Run the queued command and wait for `finished-utterance` (never longer than timeout)."""
        self._done.clear()
        # pyttsx3's espeak driver prints "Audio saved to ..." on stdout, where captions go.
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                self._engine.runAndWait()
            except Exception as error:  # any driver failure: no speech
                raise speech_error(f"{what} failed: {error}") from error
            finished = self._done.wait(timeout_s)
        if not finished:
            raise speech_error(f"{what} did not finish within {timeout_s:.0f} s")

    # --- the Linux espeak path: ready lines, or made on the spot a sentence ahead ---------------

    def _say_ready(self, audio: LineAudio) -> None:
        player = self._play(audio)
        try:
            self._save(audio)
            if self._engine is None:  # while it plays: the first line made on the spot is quicker
                with contextlib.suppress(SpeechOutputError):
                    self._get_engine()
            player.finish()
        except BaseException:
            player.abort()
            raise

    def _say_espeak(self, engine: Any, text: str) -> None:
        """Make the first sentence, start playing it, make the rest meanwhile; wait for the end."""
        player: Player | None = None
        line: LineAudio | None = None
        try:
            with tempfile.TemporaryDirectory(prefix="tts-") as tmp:
                for number, part in enumerate(p for p in first_sentence(text) if p):
                    if self._stopping.is_set():  # cut short: the rest is not made
                        if player is not None:
                            player.abort()
                        self._release(text)
                        return
                    path = Path(tmp) / f"{number}.wav"
                    self._synth(engine, part, path)
                    made = read_line(path)
                    if made is None:
                        raise speech_error(f"speech synthesis produced no sound for {part!r}")
                    if player is None:
                        player = self._play(made)
                    else:
                        player.feed(made)
                    line = made if line is None else line.then(made)
            assert player is not None  # the text is not blank
            assert line is not None
            if self.lines is not None:
                self.lines.keep(text, self.settings, line)
            self._save(line)
            player.finish()
        except BaseException:
            if player is not None:
                player.abort()
            self._release(text)
            raise

    def _play(self, first: LineAudio) -> Player:
        """Start playing a line; `stop` may cut it from now on."""
        self._playing = self._player(first)
        if self._stopping.is_set():
            self._playing.abort()  # stopped while it was being made
        return self._playing

    def _release(self, text: str) -> None:
        if self.lines is not None:
            self.lines.release(text, self.settings)

    def _save(self, line: LineAudio) -> None:
        if self.say_to is not None:
            write_line(self._next_path(), line)

    def _synth(self, engine: Any, text: str, path: Path) -> None:
        timeout_s = synth_timeout(text)
        for _attempt in range(SYNTH_ATTEMPTS):
            # Set the rate with every line: pyttsx3 keeps one engine per process, and a rate set
            # once (at creation, or by another speaker) was not always the one the next line used.
            engine.setProperty("rate", self.rate)
            engine.save_to_file(text, str(path))
            self._run(timeout_s, "speech synthesis")
            if wav_seconds(path) > 0:
                return
            log.warning("speech synthesis gave an empty line: %r", text)
        self._synth_with_command(text, path, timeout_s)

    def _synth_with_command(self, text: str, path: Path, timeout_s: float) -> None:
        """Make the line's WAV with the `espeak-ng` program (same voice, rate and volume)."""
        voice, volume = self._voice_id, self.volume
        espeak_ng_wav(text, path, rate=self.rate, voice=voice, volume=volume, timeout_s=timeout_s)
        log.info("line made with espeak-ng after %d empty tries: %r", SYNTH_ATTEMPTS, text)

    # --- other drivers: speak directly, and save a copy if asked -------------------------------

    def _say_direct(self, engine: Any, text: str) -> None:
        if self.say_to is not None:
            engine.save_to_file(text, str(self._next_path()))
            self._run(synth_timeout(text), "saving speech")
        engine.say(text)
        self._run(SPEAK_TIMEOUT_S + SPEAK_TIMEOUT_PER_CHAR_S * len(text), "speaking")

    def _next_path(self) -> Path:
        assert self.say_to is not None
        self.say_to.mkdir(parents=True, exist_ok=True)
        self.lines_saved += 1
        return self.say_to / f"{self.lines_saved:04d}.wav"


def _clamp(rate: int) -> int:
    return max(MIN_RATE, min(MAX_RATE, int(rate)))
