"""A device or engine failing mid-session: the warning signs are still printed, the state kept."""

from __future__ import annotations

import pytest

from assistant.core.dialog import Triage
from assistant.core.errors import EngineError
from assistant.core.messages import Event, Expected, Heard
from assistant.io.speakers import SilentSpeaker
from assistant.session import Session


class FailingListener:
    """Answers "no" once, then the recogniser breaks."""

    def __init__(self) -> None:
        self.calls = 0

    def listen(self, expected: Expected) -> Event:
        self.calls += 1
        if self.calls == 1:
            return Heard("no", 1.0)
        raise EngineError("error_model_broken", path="model", detail="decoder crashed")


def test_an_engine_failure_mid_session_still_says_the_warning_signs(triage: Triage) -> None:
    captions: list[str] = []
    session = Session(triage, FailingListener(), SilentSpeaker(), captions.append, lambda: None)
    with pytest.raises(EngineError):
        session.run()
    assert session.state is not None
    assert [t.heard for t in session.state.turns] == ["no"]
    assert session.state.phase == "done"
    assert any("Watch for these warning signs" in line for line in captions)
