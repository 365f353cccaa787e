"""When an answer has ended: a pure state machine over voiced frames and early decodes.

The capture loop (assistant/io/capture.py) cuts the sound into short frames, asks a voice
activity detector whether each one is speech, and pushes the answer here frame by frame. This
module decides, with no audio library:

- when speech has started (enough voiced frames; a click alone is not an answer) or the wait has
  timed out;
- when to decode the words said so far, early: each time the person falls quiet for `look`
  seconds after new speech, so the result is ready when the answer ends, not computed after;
  and, if those words did not make a whole answer, once more with `non_speaking` seconds of
  quiet after them (the tail a recogniser hears best with);
- when to reply, and when the answer has ended. A complete, confident answer ("no", "yes I
  have"; judged on that early decode) may be replied to after `quick` seconds of quiet (REPLY);
  anything else (an answer that stops on "and", "I can't...", a hesitation, or words not
  understood yet) waits for the whole `pause`, the patience a slow speaker sets with `--pause`.
  Even after a REPLY the answer is followed until `pause`: if the person goes on ("no... well,
  once, last week"), that is RESUMED, the reply stops and the answer is heard whole. Where the
  capture cannot follow (a microphone that hears the assistant's own voice), the judge is
  stricter instead (core/complete.py).

The person's own pace counts too: a pause they made inside an earlier answer (and then went on)
stretches `quick` for the answers after it (`Pace`), so a slow speaker is not hurried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True)
class CaptureSettings:
    """How one answer is listened for; the same for the microphone and for replayed files."""

    pause: float = 1.2
    """Seconds of quiet that always end an answer (`--pause`); generous, for slow speakers."""

    quick: float = 0.3
    """Seconds of quiet that end an answer the words of which are already complete and sure
    (at least a quarter of `pause`: a slower speaker's `--pause 2` makes it 0.5 s)."""

    look: float = 0.09
    """Seconds of quiet after new speech before the words so far are decoded (early)."""

    non_speaking: float = 0.3
    """Seconds of sound kept before the speech starts and after it ends."""

    timeout: float = 8.0
    """Seconds to wait for speech to start before the answer counts as Silence."""

    phrase_limit: float = 15.0
    """Most seconds of one answer; sound that runs on past this is cut and is NotUnderstood."""

    energy_threshold: float = 300.0
    """Starting loudness (RMS of 16-bit samples) that a voiced frame must also pass."""

    dynamic_energy: bool = True
    """Let the loudness threshold follow background noise while waiting (frozen in speech)."""

    min_speech: float = 0.1
    """Shortest voiced sound taken as the start of an answer; a click or a knock is shorter."""

    def __post_init__(self) -> None:
        for name in ("pause", "timeout", "phrase_limit"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be a positive number of seconds")
        for name in ("quick", "look", "non_speaking", "min_speech", "energy_threshold"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")

    @property
    def longest_listen(self) -> float:
        """Most seconds of audio one listen can read: the wait, the phrase and a little margin."""
        return self.timeout + self.phrase_limit + 1.0


class Step(Enum):
    """What the capture loop does after a frame."""

    WAIT = "wait"
    """Read the next frame."""
    DECODE = "decode"
    """Decode the answer so far (up to `Endpointer.decode_upto`), then read on."""
    REPLY = "reply"
    """A complete answer and a short quiet: reply now, but the person may still go on (until
    `pause`); push on to hear it (RESUMED) or the END."""
    RESUMED = "resumed"
    """After a REPLY the person went on: stop the reply, the answer is not over."""
    END = "end"
    """The answer has ended: frames `Endpointer.span()` hold it."""
    SILENCE = "silence"
    """No speech started within the timeout (or the sound ran out with none)."""
    CLICK = "click"
    """The sound ran out after only clicks: heard, but no answer."""
    TOO_LONG = "too_long"
    """Sound ran on past the phrase limit: not an answer."""


@dataclass
class Pace:
    """How long this person pauses inside an answer, remembered from one answer to the next."""

    longest_gap: float = 0.0
    """The longest pause (seconds) the person made inside an answer and then went on."""

    margin: float = 0.25
    """Added to that pause before a complete answer is taken as finished."""

    def quick(self, settings: CaptureSettings) -> float:
        """The quiet that ends a complete answer for this person: `quick`, or longer for them."""
        base = max(settings.quick, settings.pause / 4)
        if self.longest_gap <= 0:
            return min(base, settings.pause)
        return min(settings.pause, max(base, self.longest_gap + self.margin))


@dataclass
class Endpointer:
    """Follows one answer frame by frame (see the module docstring); frames count from 0."""

    settings: CaptureSettings
    frame_s: float
    pace: Pace = field(default_factory=Pace)
    frames: int = 0
    onset: int | None = None
    """The first voiced frame of the speech that started the answer."""
    last_voiced: int = -1
    decode_upto: int = 0
    """The frames [0, decode_upto) are what the last DECODE asked for."""
    clicks: int = 0
    _candidate: int | None = None
    _candidate_voiced: int = 0
    replied: bool = False
    """A REPLY was given and the person has not gone on since."""
    _run: int = 0
    _decoded: tuple[int, bool] | None = None

    def _seconds(self, frames: int) -> float:
        return frames * self.frame_s

    def _frames(self, seconds: float) -> int:
        return max(1, round(seconds / self.frame_s))

    @property
    def speaking(self) -> bool:
        """Speech has started (the answer is being heard)."""
        return self.onset is not None

    def push(self, voiced: bool) -> Step:
        """Take the next frame; say what to do."""
        index = self.frames
        self.frames += 1
        if self.onset is None:
            return self._waiting(index, voiced)
        return self._speaking(index, voiced)

    def _waiting(self, index: int, voiced: bool) -> Step:
        s = self.settings
        if voiced:
            if self._candidate is None:
                self._candidate, self._candidate_voiced = index, 0
            self._candidate_voiced += 1
            self.last_voiced = index
            if self._seconds(self._candidate_voiced) >= s.min_speech - 1e-9:
                self.onset = self._candidate
                self._run = 1
            return Step.WAIT
        if self._candidate is not None and self._seconds(index - self.last_voiced) >= s.pause:
            self._candidate = None  # too little sound, then quiet: a click or a knock
            self.clicks += 1
        if self._candidate is None and self._seconds(self.frames) >= s.timeout:
            return Step.SILENCE
        return Step.WAIT

    def _speaking(self, index: int, voiced: bool) -> Step:
        s = self.settings
        assert self.onset is not None
        quiet = index - self.last_voiced
        if voiced:
            self._run += 1
            # After a pause, one voiced frame alone (a breath, a knock) does not restart speech.
            if quiet <= self._frames(s.look) or self._run >= 2:
                gap = self._seconds(index - self._run - self.last_voiced)
                if gap >= s.quick:  # a pause that a finished answer would have ended on
                    self.pace.longest_gap = max(self.pace.longest_gap, gap)
                self.last_voiced = index
                if self.replied:
                    self.replied = False
                    return Step.RESUMED
            if self._seconds(index + 1 - self.onset) >= s.phrase_limit:
                return Step.TOO_LONG
            return Step.WAIT
        self._run = 0
        quiet_s = self._seconds(index - self.last_voiced)
        if quiet_s >= s.pause:
            return Step.END
        if self.replied:
            return Step.WAIT
        if quiet_s >= self.pace.quick(s) and self.complete_so_far():
            self.replied = True
            return Step.REPLY
        if quiet_s >= s.look and self.decode_upto <= self.last_voiced:
            self.decode_upto = index + 1  # early: the words so far, with a short tail
            return Step.DECODE
        tail = self._seconds(self.decode_upto - 1 - self.last_voiced)
        came_back = self._decoded is not None and self._decoded[0] == self.decode_upto
        if quiet_s >= s.non_speaking > tail and came_back and not self.complete_so_far():
            self.decode_upto = index + 1  # not whole: again with the whole tail of quiet
            return Step.DECODE
        return Step.WAIT

    def decoded(self, upto: int, complete: bool) -> None:
        """The decode of frames [0, upto) came back; `complete`: it is a whole, sure answer."""
        self._decoded = (upto, complete)

    def complete_so_far(self) -> bool:
        """The last decode holds every voiced frame, and its words make a whole answer."""
        return (
            self._decoded is not None and self._decoded[0] > self.last_voiced and self._decoded[1]
        )

    def covered(self) -> bool:
        """The last decode holds every voiced frame (its result is the answer's)."""
        return self._decoded is not None and self._decoded[0] > self.last_voiced

    def ran_out(self) -> Step:
        """The sound ended (a file's end, or the microphone stopped): what the frames add up to."""
        if self.onset is not None:
            return Step.END
        if self._candidate is not None or self.clicks:
            return Step.CLICK
        return Step.SILENCE

    def span(self) -> tuple[int, int]:
        """The frames [first, last) of the answer: its speech and a little sound either side."""
        assert self.onset is not None
        keep = round(self.settings.non_speaking / self.frame_s)
        return max(0, self.onset - keep), min(self.frames, self.last_voiced + 1 + keep)


@dataclass
class Timing:
    """Where the last answer's reply time went (logged for the benchmark)."""

    quiet_s: float = 0.0
    """Quiet heard after the last voiced frame before the answer was taken (or replied to)."""
    ready_s: float = 0.0
    """From that decision to the result being ready (0 when the early decode had it)."""
    early: bool = False
    """The result came from a decode made while listening."""
    heard_s: tuple[float, float] = (0.0, 0.0)
    """The stretch of this listen (seconds from its start) handed to the recogniser."""
