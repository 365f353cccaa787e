"""Speech out through pyttsx3: each line blocks until it has been heard (espeak-ng on Linux)."""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.errors import SpeechOutputError
from assistant.io.speech_wav import espeak_ng_wav, last_stderr_line, speech_error, wav_seconds

log = logging.getLogger(__name__)

DEFAULT_RATE = 150
"""Words per minute; espeak-ng's en-us voice at 150 is clearer than its default 175."""
RATE_STEP = 20
"""Words per minute added or removed by one "faster"/"slower" step."""
MIN_RATE, MAX_RATE = 80, 260
"""Rates outside this range are hard to follow or sound broken."""
PREFERRED_LINUX_VOICES = ("gmw/en-us", "en-us")
"""espeak-ng voice ids tried first on Linux (American English is recognised best)."""
SYNTH_TIMEOUT_S, SYNTH_TIMEOUT_PER_CHAR_S = 5.0, 0.05
"""Synthesis to a file runs far faster than real time; past this something is stuck."""
SPEAK_TIMEOUT_S, SPEAK_TIMEOUT_PER_CHAR_S = 10.0, 0.2
"""Speaking aloud: about 5 characters a second at the slowest rate, plus margin."""
PLAY_MARGIN_S = 5.0
"""Extra seconds beyond a WAV's own length before playback counts as stuck."""
SYNTH_ATTEMPTS = 3
"""Tries through pyttsx3 before a line is made with the espeak-ng command instead."""


@dataclass(frozen=True)
class VoiceInfo:
    """One installed voice, as listed by `--list-voices`."""

    id: str
    name: str
    languages: tuple[str, ...]


def _engine_or_error() -> Any:
    """Return the process's pyttsx3 engine (pyttsx3 keeps one per driver) or raise."""
    try:
        import pyttsx3  # noqa: PLC0415 - heavy, optional: imported only when speech is wanted
    except ImportError as error:
        raise speech_error(f"pyttsx3 is not installed ({error})") from error
    try:
        return pyttsx3.init()
    except Exception as error:  # drivers raise anything
        raise speech_error(f"cannot start the speech engine: {error}") from error


def voices() -> list[VoiceInfo]:
    """Installed pyttsx3 voices; raises SpeechOutputError when no speech engine can start."""
    engine = _engine_or_error()
    return [
        VoiceInfo(str(v.id), str(v.name), tuple(str(lang) for lang in (v.languages or ())))
        for v in engine.getProperty("voices")
    ]


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

    Audio failure raises SpeechOutputError once; later lines are then dropped silently.
    """

    def __init__(
        self,
        rate: int | None = None,
        volume: float | None = None,
        voice: str | None = None,
        say_to: Path | None = None,
    ) -> None:
        self.rate = _clamp(rate if rate is not None else DEFAULT_RATE)
        self.volume = volume
        self.voice = voice
        self.say_to = Path(say_to) if say_to is not None else None
        self.lines_saved = 0
        self._engine: Any = None
        self._voice_id: str | None = None
        self._token: Any = None
        self._done = threading.Event()
        self._failed = False
        self._checked_output = False

    # --- the Speaker port ---------------------------------------------------------------------

    def say(self, text: str) -> None:
        """Speak `text`; return once it has been heard (or raise SpeechOutputError once)."""
        if self._failed or not text.strip():
            return
        try:
            engine = self._get_engine()
            if engine.driver_name == "espeak":
                self._say_espeak(engine, text)
            else:
                self._say_direct(engine, text)
        except SpeechOutputError:
            self._failed = True
            raise

    def change_rate(self, steps: int) -> None:
        """Slower (negative) or faster (positive) by `RATE_STEP` wpm a step, from the next line."""
        self.rate = _clamp(self.rate + steps * RATE_STEP)
        if self._engine is not None:
            self._engine.setProperty("rate", self.rate)
        log.info("speech rate now %d wpm", self.rate)

    def close(self) -> None:
        """Stop listening to the shared engine's events (pyttsx3 keeps one engine per process)."""
        if self._engine is not None and self._token is not None:
            self._engine.disconnect(self._token)
        self._engine = self._token = None

    # --- engine ---------------------------------------------------------------------------------

    def _get_engine(self) -> Any:
        if self._engine is None:
            engine = _engine_or_error()
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
        if sys.platform.startswith("linux"):
            for wanted in PREFERRED_LINUX_VOICES:
                if wanted in ids:
                    return ids[wanted]
        return None  # the driver's own default

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

    # --- the Linux espeak path: synthesise to a WAV, then play it ------------------------------

    def _say_espeak(self, engine: Any, text: str) -> None:
        if self.say_to is not None:
            path = self._next_path()
            self._synth(engine, text, path)
            self._play(path)
            return
        with tempfile.TemporaryDirectory(prefix="tts-") as tmp:
            path = Path(tmp) / "line.wav"
            self._synth(engine, text, path)
            self._play(path)

    def _synth(self, engine: Any, text: str, path: Path) -> None:
        timeout_s = SYNTH_TIMEOUT_S + SYNTH_TIMEOUT_PER_CHAR_S * len(text)
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
        espeak_ng_wav(
            text,
            path,
            rate=self.rate,
            voice=self._voice_id,
            volume=self.volume,
            timeout_s=timeout_s,
        )
        log.info("line made with espeak-ng after %d empty tries: %r", SYNTH_ATTEMPTS, text)

    def _play(self, path: Path) -> None:
        if not self._checked_output:
            self._checked_output = True
            if shutil.which("aplay") is None:
                raise speech_error("aplay (alsa-utils) is not installed")
        timeout_s = wav_seconds(path) + PLAY_MARGIN_S
        started = time.monotonic()
        try:
            done = subprocess.run(
                ["aplay", "-q", str(path)],
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise speech_error(f"audio playback did not finish within {timeout_s:.0f} s") from error
        if done.returncode != 0:
            raise speech_error(f"no audio output: {last_stderr_line(done)}")
        log.debug("spoke %.2f s of audio in %.2f s", wav_seconds(path), time.monotonic() - started)

    # --- other drivers: speak directly, and save a copy if asked -------------------------------

    def _say_direct(self, engine: Any, text: str) -> None:
        if self.say_to is not None:
            engine.save_to_file(text, str(self._next_path()))
            self._run(SYNTH_TIMEOUT_S + SYNTH_TIMEOUT_PER_CHAR_S * len(text), "saving speech")
        engine.say(text)
        self._run(SPEAK_TIMEOUT_S + SPEAK_TIMEOUT_PER_CHAR_S * len(text), "speaking")

    def _next_path(self) -> Path:
        assert self.say_to is not None
        self.say_to.mkdir(parents=True, exist_ok=True)
        self.lines_saved += 1
        return self.say_to / f"{self.lines_saved:04d}.wav"


def _clamp(rate: int) -> int:
    return max(MIN_RATE, min(MAX_RATE, int(rate)))
