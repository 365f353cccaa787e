"""Soak: many --wake sessions back to back in ONE process (replay path); resident memory stays flat.

    .venv/bin/python bench/soak.py                      # 200 "soon" sessions, sample every 10
    .venv/bin/python bench/soak.py --sessions 30 --every 5 --report out.json

It speaks the wake phrase with espeak-ng (en-us, 150 wpm, 16 kHz mono), lays out a folder of
symlinks "wake, the session's answers" repeated N times (plus one last non-wake answer, so the
process is still alive when the last session's RSS is read), and runs
`back-assistant --wake PHRASE --replay FOLDER --mute`. A session is counted each time the wake
prompt is printed again. RSS (psutil if installed, else VmRSS in /proc/<pid>/status) is read
right then. Exit status: 0 flat, 1 grew more than --max-growth-mb from the baseline session to the
last, 3 the run itself failed (exit code, sessions missing, time limit).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SESSIONS = ROOT / "audio_fixtures" / "sessions"
SCRIPT = shutil.which("back-assistant", path=str(Path(sys.executable).parent)) or "back-assistant"
PHRASE = "hello helper"
PROMPT = f"When you want to start, say: {PHRASE}."
EXIT_FLAT, EXIT_GREW, EXIT_FAILED = 0, 1, 3


@dataclass
class Soak:
    """What one soak run saw."""

    sessions: int
    baseline: int
    samples: list[tuple[int, float]] = field(default_factory=list)  # (session, RSS MB)
    seconds: float = 0.0
    returncode: int | None = None
    problems: list[str] = field(default_factory=list)

    def rss_at(self, session: int) -> float | None:
        return next((mb for s, mb in self.samples if s == session), None)

    @property
    def growth_mb(self) -> float | None:
        first, last = self.rss_at(self.baseline), self.rss_at(self.sessions)
        return None if first is None or last is None else last - first

    def as_json(self) -> dict[str, Any]:
        mbs = [mb for _, mb in self.samples]
        return {
            "sessions": self.sessions,
            "baseline": self.baseline,
            "samples": self.samples,
            "first_mb": mbs[0] if mbs else None,
            "last_mb": mbs[-1] if mbs else None,
            "max_mb": max(mbs) if mbs else None,
            "growth_mb": self.growth_mb,
            "seconds": round(self.seconds, 1),
            "returncode": self.returncode,
            "problems": self.problems,
        }


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` in MB (psutil if installed, else /proc)."""
    try:
        import psutil  # noqa: PLC0415 - optional
    except ImportError:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise OSError(f"no VmRSS for {pid}") from None
    return float(psutil.Process(pid).memory_info().rss) / (1024 * 1024)


def wake_wav(folder: Path) -> Path:
    """The wake phrase as 16 kHz mono 16-bit speech with 0.2 s of silence either side."""
    raw, wav = folder / "wake-raw.wav", folder / "wake.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), PHRASE],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(wav), "pad", "0.2", "0.2"],
        check=True,
        capture_output=True,
    )
    return wav


def lay_out(folder: Path, wake: Path, answers: list[Path], sessions: int) -> Path:
    """A folder of symlinks the replay reads in name order: (wake, answers) x sessions, then one
    more answer that is not the wake phrase."""
    clips = folder / "clips"
    clips.mkdir()
    for k in range(sessions):
        (clips / f"{k:05d}-00.wav").symlink_to(wake)
        for j, answer in enumerate(answers, start=1):
            (clips / f"{k:05d}-{j:02d}.wav").symlink_to(answer.resolve())
    (clips / f"{sessions:05d}-00.wav").symlink_to(answers[0].resolve())
    return clips


