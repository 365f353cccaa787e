"""Speaking at once: prepared lines play from the cache; a line made on the spot starts early.

The unit tests use a fake pyttsx3 engine, a fake line maker and a fake player that write down
what happens, in order; they prove the order of events, never a speed. The speed is measured by
bench/speech_ready.py.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.core.errors import SpeechOutputError
from assistant.io.speakers import FallbackSpeaker
from assistant.io.speech_cache import SpeechCache, VoiceSettings
from assistant.io.speech_prep import LinePreparer, make_in_background
from assistant.io.speech_wav import (
    PREFERRED_LINUX_VOICES,
    LineAudio,
    espeak_ng_voice,
    read_line,
    speech_error,
)
from assistant.io.tts import Pyttsx3Speaker
from assistant.io.voices import pyttsx3_engine
from tests.audio_stack import (
    PulseStack,
    pulse_stack_fixture,  # noqa: F401 - registers the `pulse_stack` fixture here
    read_mono16,
    speech_segments,
)

ROOT = Path(__file__).resolve().parents[1]
A, B, C = "Is it in both legs, not just one?", "Thank you. Take care.", "To sum up."
WAIT_S = 10.0  # only a bound for a broken test; nothing here is timed

Event = tuple[str, Any]


def sound_of(text: str, rate: int = 150) -> LineAudio:
    """Distinct samples for each text and rate (what a fake synthesiser makes)."""
    digest = hashlib.sha256(f"{text}@{rate}".encode()).digest()
    return LineAudio(digest * (len(text) + 1), 22050)


def write_wav(path: Path, line: LineAudio) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(line.rate)
        wav.writeframes(line.pcm)


class FakeEngine:
    """pyttsx3's espeak driver as the speaker uses it: each saved line is noted in `events`."""

    driver_name = "espeak"

    def __init__(self, speaker: Pyttsx3Speaker, events: list[Event], fail_on: str = "") -> None:
        self.speaker, self.events, self.fail_on = speaker, events, fail_on
        self.pending: tuple[str, str] | None = None

    def setProperty(self, name: str, value: object) -> None:  # noqa: N802 - pyttsx3's API
        pass

    def save_to_file(self, text: str, path: str) -> None:
        self.pending = (text, path)

    def runAndWait(self) -> None:  # noqa: N802 - pyttsx3's API
        assert self.pending is not None
        text, path = self.pending
        self.events.append(("synth", text))
        if text == self.fail_on:
            raise RuntimeError("driver broke")
        write_wav(Path(path), sound_of(text, self.speaker.rate))
        self.speaker._on_finished()


class FakePlayer:
    """Notes what is played; `finish` raises when `broken`."""

    broken = False

    def __init__(self, events: list[Event], first: LineAudio) -> None:
        self.events = events
        events.append(("play", first.pcm))

    def feed(self, audio: LineAudio) -> None:
        self.events.append(("feed", audio.pcm))

    def finish(self) -> None:
        self.events.append(("finish", None))
        if self.broken:
            raise speech_error("no audio output: test")

    def abort(self) -> None:
        self.events.append(("abort", None))


class GatedMaker:
    """Makes lines like espeak-ng would, but each waits for its gate when one is set."""

    def __init__(self) -> None:
        self.made: list[tuple[str, int]] = []
        self.started: dict[str, threading.Event] = {}
        self.gates: dict[str, threading.Event] = {}

    def hold(self, text: str) -> threading.Event:
        self.started[text] = threading.Event()
        self.gates[text] = threading.Event()
        return self.gates[text]

    def __call__(self, text: str, settings: VoiceSettings, path: Path) -> None:
        if text in self.gates:
            self.started[text].set()
            assert self.gates[text].wait(WAIT_S)
        self.made.append((text, settings.rate))
        write_wav(path, sound_of(text, settings.rate))


class Rig:
    """A speaker with a fake engine, maker and player over a speech cache in a folder."""

    def __init__(self, folder: Path, say_to: Path | None = None) -> None:
        folder.mkdir(exist_ok=True)
        self.events: list[Event] = []
        self.maker = GatedMaker()
        self.cache = SpeechCache(folder, "test synthesiser")
        self.lines = LinePreparer(lambda: self.cache, self.maker)
        self.speaker = Pyttsx3Speaker(rate=150, say_to=say_to, lines=self.lines, player=self.player)
        self.engine = FakeEngine(self.speaker, self.events)
        self.speaker._engine = self.engine

    def player(self, first: LineAudio) -> FakePlayer:
        return FakePlayer(self.events, first)

    def kept(self, text: str, rate: int = 150) -> LineAudio | None:
        return self.cache.load(self.cache.key(text, VoiceSettings(rate, None, None)))

    def idle(self) -> None:
        assert self.lines.wait_idle(WAIT_S)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    made = Rig(tmp_path / "cache")
    yield made
    made.lines.stop()


