"""Whole spoken sessions through the virtual microphone and speaker; no audio at all fails cleanly.

The live test drives `back-assistant --engine sphinx` as a person would: each time it prints
`[listening]` the next answer of an `audio_fixtures/sessions/<name>/` folder is played into the
virtual microphone; the record's disposition must be the folder's expected one.

What it said is checked line by line, not by counting segments: every caption line is printed
just before the line is spoken, and the next stdout line only after it has been heard (say()
blocks), so each caption owns the time window up to the next stdout line. In its window the
speaker recording must start sounding within ONSET_MAX_S, hold at least
len(text) / CHARS_PER_LOUD_S_MAX seconds of sound above LOUD_DB, and be louder than FLOOR_DB.
A count of segments (gaps >= 0.35 s) is weaker: espeak's pauses at commas and full stops split one
line into several segments, so a line that was never played can hide behind another line's
extra segments. The count (segments >= lines) is asserted too, as a coarse second check.
"""

from __future__ import annotations

import json
import math
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.audio_stack import (
    PulseStack,
    pulse_stack_fixture,  # noqa: F401 - registers the `pulse_stack` fixture here
    read_mono16,
    speech_segments,
)

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = shutil.which("back-assistant", path=str(Path(sys.executable).parent)) or "back-assistant"
SESSIONS = ROOT / "audio_fixtures" / "sessions"
LISTENING = "[listening]"

LIVE_OPTIONS = ("--engine", "sphinx", "--pause", "0.8", "--timeout", "6")
LEAD_IN_S = 0.4
"""Wait after `[listening]` before playing: the input stream is resumed just after the cue."""
SILENT_LISTENS = 1
"""`[listening]` cues answered with silence once the answers have run out (then it is stopped)."""
RUN_LIMIT_S, PER_ANSWER_S = 240.0, 30.0
"""A whole live session never takes longer than this (it is killed and the test fails)."""

FRAME_S = 0.02
LOUD_DB = -45.0
"""A 20 ms frame louder than this is sound (the null sink is digital silence otherwise)."""
FLOOR_DB = -35.0
"""espeak at full volume measures about -21 dBFS on the null sink."""
ONSET_MAX_S = 1.0
"""From caption to first sound: synthesis of the line in process plus aplay's start."""
CHARS_PER_LOUD_S_MAX = 30.0
"""At 150 wpm a line has about 13-16 characters per second of sound; half that speed is a fail."""


# --- the session fixtures --------------------------------------------------------------------


def session_for(disposition: str) -> Path:
    """The session folder named `disposition`, else the shortest ending in it; skip if none."""
    if not SESSIONS.is_dir():
        pytest.skip(f"{SESSIONS} is missing: run audio_fixtures/generate.py")
    named = SESSIONS / disposition
    if (named / "expected.json").exists() and expected_of(named)["disposition"] == disposition:
        return named
    found = []
    for folder in sorted(p for p in SESSIONS.iterdir() if p.is_dir()):
        expected = folder / "expected.json"
        if expected.exists() and json.loads(expected.read_text())["disposition"] == disposition:
            found.append((len(answers_of(folder)), folder.name, folder))
    if not found:
        pytest.skip(f"no session in {SESSIONS} ends in {disposition!r}")
    return min(found)[2]


def answers_of(folder: Path) -> list[Path]:
    """The answer WAVs of a session folder, in order."""
    return sorted(folder.glob("*.wav"))


def expected_of(folder: Path) -> dict[str, Any]:
    return dict(json.loads((folder / "expected.json").read_text()))


def needs_sphinx() -> None:
    pytest.importorskip("pocketsphinx")
    pytest.importorskip("pyaudio")
    try:
        import assistant.engines.select  # noqa: F401
    except ImportError as error:
        pytest.skip(f"the recognisers are not there yet: {error}")


# --- driving a live session ------------------------------------------------------------------


