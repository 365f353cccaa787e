"""Line WAVs for speech out: how long one is, and making one with the espeak-ng program."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

from assistant.core.errors import SpeechOutputError


def speech_error(detail: str) -> SpeechOutputError:
    """The error for any failure of speech out; `detail` says what failed."""
    return SpeechOutputError("error_speech_output", detail=detail)


def last_stderr_line(done: subprocess.CompletedProcess[str]) -> str:
    """What a finished program said last on stderr, or its exit status."""
    return (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]


def wav_seconds(path: Path) -> float:
    """Length of a WAV in seconds; 0.0 when it is missing, cut short or not a WAV."""
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / float(wav.getframerate() or 1)
    except (OSError, EOFError, wave.Error):
        return 0.0


def espeak_ng_wav(
    text: str, path: Path, *, rate: int, voice: str | None, volume: float | None, timeout_s: float
) -> None:
    """Write `text` spoken by the `espeak-ng` program to `path`, as pyttsx3's driver would.

    Raises SpeechOutputError when the program is missing, fails, hangs or writes no sound.
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
    try:
        done = subprocess.run(
            command, input=text, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise speech_error(f"espeak-ng did not finish within {timeout_s:.0f} s") from error
    if done.returncode != 0 or wav_seconds(path) <= 0:
        last = last_stderr_line(done)
        raise speech_error(f"speech synthesis produced no sound for {text!r} ({last})")
