"""The start-up notes: said once after the greeting, they name the speech recogniser and why."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.core.dialog import Triage
from assistant.core.errors import AssistantError
from assistant.core.ports import Recognizer, Speaker
from assistant.engines.loading import Loading

if TYPE_CHECKING:
    from assistant.engines.select import Note


class StartNotes:
    """What the start-up found, said once after the greeting: which engine listens, and why.

    Waits for the engine to load (it loads while the greeting is said); a fallback's reason also
    goes to stderr; the engine's failure is raised (the session closes and says it).
    """

    def __init__(
        self, triage: Triage, speaker: Speaker, error_line: Callable[[AssistantError], str]
    ) -> None:
        self.loading: Loading[tuple[Recognizer, list[Note]]] | None = None
        self._said = False
        self._triage = triage
        self._speaker = speaker
        self._error_line = error_line

    @property
    def engine(self) -> str:
        """The engine's name for the record ("typed" without one; "none" if it did not load)."""
        if self.loading is None:
            return "typed"
        try:
            return self.loading.result()[0].name  # loaded during the greeting, or soon after
        except AssistantError:
            return "none"

    def __call__(self) -> list[str]:
        """The notes' lines, the first time (waits for the engine); none after that."""
        if self.loading is None or self._said:
            return []
        _, notes = self.loading.result()
        self._said = True
        texts = []
        for key, fields in notes:
            if "reason" in fields:  # a fallback: the error's own line goes to stderr
                reason = AssistantError(fields["reason"], **fields)
                print(self._error_line(reason), file=sys.stderr)
            texts += [line.text for line in self._triage.say(key)]
        self._speaker.prepare(texts)  # ready at once from the next start on
        return texts
