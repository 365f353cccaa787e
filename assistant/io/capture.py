"""The one listening path shared by the microphone and replay: frames in, one answer Event out.

Each 30 ms frame goes through the voice detector (vad.py) and the end-of-answer state machine
(core/endpoint.py). When the person falls quiet briefly, the words so far are decoded at once (on
a worker thread for the live microphone, so listening goes on meanwhile; in line for files, which
are read faster than real time, so that a replay decides exactly as the microphone would). If
that early decode already makes a complete, sure answer (`Judge`), the reply may start after a
short quiet, with the result ready; otherwise the whole `--pause` is waited for.

After such an early reply the answer is still followed until `--pause` has passed: a file is
simply read on; the microphone is read on while the reply plays (`Capture.follow`), and if the
person goes on, the reply is stopped and the whole answer is heard. Only where following is
possible (`follows`) does the judge take a "no" to a warning sign early.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from assistant.core.endpoint import CaptureSettings, Endpointer, Pace, Step, Timing
from assistant.core.messages import Expected, Heard, NotUnderstood, Silence
from assistant.core.ports import Audio, Preparing, Recognizer
from assistant.io.vad import FRAME_S, RATE, Frames, VoiceDetector

log = logging.getLogger(__name__)

Judge = Callable[[Heard, Expected, bool], bool]
"""Do these words already make a complete, sure answer? The flag: can the person still be heard
going on after the reply starts (Triage.complete)."""
Keep = Callable[[Audio, Expected], None]
"""Called with each answer's audio once it has ended (--keep-audio); nothing is kept otherwise."""

Result = Heard | NotUnderstood

__all__ = ["RATE", "Capture", "CaptureSettings", "Judge", "Keep", "Timing"]


def never_complete(heard: Heard, expected: Expected, followed: bool) -> bool:
    """A judge that always waits for the whole pause (no dialog at hand)."""
    return False


@dataclass
class Capture:
    """Hears one answer at a time from a source; keeps the person's pace and the threshold."""

    recognizer: Recognizer
    settings: CaptureSettings = field(default_factory=CaptureSettings)
    judge: Judge = never_complete
    keep: Keep | None = None
    realtime: bool = False
    """A live source: decode on a worker thread while reading on (files: decode in line)."""
    follows: bool = False
    """After an early reply the person can still be heard going on (files: always)."""
    pace: Pace = field(default_factory=Pace)
    timing: Timing = field(default_factory=Timing)
    _detector: VoiceDetector | None = None
    _pool: ThreadPoolExecutor | None = None
    _open: _Answer | None = None

    @property
    def detector(self) -> VoiceDetector:
        """The voice detector, made on first use (it keeps the background threshold)."""
        if self._detector is None:
            self._detector = VoiceDetector(self.settings)
        return self._detector

    @property
    def following(self) -> bool:
        """The last answer was replied to early and may still go on (call `follow`)."""
        return self._open is not None

    def listen(self, source: Any, expected: Expected) -> Heard | NotUnderstood | Silence:
        """Hear one answer from an entered SpeechRecognition source (a microphone or a file).

        Silence: no speech started within the timeout, or the sound ran out with none.
        NotUnderstood: only clicks, or sound that ran on past the phrase limit.
        Otherwise the recognizer decides. An OSError from a failing device is left to the caller.
        """
        self._open = None
        if self.realtime and isinstance(self.recognizer, Preparing):
            self.pool().submit(self.recognizer.prepare, expected)  # while the person starts
        answer = _Answer(self, expected, frames_of(source))
        event = answer.hear()
        if answer.ends.replied and self.realtime and self.follows:
            self._open = answer
        return event

    def follow(self, on_resume: Callable[[], None]) -> Result | None:
        """After an early reply, read on until the pause: the whole answer, or None.

        None: the person did not go on. Else `on_resume` was called the moment they did.
        """
        answer, self._open = self._open, None
        if answer is None:
            return None
        result = answer.follow(on_resume)
        if result is not None and answer.ends.replied and self.follows:
            self._open = answer  # replied to again early: it may still go on
        return result

    def calibrate(self, room: Iterator[bytes], seconds: float) -> None:
        """Learn the background loudness from `seconds` of frames of the room (heard at start)."""
        self.detector.calibrate(room, seconds)

    def voiced_share(self, frames: Iterator[bytes]) -> float:
        """The share of `frames` that are speech (while the assistant speaks: its own echo?)."""
        total = voiced = 0
        for frame in frames:
            total += 1
            voiced += self.detector.voiced(frame, speaking=True)
        return voiced / total if total else 0.0

    def pool(self) -> ThreadPoolExecutor:
        """The one worker thread that decodes while the microphone is read."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="decode")
        return self._pool

    def close(self) -> None:
        """Stop the worker thread (after the decode it is running, if any)."""
        self._open = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def frames_of(source: Any) -> Frames:
    """An entered SpeechRecognition source's stream as 16 kHz frames of 30 ms."""
    return Frames(source.stream, int(source.SAMPLE_RATE), int(source.SAMPLE_WIDTH),
                  int(source.CHUNK))  # fmt: skip


