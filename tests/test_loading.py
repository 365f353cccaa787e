"""The engine loads on its own thread while the microphone opens; its errors still reach us."""

from __future__ import annotations

import threading

import pytest

from assistant.core.errors import EngineError
from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio, Recognizer
from assistant.engines.loading import Loading, LoadingRecognizer

EXPECTED = Expected("bladder", ("yes", "no"))


class Slow:
    """A recogniser whose load waits for `ready`; notes the thread it was loaded on."""

    name = "slow"

    def __init__(self, ready: threading.Event) -> None:
        assert ready.wait(5)
        self.loaded_on = threading.current_thread().name
        self.prepared: list[str] = []

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        return Heard("no")

    def prepare(self, expected: Expected) -> None:
        self.prepared.append(expected.question)


def test_the_load_runs_beside_the_caller_and_the_stand_in_waits_for_it() -> None:
    ready = threading.Event()
    loading = Loading(lambda: (Slow(ready), ["a note"]))
    stand_in: Recognizer = LoadingRecognizer(loading, lambda loaded: loaded[0])
    ready.set()  # the caller went on while the load waited
    assert stand_in.recognize(Audio(b""), EXPECTED) == Heard("no")
    assert stand_in.name == "slow"
    loaded, notes = loading.result()
    assert notes == ["a note"] and loaded.loaded_on == "load"
    stand_in.prepare(EXPECTED)  # type: ignore[attr-defined]
    assert loaded.prepared == ["bladder"]


def test_a_failed_load_raises_its_own_error_where_the_result_is_asked_for() -> None:
    def broken() -> object:
        raise EngineError("error_model_broken", path="model", detail="bad file")

    loading = Loading(broken)
    with pytest.raises(EngineError) as error:
        loading.result()
    assert error.value.key == "error_model_broken"
    stand_in = LoadingRecognizer(loading, lambda loaded: loaded)  # type: ignore[arg-type,return-value]
    with pytest.raises(EngineError):
        stand_in.recognize(Audio(b""), EXPECTED)
