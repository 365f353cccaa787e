"""Bad input through the command line: one clear line on stderr, the documented exit code, no
traceback, and the --json record still written. Files that can be converted are converted."""

from __future__ import annotations

import json
import os
import random
import shutil
import struct
import subprocess
import sys
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("pocketsphinx", reason="the embedded recogniser is not installed")
AUDIO_INPUT, ENGINE = 4, 5


def run(
    args: list[str], cwd: Path, timeout: float = 120
) -> tuple[subprocess.CompletedProcess[str], dict]:
    rec = cwd / "record.json"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant",
            "--mute",
            "--engine",
            "sphinx",
            "--json",
            str(rec),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=cwd,
    )
    assert "Traceback" not in out.stderr, out.stderr
    return out, json.loads(rec.read_text())


@pytest.fixture(scope="module")
def yes_pcm(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[float], int]:
    """A spoken "yes" as float samples at 22,050 Hz (espeak-ng's own rate)."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    path = tmp_path_factory.mktemp("yes") / "yes.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), "yes"], check=True)
    with wave.open(str(path)) as w:
        raw, rate = w.readframes(w.getnframes()), w.getframerate()
    samples = [s / 32768 for s in struct.unpack(f"<{len(raw) // 2}h", raw)]
    pad = [0.0] * (rate // 2)
    return pad + samples + pad, rate


def resample(samples: list[float], src: int, dst: int) -> list[float]:
    n = int(len(samples) * dst / src)
    return [samples[min(len(samples) - 1, int(i * src / dst))] for i in range(n)]


def write_wav(
    path: Path,
    samples: list[float],
    rate: int,
    *,
    channels: int = 1,
    width: int = 2,
    fmt: str = "pcm",
    gain: float = 1.0,
) -> Path:
    frames = bytearray()
    for s in samples:
        v = max(-1.0, min(1.0, s * gain))
        if fmt == "float":
            one = struct.pack("<f", v)
        elif width == 1:
            one = struct.pack("<B", int(v * 127 + 128))
        elif width == 3:
            one = int(v * 8388607).to_bytes(3, "little", signed=True)
        else:
            one = struct.pack("<h", int(v * 32767))
        frames += one * channels
    block = channels * (4 if fmt == "float" else width)
    fmt_chunk = struct.pack(
        "<HHIIHH",
        3 if fmt == "float" else 1,
        channels,
        rate,
        rate * block,
        block,
        8 * (4 if fmt == "float" else width),
    )
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_chunk)) + fmt_chunk
    body += b"data" + struct.pack("<I", len(frames)) + bytes(frames)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


Maker = Callable[[Path, tuple[list[float], int]], Path]
CONVERTIBLE: dict[str, Maker] = {
    "8-bit": lambda d, y: write_wav(d / "a.wav", resample(y[0], y[1], 16000), 16000, width=1),
    "24-bit": lambda d, y: write_wav(d / "a.wav", resample(y[0], y[1], 16000), 16000, width=3),
    "32-bit float": lambda d, y: write_wav(
        d / "a.wav", resample(y[0], y[1], 16000), 16000, fmt="float"
    ),
    "8 kHz": lambda d, y: write_wav(d / "a.wav", resample(y[0], y[1], 8000), 8000),
    "44.1 kHz": lambda d, y: write_wav(d / "a.wav", resample(y[0], y[1], 44100), 44100),
    "48 kHz": lambda d, y: write_wav(d / "a.wav", resample(y[0], y[1], 48000), 48000),
    "stereo": lambda d, y: write_wav(d / "a.wav", resample(y[0], y[1], 16000), 16000, channels=2),
    "6-channel": lambda d, y: write_wav(
        d / "a.wav", resample(y[0], y[1], 48000), 48000, channels=6
    ),
    "spaces and non-ASCII name": lambda d, y: write_wav(
        d / "réponse oui ü.wav", resample(y[0], y[1], 16000), 16000
    ),
}


@pytest.mark.parametrize("case", list(CONVERTIBLE), ids=list(CONVERTIBLE))
def test_convertible_formats_are_heard(
    tmp_path: Path, yes_pcm: tuple[list[float], int], case: str
) -> None:
    path = CONVERTIBLE[case](tmp_path, yes_pcm)
    out, record = run(["--replay", str(path)], tmp_path)
    assert out.returncode == 0, out.stderr
    assert record["turns"][0]["question"] == "bladder"
    assert record["turns"][0]["intent"] == "yes", record["turns"]
    assert record["disposition"] == "emergency"


def test_clipped_audio_is_processed_and_never_taken_as_no(
    tmp_path: Path, yes_pcm: tuple[list[float], int]
) -> None:
    """A "yes" driven 18 dB into clipping: decoded without error; too distorted may mean
    "not understood" (asked again), but never "no"."""
    path = write_wav(tmp_path / "a.wav", resample(yes_pcm[0], yes_pcm[1], 16000), 16000, gain=8.0)
    out, record = run(["--replay", str(path)], tmp_path)
    assert out.returncode == 0, out.stderr
    assert record["turns"][0]["intent"] in ("yes", "not_understood"), record["turns"]


def _long(tmp_path: Path, loud: bool) -> Path:
    rng = random.Random(7)
    path = tmp_path / "long.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        chunk = (
            b"".join(struct.pack("<h", rng.randint(-20000, 20000)) for _ in range(16000))
            if loud
            else b"\x00\x00" * 16000
        )
        for _ in range(600):
            w.writeframes(chunk)
    return path


@pytest.mark.parametrize(
    "loud", [False, True], ids=["10 minutes of silence", "10 minutes of loud noise"]
)
def test_ten_minutes_of_silence_or_noise_is_one_unanswered_turn(tmp_path: Path, loud: bool) -> None:
    out, record = run(["--replay", str(_long(tmp_path, loud))], tmp_path)
    assert out.returncode == 0, out.stderr
    assert [t["intent"] for t in record["turns"]] == ["not_understood" if loud else "silence"]
    assert record["disposition"] is None and record["completed"] is False
    assert "Watch for these warning signs" in out.stdout


BAD: dict[str, Callable[[Path], Path]] = {
    "empty file": lambda d: _bytes(d / "a.wav", b""),
    "header only": lambda d: _bytes(d / "a.wav", _header(1000)),
    "truncated WAV": lambda d: _bytes(d / "a.wav", _header(64000) + b"\x01\x00" * 500),
    "random bytes named .wav": lambda d: _bytes(d / "a.wav", random.Random(1).randbytes(5000)),
    "MP3 named .wav": lambda d: _bytes(
        d / "a.wav", b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb" * 900
    ),
    "OGG named .wav": lambda d: _bytes(d / "a.wav", b"OggS\x00\x02" + b"\x00" * 2000),
    "a path that does not exist": lambda d: d / "nowhere.wav",
    "a directory with no audio": lambda d: _folder(d / "empty"),
}


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    (path / "notes.txt").write_text("no audio here")
    return path


def _header(data_bytes: int) -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, 16000, 32000, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", data_bytes)
    )


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_files_fail_clearly_and_keep_the_record(tmp_path: Path, case: str) -> None:
    path = BAD[case](tmp_path)
    out, record = run(["--replay", str(path)], tmp_path)
    assert out.returncode == AUDIO_INPUT
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and path.name in lines[0], out.stderr
    assert record["disposition"] is None and record["turns"] == []


def test_a_file_without_read_permission(tmp_path: Path, yes_pcm: tuple[list[float], int]) -> None:
    path = CONVERTIBLE["8 kHz"](tmp_path, yes_pcm)
    path.chmod(0)
    cmd = [sys.executable, "-m", "assistant", "--mute", "--engine", "sphinx", "--replay", str(path)]
    if os.geteuid() == 0:  # root reads any file: run as an ordinary user instead
        if shutil.which("setpriv") is None:
            pytest.skip("running as root and setpriv is missing, so the file stays readable")
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        tmp_path.chmod(0o755)
    out = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert out.returncode == AUDIO_INPUT, out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("make", ["missing", "empty", "corrupt"])
def test_a_broken_vosk_model_falls_back_to_the_next_engine_and_says_so(
    tmp_path: Path, yes_pcm: tuple[list[float], int], make: str
) -> None:
    model = tmp_path / "model"
    if make != "missing":
        model.mkdir()
    if make == "corrupt":
        for sub in ("am", "conf", "graph"):
            (model / sub).mkdir()
        (model / "am" / "final.mdl").write_bytes(b"\x00garbage" * 100)
        (model / "conf" / "model.conf").write_text("--nonsense\n")
    wav = CONVERTIBLE["8 kHz"](tmp_path, yes_pcm)
    rec = tmp_path / "r.json"
    args = ["--mute", "--json", str(rec), "--replay", str(wav), "--vosk-model", str(model)]
    auto = subprocess.run(
        [sys.executable, "-m", "assistant", "--engine", "auto", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert auto.returncode == 0, auto.stderr
    assert "The Vosk model could not be used" in auto.stdout
    assert json.loads(rec.read_text())["disposition"] == "emergency"
    strict = subprocess.run(
        [sys.executable, "-m", "assistant", "--engine", "vosk", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert strict.returncode == ENGINE
    assert len(strict.stderr.strip().splitlines()) == 1 and "Traceback" not in strict.stderr