def played(line: LineAudio) -> list[Event]:
    return [("play", line.pcm), ("finish", None)]


def test_prepare_returns_at_once_and_the_lines_are_made_in_order(rig: Rig) -> None:
    gate = rig.maker.hold(A)
    rig.speaker.prepare([A, B, C])
    assert rig.maker.started[A].wait(WAIT_S)  # the worker is making A, prepare has returned
    assert rig.maker.made == []
    gate.set()
    rig.idle()
    assert rig.maker.made == [(A, 150), (B, 150), (C, 150)]
    assert [rig.kept(text) for text in (A, B, C)] == [sound_of(t) for t in (A, B, C)]


def test_a_ready_line_plays_from_the_cache_without_synthesis(rig: Rig) -> None:
    rig.speaker.prepare([A])
    rig.idle()
    rig.speaker.say(A)
    assert rig.events == played(sound_of(A))


def test_a_line_being_prepared_is_waited_for_and_made_once(rig: Rig) -> None:
    gate = rig.maker.hold(A)
    rig.speaker.prepare([A])
    assert rig.maker.started[A].wait(WAIT_S)
    saying = threading.Thread(target=rig.speaker.say, args=(A,))
    saying.start()
    saying.join(0.3)
    assert saying.is_alive()  # waiting for the worker's line, not making its own
    assert rig.events == []
    gate.set()
    saying.join(WAIT_S)
    assert rig.events == played(sound_of(A))
    assert rig.maker.made == [(A, 150)]


def test_a_queued_line_said_first_is_made_on_the_spot_and_not_again(rig: Rig) -> None:
    gate = rig.maker.hold(A)
    rig.speaker.prepare([A, C])
    assert rig.maker.started[A].wait(WAIT_S)
    rig.speaker.say(C)  # still queued behind A: made here, at once
    assert rig.events == [("synth", C), *played(sound_of(C))]
    gate.set()
    rig.idle()
    rig.speaker.prepare([A, C])
    rig.idle()
    assert rig.maker.made == [(A, 150)]
    assert rig.lines.found == 0  # the worker never came to C: it left the queue when said
    assert rig.kept(C) == sound_of(C)  # the line made on the spot is kept for next time


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        pytest.param("Thank you. Take care. Goodbye.", ["Thank you.", "Take care. Goodbye."]),
        pytest.param("You told me about: numbness.", ["You told me about: numbness."]),
    ],
)
def test_a_line_made_on_the_spot_plays_once_its_first_sentence_is_made(
    rig: Rig, text: str, parts: list[str]
) -> None:
    rig.speaker.say(text)
    first, *rest = parts
    expected: list[Event] = [("synth", first), ("play", sound_of(first).pcm)]
    for part in rest:
        expected += [("synth", part), ("feed", sound_of(part).pcm)]
    assert rig.events == [*expected, ("finish", None)]


def test_a_line_made_from_the_answers_is_never_kept(rig: Rig) -> None:
    rig.speaker.prepare([A])
    rig.idle()
    rig.speaker.say("You told me about: numbness between the legs.")
    assert [p.name for p in rig.cache.folder.iterdir()] == [
        rig.cache.path(rig.cache.key(A, rig.speaker.settings)).name
    ]


def test_a_rate_change_prepares_the_known_lines_again_at_the_new_rate(rig: Rig) -> None:
    rig.speaker.prepare([A, B])
    rig.idle()
    rig.speaker.change_rate(-1)
    rig.idle()
    assert rig.maker.made == [(A, 150), (B, 150), (A, 130), (B, 130)]
    rig.speaker.say(B)
    assert rig.events == played(sound_of(B, 130))
    rig.speaker.change_rate(+1)  # back to 150: those lines are still there
    rig.idle()
    assert len(rig.maker.made) == 4


