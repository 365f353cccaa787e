"""`back-assistant transcribe`: what the recogniser hears in audio files, for one question."""

from __future__ import annotations

import argparse
import json
from typing import Any

from assistant.core.content import Content
from assistant.core.errors import ExitCode, UsageError
from assistant.core.grammar import Grammar
from assistant.core.interpreter import Interpreter
from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.reading import why_lines
from assistant.core.state import AFTER_EMERGENCY


def transcribe(args: argparse.Namespace, content: Content) -> int:
    """Print, per file: heard, intent, slots, confidence and decode ms (the model loads once)."""
    from assistant.engines.select import recognizer_for  # noqa: PLC0415 - loads an engine
    from assistant.io.replay import ReplayListener  # noqa: PLC0415

    grammar = Grammar(content)
    qid = args.question
    if qid == AFTER_EMERGENCY:
        expected = Expected(qid, grammar.general_phrases())
    else:
        if qid not in {q.id for q in content.questions}:
            _unknown(qid)
        expected = Expected(qid, grammar.phrases_for(qid))
    interpreter = Interpreter(content)
    recognizer, _ = recognizer_for(args, content, lambda text, q: interpreter.read(text, q).intent)
    listener = ReplayListener(args.files, recognizer)
    rows: list[dict[str, Any]] = []
    for path in listener.files:
        event = listener.listen(expected)
        heard = event.text if isinstance(event, Heard) else ""
        conf = event.confidence if isinstance(event, Heard) else 0.0
        ms = event.decode_ms if isinstance(event, Heard | NotUnderstood) else 0.0
        r = (
            interpreter.read(heard, None if qid == AFTER_EMERGENCY else qid, conf)
            if heard
            else None
        )
        rows.append(
            {
                "file": str(path),
                "heard": heard,
                "intent": r.intent if r else None,
                "slots": r.slots if r else {},
                "confidence": round(r.confidence if r else conf, 4),
                "decode_ms": round(ms, 1),
                "why": why_lines(r, content.texts) if r else [],
            }
        )
    if args.as_json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            slots = " ".join(f"{k}={v}" for k, v in row["slots"].items())
            print(
                f"{row['file']}: heard {row['heard']!r} -> {row['intent']} {slots} "
                f"(confidence {row['confidence']:.2f}, {row['decode_ms']:.0f} ms)"
            )
    return ExitCode.OK


def _unknown(qid: str) -> None:
    raise UsageError("error_unknown_question", key=qid)
