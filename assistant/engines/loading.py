"""A speech recogniser loaded on a thread of its own while the microphone opens and settles."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio, Preparing, Recognizer

T = TypeVar("T")


class Loading(Generic[T]):
    """Runs `load` at once on its own thread; `result()` waits for it (and raises its error)."""

    def __init__(self, load: Callable[[], T]) -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(load,), name="load", daemon=True)
        self._thread.start()

    def _run(self, load: Callable[[], T]) -> None:
        try:
            self._value = load()
        except BaseException as error:  # noqa: BLE001 - handed to the caller of result()
            self._error = error

    def result(self) -> T:
        """The loaded value, once loading has finished; the loader's exception if it failed."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


class LoadingRecognizer(Generic[T]):
    """Stands in for the recogniser being loaded: the listener can be made before it is ready.

    Its first use waits for the load. `pick` takes the recogniser out of what `load` returns.
    """

    def __init__(self, loading: Loading[T], pick: Callable[[T], Recognizer]) -> None:
        self._loading = loading
        self._pick = pick

    @property
    def inner(self) -> Recognizer:
        """The loaded recogniser (waits for it)."""
        return self._pick(self._loading.result())

    @property
    def name(self) -> str:
        """The loaded recogniser's name (waits for it)."""
        return self.inner.name

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        """Decode with the loaded recogniser."""
        return self.inner.recognize(audio, expected)

    def prepare(self, expected: Expected) -> None:
        """Pass on to the loaded recogniser, if it prepares."""
        inner = self.inner
        if isinstance(inner, Preparing):
            inner.prepare(expected)
