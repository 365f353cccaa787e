"""Line WAVs for speech out: reading, checking and joining them, and the espeak-ng program."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.core.errors import SpeechOutputError

PREFERRED_LINUX_VOICES = ("gmw/en-us", "en-us")
"""espeak-ng voice ids tried first on Linux (American English is recognised best)."""
SYNTH_TIMEOUT_S, SYNTH_TIMEOUT_PER_CHAR_S = 5.0, 0.05
"""Synthesis to a file runs far faster than real time; past this something is stuck."""
NICE = 10
"""Priority given to lines made in the background, so listening and decoding come first."""
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(A-Z0-9])")


def speech_error(detail: str) -> SpeechOutputError:
    """The error for any failure of speech out; `detail` says what failed."""
    return SpeechOutputError("error_speech_output", detail=detail)


def last_stderr_line(done: subprocess.CompletedProcess[str]) -> str:
    """What a finished program said last on stderr, or its exit status."""
    return (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]


@dataclass(frozen=True)
class LineAudio:
    """A line's sound: 16-bit PCM samples and their format."""

    pcm: bytes
    rate: int
    channels: int = 1
    width: int = 2

    @property
    def seconds(self) -> float:
        """How long it plays."""
        return len(self.pcm) / float(self.rate * self.channels * self.width)

    def then(self, more: LineAudio) -> LineAudio:
        """The sound followed by `more` (same format, or SpeechOutputError)."""
        if (more.rate, more.channels, more.width) != (self.rate, self.channels, self.width):
            raise speech_error("the parts of a line were made in different audio formats")
        return LineAudio(self.pcm + more.pcm, self.rate, self.channels, self.width)


def synth_timeout(text: str) -> float:
    """Seconds after which making `text` into a WAV counts as stuck."""
    return SYNTH_TIMEOUT_S + SYNTH_TIMEOUT_PER_CHAR_S * len(text)


def wav_seconds(path: Path) -> float:
    """Length of a WAV in seconds; 0.0 when it is missing, cut short or not a WAV."""
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / float(wav.getframerate() or 1)
    except (OSError, EOFError, wave.Error):
        return 0.0


def wav_is_whole(path: Path) -> bool:
    """The file is a 16-bit WAV with sound, and holds every sample its header promises."""
    try:
        with path.open("rb") as file, wave.open(file, "rb") as wav:
            data_starts = file.tell()  # wave stops reading at the start of the samples
            size = wav.getnframes() * wav.getnchannels() * wav.getsampwidth()
            usable = wav.getsampwidth() == 2 and wav.getnframes() > 0
        return usable and path.stat().st_size >= data_starts + size
    except (OSError, EOFError, wave.Error):
        return False


def read_line(path: Path) -> LineAudio | None:
    """A line's sound from a 16-bit WAV; None when it is missing, empty, cut short or not one."""
    try:
        with wave.open(str(path), "rb") as wav:
            frames, width, channels = wav.getnframes(), wav.getsampwidth(), wav.getnchannels()
            pcm = wav.readframes(frames)
            rate = wav.getframerate()
    except (OSError, EOFError, wave.Error):
        return None
    if width != 2 or frames == 0 or len(pcm) != frames * width * channels:
        return None
    return LineAudio(pcm, rate, channels, width)


def write_line(path: Path, audio: LineAudio) -> None:
    """Write a line's sound as a WAV."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(audio.channels)
        wav.setsampwidth(audio.width)
        wav.setframerate(audio.rate)
        wav.writeframes(audio.pcm)


def first_sentence(text: str) -> tuple[str, str]:
    """The text's first sentence and the rest ("" when it is one sentence)."""
    first, _, rest = _SENTENCE_END.sub("\n", text.strip(), count=1).partition("\n")
    return first, rest


def espeak_ng_wav(
    text: str,
    path: Path,
    *,
    rate: int,
    voice: str | None,
    volume: float | None,
    timeout_s: float,
    background: bool = False,
) -> None:
    """Write `text` spoken by the `espeak-ng` program to `path`, as pyttsx3's driver would.

    With `background` it runs at a lower priority (`nice`). Raises SpeechOutputError when the
    program is missing, fails, hangs or writes no sound.
    """
    program = shutil.which("espeak-ng")
    if program is None:
        raise speech_error(
            f"speech synthesis produced no sound for {text!r} (espeak-ng is not installed)"
        )
    command = [program, "-s", str(rate), "-w", str(path), "--stdin"]
    if voice is not None:
        command[1:1] = ["-v", voice]
    if volume is not None:
        command[1:1] = ["-a", str(round(max(0.0, min(1.0, volume)) * 100))]
    nice = shutil.which("nice") if background else None
    if nice is not None:
        command[:0] = [nice, "-n", str(NICE)]
    try:
        done = subprocess.run(
            command, input=text, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise speech_error(f"espeak-ng did not finish within {timeout_s:.0f} s") from error
    if done.returncode != 0 or wav_seconds(path) <= 0:
        last = last_stderr_line(done)
        raise speech_error(f"speech synthesis produced no sound for {text!r} ({last})")


@functools.cache
def espeak_ng_identity() -> str | None:
    """The espeak-ng program's version and its voice data's size and time; None without it.

    Lines made by another version, or with other voice data, may sound different.
    """
    program = shutil.which("espeak-ng")
    if program is None:
        return None
    try:
        done = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = " ".join(done.stdout.split())
    data = version.partition("Data at: ")[2]
    try:
        phondata = (Path(data) / "phondata").stat()
    except OSError:
        return version or None
    return f"{version} phondata {phondata.st_size} {phondata.st_mtime_ns}"


@functools.cache
def espeak_ng_voices() -> tuple[str, ...]:
    """The ids of the espeak-ng program's voices (lower case, as pyttsx3 lists them)."""
    program = shutil.which("espeak-ng")
    if program is None:
        return ()
    try:
        done = subprocess.run(
            [program, "--voices"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ()
    rows = [line.split() for line in done.stdout.splitlines()[1:]]
    return tuple(row[4].lower() for row in rows if len(row) > 4)


def espeak_ng_voice(wanted: str | None, preferred: Sequence[str]) -> str | None:
    """The voice id for `wanted` (None: the first of `preferred` installed, else the default).

    Raises SpeechOutputError for a voice that is not installed.
    """
    ids = espeak_ng_voices()
    if wanted is None:
        return next((v for v in preferred if v in ids), None)
    if wanted.lower() in ids:
        return wanted.lower()
    raise speech_error(f"no voice {wanted!r}; --list-voices shows the installed ones")
