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


def _sphinx(pronunciations: Mapping[str, str] | None) -> Recognizer:
    from assistant.engines.sphinx import PocketSphinxRecognizer  # noqa: PLC0415 - lazy

    return PocketSphinxRecognizer(pronunciations)


def _vosk(path: Path) -> Recognizer:
    from assistant.engines.vosk import VoskRecognizer  # noqa: PLC0415 - lazy

    return VoskRecognizer(path)


def make_recognizer(
    engine: Literal["auto", "vosk", "sphinx"],
    vosk_model: Path | None,
    env: Mapping[str, str],
    pronunciations: Mapping[str, str] | None = None,
) -> tuple[Recognizer, list[Note]]:
    """Build the recogniser and the notes (text key, fields) to say when the session starts.

    "vosk" needs a model and fails with EngineError without one; "sphinx" uses PocketSphinx;
    "auto" uses Vosk when a model is found and loads, else falls back to PocketSphinx and says why
    (the fallback note's fields are the error's: its text key as "reason", and its own fields).
    `pronunciations` are words PocketSphinx's dictionary lacks (intents/<lang>/pronunciations.yaml).
    """
    if engine == "sphinx":
        return _sphinx(pronunciations), [("engine_using_sphinx", {})]
    path = find_vosk_model(vosk_model, env)
    if engine == "vosk":
        if path is None:
            raise EngineError("error_model_missing", path="vosk-model-*en-us*")
        return _vosk(path), [("engine_using_vosk", {"path": str(path)})]
    if path is None:
        return _sphinx(pronunciations), [("engine_using_sphinx", {})]
    try:
        return _vosk(path), [("engine_using_vosk", {"path": str(path)})]
    except EngineError as exc:
        log.info("vosk unusable, falling back to pocketsphinx: %s", exc)
        note = ("engine_vosk_fallback", {"reason": exc.key, **exc.fields})
    return _sphinx(pronunciations), [note]
