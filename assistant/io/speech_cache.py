"""The speech cache: WAVs of the assistant's own fixed lines, kept so they can be said at once.

It holds only the assistant's voice saying lines from intents/ that are the same for everyone
(the questions, help, advice): never the person's audio, and never a line made from their
answers. Each file is named by a hash of the words, the rate, the voice, the volume and the
synthesiser's identity, so a change to any of them is a miss, never a wrong line. Files are
written whole (a temporary file, then a rename); a file that is empty, cut short or not a WAV
is a miss and is made again. Lines unused for `KEEP_DAYS` are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant.io.speech_wav import LineAudio, read_line, wav_is_whole, write_line

log = logging.getLogger(__name__)

FORMAT = "speech-cache 1"
"""Part of every key: changing how lines are made or stored makes every old file a miss."""
KEEP_DAYS = 30
"""A cached line not used for this many days is removed."""
STALE_TEMP_S = 60.0
"""A temporary file this old was left by a run that stopped while making a line."""


@dataclass(frozen=True)
class VoiceSettings:
    """How a line is spoken: everything besides its words that changes its sound."""

    rate: int
    """Words per minute."""
    voice: str | None
    """The voice id as chosen (None: the default choice, fixed by the synthesiser's identity)."""
    volume: float | None
    """0.0 to 1.0 (None: full volume, the synthesiser's default)."""

    def key_part(self) -> str:
        """The settings as they go into a cache key (equal sounds, equal text)."""
        volume = 1.0 if self.volume is None else max(0.0, min(1.0, self.volume))
        return f"{(self.voice or 'default').lower()}\0{self.rate}\0{round(volume * 100)}"


def default_folder(env: Mapping[str, str]) -> Path | None:
    """$XDG_CACHE_HOME/back-assistant/speech, else ~/.cache/...; None without a home folder."""
    base = env.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError as error:  # no HOME and no password entry
            log.info("speech cache kept for this run only: %s", error)
            return None
    return Path(base) / "back-assistant" / "speech"


class SpeechCache:
    """Line WAVs in one folder, one file per line and voice, keyed by `key`."""

    def __init__(
        self,
        folder: Path,
        identity: str,
        lasts: bool = True,
        holder: tempfile.TemporaryDirectory[str] | None = None,
    ) -> None:
        self.folder = folder
        self.identity = identity
        self.lasts = lasts
        """False: a temporary folder, removed when the program ends."""
        self._holder = holder  # keeps a temporary folder alive as long as the cache

    def key(self, text: str, settings: VoiceSettings) -> str:
        """The line's file name (without .wav): a hash of everything that changes its sound."""
        raw = "\0".join((FORMAT, self.identity, settings.key_part(), text))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]

    def path(self, key: str) -> Path:
        """Where the line with this key is kept."""
        return self.folder / f"{key}.wav"

    def has(self, key: str) -> bool:
        """The line is here and whole (its file is not read, only its header and size)."""
        return wav_is_whole(self.path(key))

    def load(self, key: str) -> LineAudio | None:
        """The line's sound, or None (missing, empty, cut short or not a WAV: a miss)."""
        return read_line(self.path(key))

    def keep(self, key: str, audio: LineAudio) -> None:
        """Store a line made elsewhere (written whole, then renamed into place)."""
        self.make(key, lambda path: write_line(path, audio))

    def make(self, key: str, write: Callable[[Path], None]) -> bool:
        """Have `write` make the line into a temporary file, then put it in place if it is whole.

        Returns whether the line is now in the cache; `write`'s own errors pass through.
        """
        fd, name = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=self.folder)
        os.close(fd)
        temp = Path(name)
        try:
            write(temp)
            if not wav_is_whole(temp):
                return False
            os.chmod(temp, 0o600)
            os.replace(temp, self.path(key))
            return True
        finally:
            with contextlib.suppress(OSError):
                temp.unlink()

    def touch(self, key: str) -> None:
        """Note that the line is still in use (it is kept KEEP_DAYS from now)."""
        with contextlib.suppress(OSError):
            os.utime(self.path(key))

    def sweep(self, now: float | None = None) -> int:
        """Remove lines unused for KEEP_DAYS and temporary files left behind; how many went."""
        now = time.time() if now is None else now
        removed = 0
        with contextlib.suppress(OSError), os.scandir(self.folder) as entries:
            for entry in entries:
                age = now - entry.stat().st_mtime
                old_line = entry.name.endswith(".wav") and age > KEEP_DAYS * 86400
                if old_line or (entry.name.endswith(".tmp") and age > STALE_TEMP_S):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                        removed += 1
        return removed


def open_cache(folder: Path | None, identity: str | None) -> SpeechCache | None:
    """The cache in `folder` (None: a temporary one for this run only); None if impossible.

    A folder that cannot be made or written (a read-only or missing home) falls back to a
    temporary one, with one log line. Without a synthesiser identity nothing can be kept.
    """
    if identity is None:
        log.info("speech cache off: the espeak-ng program is not installed")
        return None
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-", suffix=".tmp"):
                pass
            return SpeechCache(folder, identity)
        except OSError as error:
            log.info("speech cache %s not usable (%s); lines kept for this run", folder, error)
    try:
        holder = tempfile.TemporaryDirectory(prefix="back-assistant-speech-")
    except OSError as error:
        log.info("speech cache off: no temporary folder (%s)", error)
        return None
    return SpeechCache(Path(holder.name), identity, lasts=False, holder=holder)
