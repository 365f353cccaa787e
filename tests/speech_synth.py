"""Test helpers: synthesize speech with espeak-ng and make noise clips with sox, as 16 kHz PCM."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import wave
from pathlib import Path

from assistant.core.ports import Audio

RATE = 16000


def tools_missing() -> str | None:
    """Return why synthesis cannot run here (a reason for pytest.skip), or None."""
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install {tool})"
    return None


def read_wav(path: Path) -> Audio:
    """Read a 16-bit mono WAV file into Audio (no resampling: the file must already be mono)."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise ValueError(f"{path}: need 16-bit mono, got {w.getparams()}")
        return Audio(pcm=w.readframes(w.getnframes()), sample_rate=w.getframerate())


def _to_16k(src: Path, dst: Path) -> None:
    subprocess.run(
        ["sox", str(src), "-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed-integer", str(dst)],
        check=True,
        capture_output=True,
    )


def _key(*parts: str) -> str:
    return hashlib.sha1("\0".join(parts).encode(), usedforsecurity=False).hexdigest()[:16]


def speak(text: str, cache: Path, voice: str = "en-us", speed: int = 150) -> Audio:
    """Speak `text` with espeak-ng and return it as 16 kHz mono 16-bit audio (cached in `cache`)."""
    out = cache / f"tts_{_key(voice, str(speed), text)}.wav"
    if not out.exists():
        raw = cache / f"raw_{out.name}"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text],
            check=True,
            capture_output=True,
        )
        _to_16k(raw, out)
    return read_wav(out)


def sox_synth(name: str, cache: Path, *effects: str) -> Audio:
    """Make a clip with `sox -n OUT EFFECTS...` (noise, a cough-like burst), cached in `cache`."""
    out = cache / f"sox_{name}_{_key(*effects)}.wav"
    if not out.exists():
        subprocess.run(
            ["sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(out), *effects],
            check=True,
            capture_output=True,
        )
    return read_wav(out)


def white_noise(cache: Path) -> Audio:
    """One second of loud white noise."""
    return sox_synth("noise", cache, "synth", "1", "whitenoise", "vol", "0.3")


def cough(cache: Path) -> Audio:
    """A short cough-like burst: brown noise with a fast attack and decay, padded with silence."""
    return sox_synth(
        "cough", cache, "synth", "0.25", "brownnoise", "fade", "q", "0.01", "0.25", "0.15",
        "pad", "0.3", "0.3",
    )  # fmt: skip


def silence(seconds: float = 1.0) -> Audio:
    """Digital silence."""
    return Audio(pcm=b"\0\0" * int(RATE * seconds), sample_rate=RATE)