@pytest.mark.parametrize("found_by", ["worker", "say"])
def test_a_cut_short_cached_line_is_made_again(tmp_path: Path, found_by: str) -> None:
    first = Rig(tmp_path / "cache")
    first.speaker.prepare([A])
    first.idle()
    first.lines.stop()
    path = first.cache.path(first.cache.key(A, first.speaker.settings))
    path.write_bytes(path.read_bytes()[:-100])  # the header promises more than is there
    again = Rig(tmp_path / "cache")
    if found_by == "worker":
        again.speaker.prepare([A])
        again.idle()
        assert again.maker.made == [(A, 150)]
    else:
        gate = again.maker.hold(C)
        again.speaker.prepare([C, A])
        assert again.maker.started[C].wait(WAIT_S)
        again.speaker.say(A)
        assert again.events == [("synth", A), *played(sound_of(A))]
        gate.set()
        again.idle()
        assert again.maker.made == [(C, 150)]
    assert again.kept(A) == sound_of(A)
    again.lines.stop()


def test_say_to_saves_each_line_whether_ready_or_made_here(tmp_path: Path) -> None:
    rig = Rig(tmp_path / "cache", say_to=tmp_path / "said")
    rig.speaker.prepare([A])
    rig.idle()
    rig.speaker.say(A)
    rig.speaker.say(B)
    saved = sorted((tmp_path / "said").iterdir())
    assert [p.name for p in saved] == ["0001.wav", "0002.wav"]
    assert read_line(saved[0]) == sound_of(A)
    assert read_line(saved[1]) == sound_of("Thank you.").then(sound_of("Take care."))
    rig.lines.stop()


def test_a_playback_failure_is_one_speech_output_error(rig: Rig) -> None:
    FakePlayer.broken = True
    try:
        failures: list[SpeechOutputError] = []
        speaker = FallbackSpeaker(rig.speaker, failures.append)
        for line in (B, A, C):
            speaker.say(line)
    finally:
        FakePlayer.broken = False
    assert len(failures) == 1
    assert failures[0].fields["detail"] == "no audio output: test"
    assert [e[0] for e in rig.events] == ["synth", "play", "synth", "feed", "finish", "abort"]


def test_a_synthesis_failure_after_the_first_sentence_stops_the_sound(rig: Rig) -> None:
    rig.engine.fail_on = "Take care."
    with pytest.raises(SpeechOutputError, match="driver broke"):
        rig.speaker.say(B)
    assert [e[0] for e in rig.events] == ["synth", "play", "synth", "abort"]
    rig.speaker.say(A)  # reported once; silent afterwards
    assert len(rig.events) == 4


# --- with the real synthesiser --------------------------------------------------------------

FRESH_ENGINE_LINE = """
import sys
from pathlib import Path
from assistant.io.tts import Pyttsx3Speaker
rate, volume, text, path = sys.argv[1:]
speaker = Pyttsx3Speaker(rate=int(rate), volume=None if volume == "-" else float(volume))
speaker._synth(speaker._get_engine(), text, Path(path))
"""


def needs_espeak() -> None:
    pytest.importorskip("pyttsx3")
    if not sys.platform.startswith("linux"):
        pytest.skip("lines are made ahead only with espeak-ng (Linux)")
    from assistant.io.speech_wav import espeak_ng_identity

    if espeak_ng_identity() is None:
        pytest.skip("the espeak-ng program is not installed")