def _read(stream: Any, lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def run(args: argparse.Namespace) -> Soak:
    """Run the soak and sample RSS every `args.every` sessions (and at the baseline and end)."""
    session = SESSIONS / args.session
    answers = sorted(session.glob("*.wav"))
    if not answers:
        raise SystemExit(f"soak: no answers in {session} (run audio_fixtures/generate.py)")
    soak = Soak(sessions=args.sessions, baseline=args.baseline)
    wanted = {1, args.baseline, args.sessions, *range(args.every, args.sessions + 1, args.every)}
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        clips = lay_out(Path(tmp), wake_wav(Path(tmp)), answers, args.sessions)
        command = [SCRIPT, "--wake", PHRASE, "--replay", str(clips), "--mute"]
        command += ["--engine", args.engine]
        started = time.monotonic()
        errors = Path(tmp) / "stderr.txt"
        with errors.open("w") as stderr_file:  # a file: a full pipe would stall the process
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr_file,
                text=True,
                start_new_session=True,
            )
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_read, args=(process.stdout, lines), daemon=True).start()
        prompts = 0
        try:
            while True:
                left = started + args.time_limit - time.monotonic()
                line = lines.get(timeout=max(left, 0.01))
                if line is None:
                    break
                if line != PROMPT:
                    continue
                prompts += 1
                done = prompts - 1
                if done in wanted:
                    try:
                        soak.samples.append((done, rss_mb(process.pid)))
                    except OSError:
                        soak.problems.append(f"process gone before RSS at session {done}")
                if args.progress and done and done % args.every == 0:
                    print(f"  ... {done} sessions", file=sys.stderr, flush=True)
            process.wait(timeout=max(1.0, started + args.time_limit - time.monotonic()))
        except (queue.Empty, subprocess.TimeoutExpired):
            soak.problems.append(f"not done within {args.time_limit:.0f} s")
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)  # only the group started above
                process.wait()
        soak.seconds = time.monotonic() - started
        soak.returncode = process.returncode
        stderr = errors.read_text(errors="replace")
    if process.returncode != 0:
        soak.problems.append(f"exit code {process.returncode}: {stderr.strip()[-300:]}")
    if prompts - 1 != args.sessions:
        soak.problems.append(f"{prompts - 1} sessions ran, {args.sessions} expected")
    return soak


def report(soak: Soak, limit_mb: float) -> int:
    """Print the table and the verdict; return the exit status."""
    print("session  RSS MB")
    for session, mb in soak.samples:
        print(f"{session:7d}  {mb:6.1f}")
    data = soak.as_json()
    per = soak.seconds / soak.sessions if soak.sessions else 0.0
    print(
        f"first {data['first_mb']:.1f} MB, last {data['last_mb']:.1f} MB, max {data['max_mb']:.1f}"
        f" MB; {soak.sessions} sessions in {soak.seconds:.0f} s ({per:.2f} s each)"
        if soak.samples
        else "no RSS samples"
    )
    for problem in soak.problems:
        print(f"FAILED: {problem}")
    if soak.problems:
        return EXIT_FAILED
    growth = soak.growth_mb
    if growth is None:
        print("FAILED: no RSS at the baseline or the last session")
        return EXIT_FAILED
    verdict = "GREW" if growth > limit_mb else "flat"
    print(
        f"growth {growth:+.1f} MB from session {soak.baseline} to {soak.sessions}"
        f" (limit {limit_mb:.0f} MB): {verdict}"
    )
    return EXIT_GREW if growth > limit_mb else EXIT_FLAT


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--sessions", type=int, default=200, help="sessions to run (default 200)")
    p.add_argument("--session", default="soon", help="folder in audio_fixtures/sessions")
    p.add_argument("--every", type=int, default=10, help="sample RSS every N sessions")
    p.add_argument("--baseline", type=int, help="session whose RSS growth is measured from")
    p.add_argument("--max-growth-mb", type=float, default=20.0)
    p.add_argument("--engine", default="sphinx", choices=("sphinx", "vosk", "auto"))
    p.add_argument("--time-limit", type=float, default=1800.0, help="seconds before giving up")
    p.add_argument("--report", type=Path, help="also write the numbers as JSON here")
    p.add_argument("--progress", action="store_true", help="print progress on stderr")
    args = p.parse_args(argv)
    if args.sessions < 2:
        p.error("--sessions must be at least 2")
    if args.baseline is None:
        args.baseline = min(20, max(1, args.sessions // 3))
    if not 1 <= args.baseline < args.sessions:
        p.error("--baseline must be between 1 and --sessions - 1")
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            p.error(f"{tool} is not installed")
    soak = run(args)
    status = report(soak, args.max_growth_mb)
    if args.report:
        args.report.write_text(json.dumps(soak.as_json() | {"status": status}, indent=2) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
