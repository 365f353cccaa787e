"""Speakers that need no speech engine: silent (--mute), and the fallback that goes quiet."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from assistant.core.errors import SpeechOutputError
from assistant.core.ports import Interruptible, Speaker

log = logging.getLogger(__name__)


class SilentSpeaker:
    """Says nothing (--mute); captions are printed by the session loop."""

    def say(self, text: str) -> None:
        """Do nothing."""

    def prepare(self, lines: Sequence[str]) -> None:
        """Do nothing: no line is ever made."""

    def change_rate(self, steps: int) -> None:
        """Do nothing: there is no voice to speed up or slow down."""


class FallbackSpeaker:
    """Wrap a speaker: on its first SpeechOutputError call `on_failure` once, then stay silent."""

    def __init__(
        self,
        inner: Speaker,
        on_failure: Callable[[SpeechOutputError], None],
    ) -> None:
        self.inner = inner
        self.on_failure = on_failure
        self.failed: SpeechOutputError | None = None

    def say(self, text: str) -> None:
        """Speak through the inner speaker until it first fails; silent afterwards."""
        if self.failed is not None:
            return
        try:
            self.inner.say(text)
        except SpeechOutputError as error:
            self.failed = error
            log.info("speech output off: %s", error.fields.get("detail", error))
            self.on_failure(error)

    def stop(self) -> None:
        """Cut the inner speaker's line short, if it can be."""
        if isinstance(self.inner, Interruptible):
            self.inner.stop()

    def prepare(self, lines: Sequence[str]) -> None:
        """Pass the lines on while speech still works."""
        if self.failed is None:
            self.inner.prepare(lines)

    def change_rate(self, steps: int) -> None:
        """Pass the change on while speech still works."""
        if self.failed is None:
            self.inner.change_rate(steps)