@pytest.mark.parametrize(("rate", "volume"), [(150, None), (110, 0.5), (190, 1.0)])
def test_a_prepared_line_is_the_same_sound_as_pyttsx3_makes(
    tmp_path: Path, rate: int, volume: float | None
) -> None:
    needs_espeak()
    text = "Hello. Do you have any numbness or tingling?"
    spot, ahead = tmp_path / "spot.wav", tmp_path / "ahead.wav"
    subprocess.run(
        [sys.executable, "-c", FRESH_ENGINE_LINE, str(rate), str(volume or "-"), text, spot],
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    make_in_background(text, VoiceSettings(rate, None, volume), ahead)
    made_here, made_ahead = read_line(spot), read_line(ahead)
    assert made_here is not None
    assert made_ahead is not None
    assert made_ahead.seconds > 1.0
    # The same library and settings: the same samples. Compared by digest: pytest's own
    # explanation of two unequal lines of sound runs for many minutes.
    ahead_is = (made_ahead.rate, made_ahead.seconds, hashlib.sha256(made_ahead.pcm).hexdigest())
    here_is = (made_here.rate, made_here.seconds, hashlib.sha256(made_here.pcm).hexdigest())
    assert ahead_is == here_is


@pytest.mark.pulse
def test_a_prepared_line_is_heard_as_soon_as_it_is_said(
    pulse_stack: PulseStack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs_espeak()
    made_here: list[str] = []
    synth = Pyttsx3Speaker._synth

    def noting(self: Pyttsx3Speaker, engine: Any, text: str, path: Path) -> None:
        made_here.append(text)
        synth(self, engine, text, path)

    monkeypatch.setattr(Pyttsx3Speaker, "_synth", noting)
    speaker = Pyttsx3Speaker(rate=150, volume=1.0, speech_cache=tmp_path / "cache")
    speaker.prepare([A])
    assert speaker.lines is not None
    assert speaker.lines.wait_idle(30)
    capture = tmp_path / "speaker.wav"
    pulse_stack.start_capture(capture)
    called = time.monotonic()
    speaker.say(A)
    returned = time.monotonic()
    time.sleep(0.3)
    stopped = time.monotonic()
    pulse_stack.stop_capture(tail_s=0)
    speaker.close()
    samples, rate = read_mono16(capture)
    started = stopped - len(samples) / rate  # the recording is placed by its end
    segments = speech_segments(capture, threshold_db=-45, min_gap_s=0.45)
    assert len(segments) == 1, segments
    start, end, level = segments[0]
    onset = started + start - called
    print(f"\nprepared line: first sound {onset * 1000:.0f} ms after say()")
    assert made_here == []  # played from the cache: nothing was synthesised
    assert level > -35
    assert -0.1 < onset < ONSET_BOUND_S
    assert returned - called > (end - start) - 0.15  # say() returned once it was heard


ONSET_BOUND_S = 1.0
"""Generous: only that the sound starts with say(), not after a synthesis; bench measures it."""


@pytest.mark.parametrize("wanted", [None, "en-us", "GMW/EN-US", "gmw/en", "no-such-voice"])
def test_lines_made_ahead_use_the_voice_pyttsx3_uses(wanted: str | None) -> None:
    needs_espeak()
    engine = pyttsx3_engine()
    speaker = Pyttsx3Speaker(voice=wanted, lines=None)
    try:
        here: str | None = speaker._pick_voice(engine)
    except SpeechOutputError:
        here = "refused"
    try:
        ahead = espeak_ng_voice(wanted, PREFERRED_LINUX_VOICES)
    except SpeechOutputError:
        ahead = "refused"
    assert ahead == here


class BlockingPlayer(FakePlayer):
    """Plays until it is aborted (a long line), as aplay would."""

    def __init__(self, events: list[Event], first: LineAudio) -> None:
        super().__init__(events, first)
        self.aborted = threading.Event()

    def finish(self) -> None:
        self.events.append(("finish", None))
        assert self.aborted.wait(WAIT_S)

    def abort(self) -> None:
        super().abort()
        self.aborted.set()


def test_stop_cuts_a_ready_line_short_and_the_next_line_plays(rig: Rig) -> None:
    """The person went on while the reply played: it stops at once, and speech still works."""
    rig.speaker.prepare([A, B])
    rig.idle()
    rig.speaker._player = lambda first: BlockingPlayer(rig.events, first)
    saying = threading.Thread(target=rig.speaker.say, args=(A,))
    saying.start()
    while ("finish", None) not in rig.events:
        time.sleep(0.01)
    rig.speaker.stop()
    saying.join(WAIT_S)
    assert not saying.is_alive()
    assert rig.events == [("play", sound_of(A).pcm), ("finish", None), ("abort", None)]
    rig.speaker._player = rig.player
    rig.speaker.say(B)
    assert rig.events[3:] == played(sound_of(B))


def test_stop_while_a_line_is_made_leaves_the_rest_unmade(rig: Rig) -> None:
    """Stopped during its first sentence: that sentence is cut and the second is never made."""
    synth = rig.engine.runAndWait

    def stopped_meanwhile() -> None:
        rig.speaker.stop()
        synth()

    rig.engine.runAndWait = stopped_meanwhile  # type: ignore[method-assign]
    rig.speaker.say("Thank you. Take care.")
    assert rig.events[:3] == [("synth", "Thank you."), ("play", sound_of("Thank you.").pcm),
                              ("abort", None)]  # fmt: skip
    assert ("synth", "Take care.") not in rig.events and ("finish", None) not in rig.events
    assert rig.kept("Thank you. Take care.") is None  # a cut line is never kept


def test_the_fallback_speaker_passes_stop_on(rig: Rig) -> None:
    stops: list[int] = []
    rig.speaker.stop = lambda: stops.append(1)  # type: ignore[method-assign]
    FallbackSpeaker(rig.speaker, lambda error: None).stop()
    assert stops == [1]
