"""Whole-program measurements in child processes: session replays, start-up and peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus import ROOT, SessionCase
from memory import peak_rss_mb


@dataclass(frozen=True)
class Child:
    """How one child process ended: exit code, wall seconds, peak resident memory, its output."""

    code: int
    seconds: float
    max_rss_mb: float
    stdout: str
    stderr: str


def run_child(
    argv: Sequence[str], env: dict[str, str] | None = None, timeout: float = 300.0
) -> Child:
    """Run argv to the end; its peak RSS is read from /proc while it runs (see memory.py)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=ROOT)
        deadline = start + timeout
        peak = 0.0
        while True:
            # Until it is reaped, /proc still describes it (a zombie has no memory map: None).
            peak = max(peak, peak_rss_mb(proc.pid) or 0.0)
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, _ = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Child(
            proc.returncode,
            seconds,
            peak,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


def assistant_argv(engine: str, vosk_model: Path | None) -> list[str]:
    """The command line that starts the assistant with one engine."""
    argv = [sys.executable, "-m", "assistant", "--engine", engine]
    if vosk_model is not None:
        argv += ["--vosk-model", str(vosk_model)]
    return argv


def replay_session(case: SessionCase, engine: str, vosk_model: Path | None) -> dict[str, Any]:
    """Replay one session folder (captions only); disposition, turns, wall time and peak RSS."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        record_path = Path(tmp) / "record.json"
        child = run_child(
            [
                *assistant_argv(engine, vosk_model),
                "--replay",
                str(case.folder),
                "--mute",
                "--json",
                str(record_path),
            ]
        )
        record: dict[str, Any] = {}
        if record_path.is_file():
            record = json.loads(record_path.read_text(encoding="utf-8"))
    turns = record.get("turns", [])
    return {
        "session": case.name,
        "engine": engine,
        "expected": case.disposition,
        "disposition": record.get("disposition"),
        "right": record.get("disposition") == case.disposition,
        "turns": len(turns),
        "answers_given": case.answers,
        "heard": [t.get("heard") for t in turns],
        "exit_code": child.code,
        "seconds": round(child.seconds, 2),
        "max_rss_mb": round(child.max_rss_mb, 1),
        "error": child.stderr.strip().splitlines()[-1] if child.code else "",
    }


# --- start-up: process start to the first sound in the speaker ----------------------------------


class _SoundWatch:
    """Listens to a PulseAudio source live and notes when it first gets loud (perf_counter time).

    A WAV recorded by parecord cannot be placed on the clock reliably (buffered samples before the
    process start and after the stop made the earlier measure negative); here each 10 ms block is
    timed as it arrives, so the error is at most the requested latency. Sound is only counted
    after `arm()`, and `arm()` first waits for the source to be quiet (the previous run's speech
    can still be draining).
    """

    def __init__(self, env: dict[str, str], device: str, threshold: int = 300) -> None:
        import threading  # noqa: PLC0415

        self.onset: float | None = None
        self._armed_at: float | None = None
        self._last_loud = time.perf_counter()
        self._threshold = threshold
        self._proc = subprocess.Popen(
            ["parec", f"--device={device}", "--rate=16000", "--channels=1", "--format=s16le",
             "--latency-msec=10"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def arm(self, quiet_s: float = 0.5, timeout_s: float = 30.0) -> float:
        """Wait for `quiet_s` of quiet, then start counting; returns the arming time."""
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() - self._last_loud < quiet_s and time.perf_counter() < deadline:
            time.sleep(0.05)
        self._armed_at = time.perf_counter()
        return self._armed_at

    def _read(self) -> None:
        import array  # noqa: PLC0415

        assert self._proc.stdout is not None
        block = 320  # 10 ms of 16 kHz 16-bit mono
        while self.onset is None:
            data = self._proc.stdout.read(block)
            if len(data) < block:
                return
            samples = array.array("h", data)
            if (sum(s * s for s in samples) / len(samples)) ** 0.5 > self._threshold:
                now = time.perf_counter()
                self._last_loud = now
                if self._armed_at is not None and now > self._armed_at:
                    self.onset = now

    def stop(self) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=5)
        self._thread.join(timeout=5)


def startup(
    engine: str, vosk_model: Path | None, session: Path, runs: int, listen_s: float = 2.0
) -> dict[str, Any]:
    """Start the assistant (speech on) in a private PulseAudio and listen to its speaker.

    Measured per run: process start to the first caption line on stdout, and process start to
    the first sound on the speaker sink's monitor, timed live as it arrives. The process is
    stopped (SIGTERM) `listen_s` after its first caption: only the start is of interest here.
    Its peak RSS is reported too.
    """
    sys.path.insert(0, str(ROOT))
    from tests.audio_stack import SPEAKER_SINK, PulseStack  # noqa: PLC0415 - the test harness

    reason = PulseStack.available()
    if reason is not None:
        return {"engine": engine, "error": f"no private PulseAudio: {reason}"}
    stack = PulseStack()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        try:
            env = stack.start(Path(tmp) / "pulse")
            for _ in range(runs):
                rows.append(
                    _one_start(
                        env=env,
                        speaker=f"{SPEAKER_SINK}.monitor",
                        engine=engine,
                        vosk_model=vosk_model,
                        session=session,
                        listen_s=listen_s,
                    )
                )
        finally:
            stack.stop()
    return {"engine": engine, "runs": rows}


def _one_start(
    *,
    env: dict[str, str],
    speaker: str,
    engine: str,
    vosk_model: Path | None,
    session: Path,
    listen_s: float,
) -> dict[str, Any]:
    watch = _SoundWatch(env, speaker)
    argv = [*assistant_argv(engine, vosk_model), "--replay", str(session), "--json", os.devnull]
    start = watch.arm()
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True
    )
    assert proc.stdout is not None
    first_line = proc.stdout.readline()
    caption_s = time.perf_counter() - start if first_line else None
    time.sleep(listen_s)
    peak = peak_rss_mb(proc.pid)
    proc.terminate()
    os.wait4(proc.pid, 0)
    proc.returncode = 0
    proc.stdout.close()
    if proc.stderr is not None:
        proc.stderr.close()
    watch.stop()
    sound_s = None if watch.onset is None else watch.onset - start
    return {
        "first_caption_s": None if caption_s is None else round(caption_s, 3),
        "first_sound_s": None if sound_s is None else round(sound_s, 3),
        "first_line": first_line.strip(),
        "max_rss_mb": None if peak is None else round(peak, 1),
    }