@dataclass
class LiveRun:
    """What one live session did: its stdout lines with their times, exit code, record, audio."""

    returncode: int
    lines: list[tuple[float, str]]  # seconds since the capture's first sample, text
    stderr: str
    record: dict[str, Any] | None
    played: int
    extra_listens: int
    capture: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def spoken(self) -> list[tuple[float, float, str]]:
        """Each spoken caption line: (printed at, next stdout line at, text)."""
        rows = []
        for (at, text), (then, _) in zip(self.lines, self.lines[1:], strict=False):
            if text != LISTENING:
                rows.append((at, then, text))
        if self.lines and self.lines[-1][1] != LISTENING:
            rows.append((self.lines[-1][0], math.inf, self.lines[-1][1]))
        return rows

    def transcript(self) -> str:
        return "\n".join(f"{at:7.2f} {text}" for at, text in self.lines) + "\n" + self.stderr


def _read_lines(stream: Any, out: queue.Queue[tuple[float, str] | None]) -> None:
    for line in stream:
        out.put((time.monotonic(), line.rstrip("\n")))
    out.put(None)


@dataclass
class _Answering:
    """The loop that reads the assistant's lines and answers each `[listening]`."""

    stack: PulseStack
    answers: list[Path]
    started: float
    limit: float
    lines: list[tuple[float, str]] = field(default_factory=list)
    played: int = 0
    extra: int = 0
    notes: list[str] = field(default_factory=list)

    def left(self) -> float:
        return self.started + self.limit - time.monotonic()

    def run(self, process: subprocess.Popen[str], lines_in: queue.Queue[Any]) -> None:
        while (left := self.left()) > 0:
            try:
                item = lines_in.get(timeout=left)
            except queue.Empty:
                continue
            if item is None:
                return
            at, text = item
            self.lines.append((at - self.started, text))
            if text == LISTENING:
                self.answer(process)
        self.notes.append(f"killed after {self.limit:.0f} s")

    def answer(self, process: subprocess.Popen[str]) -> None:
        if self.played < len(self.answers):
            time.sleep(LEAD_IN_S)
            self.stack.play_into_mic(self.answers[self.played])
            self.played += 1
            return
        # No answers left: stay silent, as a person who has finished would (after an emergency
        # the assistant offers to repeat the advice and ends on silence). Past SILENT_LISTENS
        # something was misheard: end it (SIGTERM still writes the record).
        self.extra += 1
        if self.extra > SILENT_LISTENS:
            self.notes.append(f"asked for more than {SILENT_LISTENS} answer(s) past the session's")
            process.send_signal(signal.SIGTERM)


def run_live(
    stack: PulseStack,
    session: Path,
    workdir: Path,
    *,
    capture: Path | None = None,
    prefix: Sequence[str] = (),
    extra_args: Sequence[str] = (),
    env: dict[str, str] | None = None,
) -> LiveRun:
    """Run one live session, answering each `[listening]` with the session's next WAV.

    `prefix` wraps the command (e.g. `unshare --net`). The child runs in its own process group,
    which is killed if it outlives the time limit; nothing else is touched.
    """
    answers = answers_of(session)
    workdir.mkdir(parents=True, exist_ok=True)
    record_path = workdir / "record.json"
    stderr_path = workdir.parent / f"{workdir.name}.stderr"
    command = [*prefix, SCRIPT, *LIVE_OPTIONS, "--json", str(record_path), *extra_args]
    if capture is not None:
        stack.start_capture(capture)
    started = time.monotonic()
    loop = _Answering(stack, answers, started, RUN_LIMIT_S + PER_ANSWER_S * len(answers))
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            command,
            env=env if env is not None else stack.env,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            start_new_session=True,
        )
    lines_in: queue.Queue[tuple[float, str] | None] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(process.stdout, lines_in), daemon=True)
    reader.start()
    stopped = 0.0
    try:
        loop.run(process, lines_in)
        process.wait(timeout=max(1.0, loop.left()))
    except subprocess.TimeoutExpired:
        loop.notes.append("did not exit in time")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # only the group started above
            process.wait()
        reader.join(timeout=5)
        if capture is not None:
            time.sleep(0.3)
            stopped = time.monotonic() - started
            stack.stop_capture(tail_s=0)
    lines = loop.lines
    if capture is not None:
        # Anchor the recording at its end: its last sample was taken when it was stopped.
        samples, rate = read_mono16(capture)
        shift = stopped - len(samples) / rate
        lines = [(at - shift, text) for at, text in lines]
    record = json.loads(record_path.read_text()) if record_path.exists() else None
    return LiveRun(
        returncode=process.returncode,
        lines=lines,
        stderr=stderr_path.read_text(),
        record=record,
        played=loop.played,
        extra_listens=loop.extra,
        capture=capture,
        notes=loop.notes,
    )


