"""The I/O loop: runs the pure dialog with a listener, a speaker and captions."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from threading import Event as Flag
from threading import Thread

from assistant.core.dialog import Triage
from assistant.core.errors import AssistantError
from assistant.core.messages import (
    Action,
    ChangeRate,
    EndOfInput,
    Event,
    Finish,
    Heard,
    Listen,
    NotUnderstood,
    Say,
    SayNotes,
)
from assistant.core.ports import Following, Interruptible, Listener, Speaker
from assistant.core.state import State

log = logging.getLogger(__name__)


class Interrupted(Exception):  # noqa: N818 - a signal, not an error
    """Ctrl-C or SIGTERM arrived; `reason` names which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Session:
    """One conversation: the dialog plus its ports. `state` always holds what was said so far."""

    triage: Triage
    listener: Listener
    speaker: Speaker
    caption: Callable[[str], None]
    cue: Callable[[], None]
    notes: Callable[[], list[str]] = field(default=list)
    """The start-up notes to say after the greeting (SayNotes); may wait for the engine to load."""
    state: State | None = None

    def run(self) -> State:
        """Talk until the dialog finishes.

        On an interrupt or a failure, close with the warning signs (captions only), then pass it on.
        """
        state, actions = self.triage.start()
        self.speaker.prepare(self.triage.known_lines())  # made in the background, in order
        self.state = state
        try:
            event = self._perform(actions, overhear=True)
            while event is not None:
                before = self.state
                self.state, actions = self.triage.step(before, event)
                event, whole = self._reply(actions)
                while whole is not None:  # they went on: the whole answer replaces its start
                    self.state, actions = self.triage.step(before, whole)
                    event, whole = self._reply(actions)
            return self.state
        except (Interrupted, AssistantError) as stop:
            log.info("stopped: %s", stop)
            self.state, actions = self.triage.step(self.state, EndOfInput(str(stop)))
            self._perform(actions, speak=False)
            raise

    def _overhearing(self) -> contextlib.AbstractContextManager[None]:
        """While the opening lines are said, the listener learns if it hears them (echo)."""
        if isinstance(self.listener, Following):
            return self.listener.overhear()
        return contextlib.nullcontext()

    def _reply(self, actions: list[Action]) -> tuple[Event | None, Heard | NotUnderstood | None]:
        """Perform the reply to an answer taken early while the listener still follows it.

        Returns (the next event, None), or (None, the whole answer) when the person went on:
        the reply was stopped where it was, and a rate change it made is undone.
        """
        listener = self.listener
        if not isinstance(listener, Following) or not listener.following:
            return self._perform(actions), None
        resumed = Flag()
        whole: list[Heard | NotUnderstood | None] = [None]

        def on_resume() -> None:
            resumed.set()
            if isinstance(self.speaker, Interruptible):
                self.speaker.stop()

        def follow() -> None:
            whole[0] = listener.follow(on_resume)

        follower = Thread(target=follow, name="follow", daemon=True)
        follower.start()
        changed = 0

        def settle() -> bool:
            follower.join()
            if whole[0] is not None and changed:
                self.speaker.change_rate(-changed)
            return whole[0] is not None

        for action in actions:
            if resumed.is_set() and settle():
                return None, whole[0]
            if isinstance(action, Say | SayNotes):
                self._say(action)
            elif isinstance(action, ChangeRate):
                changed += action.steps
                self.speaker.change_rate(action.steps)
            elif isinstance(action, Listen | Finish):
                if settle():
                    return None, whole[0]
                return self._perform([action]), None
        if settle():
            return None, whole[0]
        return None, None

    def _say(self, action: Say | SayNotes, speak: bool = True) -> None:
        """Caption a line, then speak it; for SayNotes, each start-up note."""
        if isinstance(action, SayNotes):
            # After the greeting, not before the first word: the opening lines leave it time.
            Thread(target=lambda: self.triage.interpreter, name="interpreter", daemon=True).start()
        for text in self.notes() if isinstance(action, SayNotes) else [action.text]:
            self.caption(text)
            if speak:
                self.speaker.say(text)

    def _perform(
        self, actions: list[Action], speak: bool = True, overhear: bool = False
    ) -> Event | None:
        """Say each line (caption first), then listen; None when the dialog has finished.

        `overhear`: the listener learns, while these lines are said, if it hears them.
        """
        with contextlib.ExitStack() as speaking:
            if overhear:
                speaking.enter_context(self._overhearing())
            for action in actions:
                if isinstance(action, Say | SayNotes):
                    self._say(action, speak)
                elif isinstance(action, ChangeRate):
                    self.speaker.change_rate(action.steps)
                elif isinstance(action, Listen):
                    speaking.close()  # stop overhearing before the answer is listened for
                    self.cue()
                    return self.listener.listen(action.expected)
                elif isinstance(action, Finish):
                    return None
        return None
