"""A private headless PulseAudio (virtual mic and speaker) for audio tests, and WAV analysis."""

from __future__ import annotations

import array
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

RATE = 16000
MIC_SINK = "mic_feed"
MIC_SOURCE = "mic"
SPEAKER_SINK = "speaker"
TOOLS = ("pulseaudio", "pactl", "paplay", "parecord")

DEFAULT_PA = f"""\
load-module module-native-protocol-unix socket={{socket}} auth-anonymous=1
load-module module-null-sink sink_name={MIC_SINK} rate={RATE} channels=1 norewinds=1
load-module module-null-sink sink_name={SPEAKER_SINK} rate={RATE} channels=1 norewinds=1
load-module module-virtual-source source_name={MIC_SOURCE} master={MIC_SINK}.monitor
set-default-source {MIC_SOURCE}
set-default-sink {SPEAKER_SINK}
"""

CLIENT_CONF = "autospawn = no\n"


class PulseStack:
    """A private PulseAudio: sink `mic_feed` feeds default source `mic`; default sink `speaker`.

    In tests, request the `pulse_stack` fixture (import `pulse_stack_fixture` into the test module,
    or list this module in a root conftest's `pytest_plugins`). By hand:
    ``env = stack.start(tmpdir)``; children get ``env``; the current process's environment is
    left alone (the `pulse_stack` fixture patches ``os.environ`` for in-process clients such as
    PyAudio). ``stop()`` ends only the processes this object started.
    """

    _reason: str | None = None
    _checked = False

    def __init__(self) -> None:
        self.env: dict[str, str] = {}
        self._server: subprocess.Popen[bytes] | None = None
        self._capture: subprocess.Popen[bytes] | None = None
        self._runtime: Path | None = None
        self.log_path: Path | None = None

    @classmethod
    def available(cls) -> str | None:
        """None when a private server starts here, else the reason it cannot (checked once)."""
        if cls._checked:
            return cls._reason
        cls._checked = True
        missing = [tool for tool in TOOLS if shutil.which(tool) is None]
        if missing:
            cls._reason = f"missing tools: {', '.join(missing)}"
            return cls._reason
        probe = cls()
        with tempfile.TemporaryDirectory(prefix="pulse-probe-") as tmp:
            try:
                probe.start(Path(tmp))
            except RuntimeError as error:
                cls._reason = f"PulseAudio cannot start: {error}"
            finally:
                probe.stop()
        return cls._reason

    def start(self, tmpdir: Path, timeout_s: float = 10.0) -> dict[str, str]:
        """Start the server (files in `tmpdir`); return the environment for its clients."""
        tmpdir = Path(tmpdir)
        tmpdir.mkdir(parents=True, exist_ok=True)
        # A unix socket path must stay under ~108 bytes: keep the runtime dir short.
        self._runtime = Path(tempfile.mkdtemp(prefix="pa-", dir="/tmp"))
        socket = self._runtime / "native"
        config = tmpdir / "default.pa"
        config.write_text(DEFAULT_PA.format(socket=socket))
        client_conf = tmpdir / "client.conf"
        client_conf.write_text(CLIENT_CONF)
        self.log_path = tmpdir / "pulseaudio.log"
        env = dict(os.environ)
        env.update(
            {
                "XDG_RUNTIME_DIR": str(self._runtime),
                "PULSE_RUNTIME_PATH": str(self._runtime),
                "PULSE_STATE_PATH": str(tmpdir / "state"),
                "PULSE_SERVER": f"unix:{socket}",
                "PULSE_CLIENTCONFIG": str(client_conf),
            }
        )
        env.pop("PULSE_SINK", None)
        env.pop("PULSE_SOURCE", None)
        self.env = env
        with self.log_path.open("wb") as log:
            self._server = subprocess.Popen(
                [
                    "pulseaudio",
                    "--daemonize=no",
                    "-n",
                    "-F",
                    str(config),
                    "--exit-idle-time=-1",
                    "--use-pid-file=no",
                    "--disallow-exit",
                    "--log-target=stderr",
                ],
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._server.poll() is not None:
                raise RuntimeError(f"pulseaudio exited: {self._log_tail()}")
            if self._ready():
                return dict(env)
            time.sleep(0.1)
        raise RuntimeError(f"pulseaudio not ready after {timeout_s}s: {self._log_tail()}")

    def _ready(self) -> bool:
        probe = subprocess.run(
            ["pactl", "info"], env=self.env, capture_output=True, text=True, timeout=5, check=False
        )
        return probe.returncode == 0 and f"Default Source: {MIC_SOURCE}" in probe.stdout

    def _log_tail(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        lines = self.log_path.read_text(errors="replace").strip().splitlines()
        return " | ".join(lines[-3:]) or "(empty log)"

    def play_into_mic(self, wav_path: Path, timeout_s: float = 60.0) -> None:
        """Play a WAV into the virtual microphone; return once it has been played."""
        subprocess.run(
            ["paplay", f"--device={MIC_SINK}", str(wav_path)],
            env=self.env,
            check=True,
            timeout=timeout_s,
            capture_output=True,
        )

    def start_capture(self, path: Path, device: str = f"{SPEAKER_SINK}.monitor") -> None:
        """Start recording `device` (by default what the assistant says) to a WAV at `path`."""
        if self._capture is not None:
            raise RuntimeError("a capture is already running")
        self._capture = subprocess.Popen(
            [
                "parecord",
                f"--device={device}",
                f"--rate={RATE}",
                "--channels=1",
                "--format=s16le",
                "--file-format=wav",
                "--latency-msec=20",
                str(path),
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        # parecord needs a moment to connect; the first samples would be lost otherwise.
        time.sleep(0.3)

    def stop_capture(self, tail_s: float = 0.3) -> None:
        """Stop the recording after `tail_s` more seconds; the WAV header is then complete."""
        capture, self._capture = self._capture, None
        if capture is None:
            return
        time.sleep(tail_s)
        capture.send_signal(signal.SIGINT)
        try:
            capture.wait(timeout=5)
        except subprocess.TimeoutExpired:
            capture.kill()
            capture.wait()

    def stop(self) -> None:
        """Stop the capture and the server started here (nothing else); remove the runtime dir."""
        self.stop_capture(tail_s=0)
        server, self._server = self._server, None
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if self._runtime is not None:
            shutil.rmtree(self._runtime, ignore_errors=True)
            self._runtime = None


@pytest.fixture(name="pulse_stack")
def pulse_stack_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PulseStack]:
    """A running private PulseAudio; os.environ points at it for the test; skipped if impossible."""
    reason = PulseStack.available()
    if reason is not None:
        pytest.skip(reason)
    stack = PulseStack()
    try:
        env = stack.start(tmp_path / "pulse")
    except RuntimeError as error:
        stack.stop()
        pytest.skip(f"PulseAudio cannot start: {error}")
    for name in ("XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "PULSE_STATE_PATH", "PULSE_SERVER"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.setenv("PULSE_CLIENTCONFIG", env["PULSE_CLIENTCONFIG"])
    monkeypatch.delenv("PULSE_SINK", raising=False)
    monkeypatch.delenv("PULSE_SOURCE", raising=False)
    try:
        yield stack
    finally:
        stack.stop()


# --- analysis -----------------------------------------------------------------------------------


def read_mono16(wav_path: Path) -> tuple[array.array[int], int]:
    """Samples (first channel) and sample rate of a 16-bit PCM WAV."""
    with wave.open(str(wav_path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{wav_path}: expected 16-bit PCM, got {8 * wav.getsampwidth()}-bit")
        channels, rate = wav.getnchannels(), wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    samples = array.array("h")
    samples.frombytes(frames)
    if sys.byteorder == "big":
        samples.byteswap()
    if channels > 1:
        samples = samples[::channels]
    return samples, rate


def _db(sum_squares: float, count: int) -> float:
    if count == 0 or sum_squares <= 0:
        return -120.0
    return 20 * math.log10(math.sqrt(sum_squares / count) / 32768)


def rms_db(wav_path: Path) -> float:
    """Level of a whole WAV in dBFS (-120 for silence)."""
    samples, _ = read_mono16(wav_path)
    return _db(math.fsum(s * s for s in samples), len(samples))


def speech_segments(
    wav_path: Path,
    threshold_db: float = -45.0,
    frame_s: float = 0.02,
    min_gap_s: float = 0.35,
    min_len_s: float = 0.1,
) -> list[tuple[float, float, float]]:
    """Stretches of sound: (start_s, end_s, rms_db) where 20 ms frames exceed `threshold_db`.

    Loud frames closer than `min_gap_s` join one segment (pauses between words); segments shorter
    than `min_len_s` (clicks) are dropped.
    """
    samples, rate = read_mono16(wav_path)
    size = max(1, int(rate * frame_s))
    frames = [
        (start, math.fsum(s * s for s in samples[start : start + size]))
        for start in range(0, len(samples) - size + 1, size)
    ]
    loud = [start for start, sq in frames if _db(sq, size) > threshold_db]
    segments: list[tuple[float, float, float]] = []
    first = last = -1

    def close() -> None:
        end = last + size
        if (end - first) / rate >= min_len_s:
            # Level over the whole segment, pauses included.
            total = math.fsum(s * s for s in samples[first:end])
            segments.append((first / rate, end / rate, _db(total, end - first)))

    for start in loud:
        if first >= 0 and (start - (last + size)) / rate < min_gap_s:
            last = start
            continue
        if first >= 0:
            close()
        first = last = start
    if first >= 0:
        close()
    return segments


def write_wav(path: Path, samples: array.array[int], rate: int = RATE) -> None:
    """Write 16-bit mono samples as a WAV."""
    data = samples
    if sys.byteorder == "big":
        data = array.array("h", samples)
        data.byteswap()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(data.tobytes())


def tone(
    seconds: float, freq: float = 440.0, level: float = 0.3, rate: int = RATE
) -> array.array[int]:
    """A sine tone as 16-bit samples."""
    count = int(seconds * rate)
    amp = level * 32767
    return array.array(
        "h", (int(amp * math.sin(2 * math.pi * freq * i / rate)) for i in range(count))
    )


def silence(seconds: float, rate: int = RATE) -> array.array[int]:
    """Digital silence as 16-bit samples."""
    return array.array("h", bytes(2 * int(seconds * rate)))