# --- what the speaker recording shows --------------------------------------------------------


@dataclass(frozen=True)
class LineHeard:
    """One caption line as measured in the speaker recording."""

    text: str
    onset_s: float  # from caption to first loud frame (inf: none)
    loud_s: float  # seconds of loud frames in the line's window
    level_db: float  # level over the loud frames

    def problems(self) -> list[str]:
        found = []
        if self.onset_s > ONSET_MAX_S:
            found.append(f"no sound within {ONSET_MAX_S} s (onset {self.onset_s:.2f} s)")
        if self.loud_s < len(self.text) / CHARS_PER_LOUD_S_MAX:
            found.append(f"only {self.loud_s:.2f} s of sound for {len(self.text)} characters")
        if self.level_db <= FLOOR_DB:
            found.append(f"too quiet ({self.level_db:.0f} dBFS)")
        return found


def lines_heard(run: LiveRun) -> list[LineHeard]:
    """Measure each spoken caption line in its own window of the speaker recording."""
    assert run.capture is not None
    samples, rate = read_mono16(run.capture)
    size = int(rate * FRAME_S)
    energy = [
        math.fsum(s * s for s in samples[i : i + size]) for i in range(0, len(samples) - size, size)
    ]

    def db(total: float, count: int) -> float:
        return -120.0 if total <= 0 else 20 * math.log10(math.sqrt(total / count) / 32768)

    loud = [db(e, size) > LOUD_DB for e in energy]
    found = []
    for start, end, text in run.spoken:
        first = max(0, int(start / FRAME_S))
        last = min(len(energy), int(end / FRAME_S) if end != math.inf else len(energy))
        hits = [i for i in range(first, last) if loud[i]]
        onset = (hits[0] * FRAME_S - start) if hits else math.inf
        level = db(math.fsum(energy[i] for i in hits), size * len(hits)) if hits else -120.0
        found.append(LineHeard(text, max(0.0, onset), len(hits) * FRAME_S, level))
    return found


# --- the live sessions -----------------------------------------------------------------------


@pytest.mark.pulse
@pytest.mark.parametrize("disposition", ["emergency", "urgent", "self_care"])
def test_a_spoken_session_reaches_its_disposition_and_every_line_is_heard(
    pulse_stack: PulseStack, tmp_path: Path, disposition: str
) -> None:
    needs_sphinx()
    session = session_for(disposition)
    run = run_live(pulse_stack, session, tmp_path / "work", capture=tmp_path / "speaker.wav")
    answers = answers_of(session)
    assert run.returncode == 0, run.transcript()
    assert not run.notes, (run.notes, run.transcript())
    assert run.played == len(answers), run.transcript()
    # Only the emergency advice is followed by one more listen (for "repeat"); silence ends it.
    assert run.extra_listens == (1 if disposition == "emergency" else 0), run.transcript()
    assert run.record is not None, run.transcript()
    assert run.record["disposition"] == expected_of(session)["disposition"], run.transcript()
    assert run.record["completed"] is True
    assert "sphinx" in run.record["engine"]
    assert "Traceback" not in run.stderr

    heard = lines_heard(run)
    bad = [(h.text, h.problems()) for h in heard if h.problems()]
    segments = speech_segments(run.capture or Path(), threshold_db=LOUD_DB, min_gap_s=0.35)
    cues = sum(1 for _, text in run.lines if text == LISTENING)
    print(
        f"\n{session.name}: {len(heard)} spoken lines, {cues} cues, {len(answers)} answers, "
        f"{len(segments)} segments; disposition {run.record['disposition']}"
    )
    for h in heard:
        print(f"  onset {h.onset_s:4.2f} s sound {h.loud_s:5.2f} s {h.level_db:4.0f} dB {h.text}")
    assert not bad, (bad, run.stderr)
    assert len(segments) >= len(heard), (len(segments), len(heard))