class _Answer:
    """One listen: the frames heard so far and the decodes asked for."""

    def __init__(self, owner: Capture, expected: Expected, frames: Frames) -> None:
        self.owner = owner
        self.expected = expected
        self.source = frames
        self.ends = Endpointer(owner.settings, FRAME_S, owner.pace)
        self.frames: list[bytes] = []
        self.results: dict[int, Result] = {}
        self.running: tuple[int, Future[tuple[Result, bool]]] | None = None
        self.wanted = 0

    def _step(self, frame: bytes) -> Step:
        ends = self.ends
        self.frames.append(frame)
        step = ends.push(self.owner.detector.voiced(frame, ends.speaking))
        if step is Step.DECODE:
            self._decode(ends.decode_upto)
        self._collect(block=False)
        return step

    def _run(self, on_resume: Callable[[], None] | None) -> Step:
        """Read frames until the answer ends, or (live) until an early reply."""
        inline = not self.owner.realtime and self.owner.follows
        for frame in self.source:
            step = self._step(frame)
            if step is Step.REPLY:
                self._note_quiet()
                if not inline:
                    return step
            elif step is Step.RESUMED:
                log.info("the person went on after %.2f s of quiet", self.owner.timing.quiet_s)
                if on_resume is not None:
                    on_resume()
            elif step in (Step.END, Step.SILENCE, Step.TOO_LONG):
                if step is Step.END and not self.ends.replied:
                    self._note_quiet()
                return step
        return self.ends.ran_out()

    def _note_quiet(self) -> None:
        self.owner.timing = Timing(quiet_s=(self.ends.frames - 1 - self.ends.last_voiced) * FRAME_S)

    def hear(self) -> Heard | NotUnderstood | Silence:
        self.owner.timing = Timing()
        step = self._run(on_resume=None)
        if step in (Step.SILENCE, Step.CLICK, Step.TOO_LONG):
            log.debug("no answer: %s", step.name.lower())  # no speech, a knock, or no end
            return Silence() if step is Step.SILENCE else NotUnderstood()
        return self._result(final=step is not Step.REPLY or not self.owner.follows)

    def follow(self, on_resume: Callable[[], None]) -> Result | None:
        """Read on after an early reply (see Capture.follow)."""
        resumed = False

        def resume() -> None:
            nonlocal resumed
            resumed = True
            on_resume()

        step = self._run(resume)
        if not resumed:
            self._keep()
            return None
        if step is Step.TOO_LONG:
            return NotUnderstood()
        return self._result(final=step is not Step.REPLY)

    def _audio(self, upto: int) -> Audio:
        first, _ = self.ends.span()
        return Audio(pcm=b"".join(self.frames[first:upto]), sample_rate=RATE)

    def _decode(self, upto: int) -> None:
        """Decode frames up to `upto`: in line for files, on the worker for the microphone."""
        if not self.owner.realtime:
            result = self.owner.recognizer.recognize(self._audio(upto), self.expected)
            self._done(upto, result, self._complete(result))
            return
        self.wanted = upto
        if self.running is None:
            self._start(upto)

    def _start(self, upto: int) -> None:
        audio, expected, owner = self._audio(upto), self.expected, self.owner

        def work() -> tuple[Result, bool]:
            result = owner.recognizer.recognize(audio, expected)
            return result, self._complete(result)

        self.running = (upto, owner.pool().submit(work))

    def _collect(self, block: bool) -> None:
        """Take a finished worker decode; start the latest one asked for meanwhile."""
        if self.running is None:
            return
        upto, future = self.running
        if not block and not future.done():
            return
        result, complete = future.result()
        self.running = None
        self._done(upto, result, complete)
        if self.wanted > upto:
            self._start(self.wanted)

    def _complete(self, result: Result) -> bool:
        owner = self.owner
        return isinstance(result, Heard) and owner.judge(result, self.expected, owner.follows)

    def _done(self, upto: int, result: Result, complete: bool) -> None:
        self.results[upto] = result
        self.ends.decoded(upto, complete)
        log.debug("early decode of %.2f s: %r complete=%s", upto * FRAME_S, result, complete)

    def _upto(self) -> int:
        """Where the answer's audio ends (the span's end, or an early decode's).

        An early decode serves when it holds every word and was complete or had the whole tail
        of quiet; otherwise the span is decoded again.
        """
        upto, end = max(self.results, default=0), self.ends.span()[1]
        usable = self.ends.covered() and upto in self.results
        return upto if usable and (self.ends.complete_so_far() or upto >= end) else end

    def _keep(self) -> None:
        if self.owner.keep is not None:
            self.owner.keep(self._audio(self._upto()), self.expected)

    def _result(self, final: bool) -> Result:
        """The answer's result: the early decode when it holds every word, else decode now.

        `final`: nothing more will be heard of this answer (else it is kept after `follow`).
        """
        ends, timing = self.ends, self.owner.timing
        started = time.perf_counter()
        upto = self._upto()
        while self.running is not None and not (upto in self.results and ends.covered()):
            self._collect(block=True)  # one decode at a time: engines are not thread-safe
            upto = self._upto()
        if upto in self.results and ends.covered():
            result, timing.early = self.results[upto], True  # a stale decode may run on
        else:
            result = self.owner.recognizer.recognize(self._audio(upto), self.expected)
            self.results[upto] = result
        timing.ready_s = time.perf_counter() - started
        first = ends.span()[0]
        timing.heard_s = (first * FRAME_S, upto * FRAME_S)
        log.info(
            "answer taken after %.2f s of quiet; result ready %.0f ms later (%s)",
            timing.quiet_s, timing.ready_s * 1000,
            "decoded while listening" if timing.early else "decoded at the end",
        )  # fmt: skip
        if final:
            self._keep()
        return result
