"""The I/O loop: runs the pure dialog with a listener, a speaker and captions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from threading import Thread

from assistant.core.dialog import Triage
from assistant.core.errors import AssistantError
from assistant.core.messages import (
    Action,
    ChangeRate,
    EndOfInput,
    Event,
    Finish,
    Listen,
    Say,
)
from assistant.core.ports import Listener, Speaker
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
    state: State | None = None

    def run(self) -> State:
        """Talk until the dialog finishes.

        On an interrupt or a failure, close with the warning signs (captions only), then pass it on.
        """
        # Build the interpreter while the opening lines are said, not before the first caption.
        Thread(target=lambda: self.triage.interpreter, name="interpreter", daemon=True).start()
        state, actions = self.triage.start()
        self.speaker.prepare(self.triage.known_lines())  # made in the background, in order
        self.state = state
        try:
            while True:
                event = self._perform(actions)
                if event is None:
                    return self.state
                self.state, actions = self.triage.step(self.state, event)
        except (Interrupted, AssistantError) as stop:
            log.info("stopped: %s", stop)
            self.state, actions = self.triage.step(self.state, EndOfInput(str(stop)))
            self._perform(actions, speak=False)
            raise

    def _perform(self, actions: list[Action], speak: bool = True) -> Event | None:
        """Say each line (caption first), then listen; None when the dialog has finished."""
        for action in actions:
            if isinstance(action, Say):
                self.caption(action.text)
                if speak:
                    self.speaker.say(action.text)
            elif isinstance(action, ChangeRate):
                self.speaker.change_rate(action.steps)
            elif isinstance(action, Listen):
                self.cue()
                return self.listener.listen(action.expected)
            elif isinstance(action, Finish):
                return None
        return None
