"""An answer taken early and then gone on with: the reply stops and the whole answer counts.

A person says "no", falls quiet, the assistant starts its reply, and the person goes on ("well,
once, last week, I didn't make it to the loo"). The reply must stop where it is, and the dialog
must read the whole answer from the state before the "no", never keep the "no".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from assistant.core.dialog import Triage
from assistant.core.messages import EndOfInput, Event, Expected, Heard, NotUnderstood
from assistant.core.ports import Following, Interruptible
from assistant.session import Session

WHOLE = "no well once last week I did not make it to the loo in time"


class FollowingListener:
    """Gives each answer; those in `goes_on` are taken early and then go on to the whole text."""

    def __init__(self, answers: list[str], goes_on: dict[int, str]) -> None:
        self.answers = answers
        self.goes_on = goes_on
        self.asked: list[str] = []
        self.overheard = 0
        self._open: str | None = None

    def listen(self, expected: Expected) -> Event:
        self.asked.append(expected.question)
        n = len(self.asked) - 1
        if n >= len(self.answers):
            return EndOfInput()
        self._open = self.goes_on.get(n)
        return Heard(self.answers[n], 0.9)

    @property
    def following(self) -> bool:
        return self._open is not None

    def follow(self, on_resume: Callable[[], None]) -> Heard | NotUnderstood | None:
        whole, self._open = self._open, None
        if whole is None:
            return None
        on_resume()
        return Heard(whole, 0.9)

    @contextmanager
    def overhear(self) -> Iterator[None]:
        self.overheard += 1
        yield


class StoppableSpeaker:
    """Records what it says; after stop() the line being said counts as cut short."""

    def __init__(self) -> None:
        self.said: list[str] = []
        self.stops = 0
        self.rate = 0

    def say(self, text: str) -> None:
        self.said.append(text)

    def prepare(self, lines: Sequence[str]) -> None:
        """Nothing to make ahead."""

    def change_rate(self, steps: int) -> None:
        self.rate += steps

    def stop(self) -> None:
        self.stops += 1


def run(triage: Triage, listener: FollowingListener) -> tuple[Session, StoppableSpeaker]:
    speaker = StoppableSpeaker()
    assert isinstance(listener, Following)
    assert isinstance(speaker, Interruptible)
    session = Session(triage, listener, speaker, lambda _: None, lambda: None)
    session.run()
    return session, speaker


def test_a_no_that_goes_on_into_an_accident_is_read_whole(triage: Triage) -> None:
    listener = FollowingListener(["no"], goes_on={0: WHOLE})
    session, speaker = run(triage, listener)
    assert session.state is not None
    assert speaker.stops == 1
    assert [t.heard for t in session.state.turns] == [WHOLE]
    assert session.state.disposition == "emergency"


def test_an_answer_that_does_not_go_on_is_kept(triage: Triage) -> None:
    listener = FollowingListener(["no", "no"], goes_on={})
    session, speaker = run(triage, listener)
    assert session.state is not None
    assert speaker.stops == 0
    assert [t.heard for t in session.state.turns][:2] == ["no", "no"]


def test_the_opening_lines_are_overheard_once(triage: Triage) -> None:
    listener = FollowingListener([], goes_on={})
    run(triage, listener)
    assert listener.overheard == 1


def test_a_rate_change_in_a_reply_that_was_cut_short_is_undone(triage: Triage) -> None:
    """ "slower" taken early, then "slower ... no, I mean no": the rate ends where it began."""
    listener = FollowingListener(["slower"], goes_on={0: "no"})
    _, speaker = run(triage, listener)
    assert speaker.rate == 0
    assert speaker.stops == 1
