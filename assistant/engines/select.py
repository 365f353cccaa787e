"""Choosing the speech recogniser: Vosk when a model is found, else PocketSphinx."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from assistant.core.errors import EngineError
from assistant.core.ports import Recognizer
from assistant.engines.models import find_vosk_model

log = logging.getLogger(__name__)

Note = tuple[str, dict[str, str]]


def _sphinx() -> Recognizer:
    from assistant.engines.sphinx import PocketSphinxRecognizer  # noqa: PLC0415 - lazy

    return PocketSphinxRecognizer()


def _vosk(path: Path) -> Recognizer:
    from assistant.engines.vosk import VoskRecognizer  # noqa: PLC0415 - lazy

    return VoskRecognizer(path)


def make_recognizer(
    engine: Literal["auto", "vosk", "sphinx"], vosk_model: Path | None, env: Mapping[str, str]
) -> tuple[Recognizer, list[Note]]:
    """Build the recogniser and the notes (text key, fields) to say when the session starts.

    "vosk" needs a model and fails with EngineError without one; "sphinx" uses PocketSphinx;
    "auto" uses Vosk when a model is found and loads, else falls back to PocketSphinx and says why.
    """
    if engine == "sphinx":
        return _sphinx(), [("engine_using_sphinx", {})]
    path = find_vosk_model(vosk_model, env)
    if engine == "vosk":
        if path is None:
            raise EngineError("error_model_missing", path="vosk-model-*en-us*")
        return _vosk(path), [("engine_using_vosk", {"path": str(path)})]
    if path is None:
        reason = "no Vosk model found"
    else:
        try:
            return _vosk(path), [("engine_using_vosk", {"path": str(path)})]
        except EngineError as exc:
            log.warning("vosk unusable, falling back to pocketsphinx: %s", exc)
            reason = exc.key
    return _sphinx(), [("engine_vosk_fallback", {"reason": reason}), ("engine_using_sphinx", {})]