# --- no audio at all ---------------------------------------------------------------------------


def no_audio_env(tmp_path: Path, *, empty_alsa: bool = False) -> dict[str, str]:
    """No PulseAudio server; with `empty_alsa`, no ALSA device either even with a sound card."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULSE", "ALSA"))}
    (tmp_path / "client.conf").write_text("autospawn = no\n")
    env.update(
        PULSE_SERVER="unix:/nonexistent",
        PULSE_CLIENTCONFIG=str(tmp_path / "client.conf"),
        XDG_RUNTIME_DIR=str(tmp_path),
    )
    if empty_alsa:
        (tmp_path / "asound.conf").write_text("")
        env["ALSA_CONFIG_PATH"] = str(tmp_path / "asound.conf")
    return env


def live_without_audio(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, "--engine", "sphinx", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


no_sound_card = pytest.mark.skipif(
    Path("/dev/snd").exists(), reason="a sound card is here: the live mode would find it"
)


@no_sound_card
@pytest.mark.parametrize("speech", ["speech-on", "mute"])
def test_live_mode_without_any_audio_is_one_line_and_exit_4(tmp_path: Path, speech: str) -> None:
    needs_sphinx()
    args = ["--json", str(tmp_path / "r.json")] + (["--mute"] if speech == "mute" else [])
    done = live_without_audio(no_audio_env(tmp_path), *args)
    errors = done.stderr.splitlines()
    assert done.returncode == 4, (done.returncode, done.stderr)
    assert "Traceback" not in done.stdout + done.stderr
    assert LISTENING not in done.stdout
    assert errors, "nothing on stderr"
    assert errors[-1].startswith("No microphone found ("), errors
    assert "back-assistant doctor" in errors[-1]
    if speech == "mute":
        assert len(errors) == 1, errors
    else:
        # The engine note is spoken before the microphone is opened, so the speech output
        # failure is reported first (a separate problem); nothing else.
        assert all("speech output" in line.lower() for line in errors[:-1]), errors


@no_sound_card
def test_live_mode_with_an_empty_alsa_configuration_is_one_line_and_exit_4(
    tmp_path: Path,
) -> None:
    needs_sphinx()
    done = live_without_audio(no_audio_env(tmp_path, empty_alsa=True), "--mute")
    assert done.returncode == 4, (done.returncode, done.stderr)
    assert done.stderr.startswith("No microphone found ("), done.stderr


TYPED_SELF_CARE = "no\n" * 7


def typed_without_audio(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, "--text", "--json", str(tmp_path / "r.json")],
        env=no_audio_env(tmp_path, empty_alsa=True),
        input=TYPED_SELF_CARE,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_typed_mode_without_audio_says_so_once_and_captions_go_on(tmp_path: Path) -> None:
    done = typed_without_audio(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    # Every caption is still printed, to the end of the session.
    assert done.stdout.startswith("Hello. I will ask you some questions"), done.stdout
    assert "Do you have any numbness or tingling?" in done.stdout
    assert done.stdout.rstrip().endswith("Thank you. Take care."), done.stdout
    assert json.loads((tmp_path / "r.json").read_text())["disposition"] == "self_care"
    speech = [line for line in done.stderr.splitlines() if "Speech output is not working" in line]
    assert len(speech) == 1, done.stderr


def test_typed_mode_without_audio_has_nothing_else_on_stderr(tmp_path: Path) -> None:
    errors = typed_without_audio(tmp_path).stderr.splitlines()
    assert len(errors) == 1, errors
    assert errors[0].startswith("Speech output is not working ("), errors
