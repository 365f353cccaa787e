"""`back-assistant understand`: what answers mean to one question, and the words that decided it."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from assistant.core.content import Content
from assistant.core.errors import ExitCode, UsageError
from assistant.core.interpreter import Interpreter
from assistant.core.reading import why_lines
from assistant.core.state import AFTER_EMERGENCY


def understand(args: argparse.Namespace, content: Content, stdin: TextIO | None = None) -> int:
    """Read each answer (the TEXT arguments, else one per line of standard input) and print it."""
    qid = args.question
    if qid != AFTER_EMERGENCY and qid not in {q.id for q in content.questions}:
        raise UsageError("error_unknown_question", key=qid)
    interpreter = Interpreter(content)
    texts: Iterable[str] = args.texts or (line.rstrip("\n") for line in (stdin or sys.stdin))
    rows = [_row(interpreter, content, text, qid) for text in texts]
    if args.as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for r in rows:
            slots = " ".join(
                f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in r["slots"].items()
            )
            intent = r["intent"] or " ".join(content.text("reading_not_understood"))
            print(f"{r['text']!r} -> {intent} {slots}".rstrip(), end="")
            print(f" (confidence {r['confidence']:.2f})")
            for line in r["why"]:
                print(f"    {line}")
    return ExitCode.OK


def _row(interpreter: Interpreter, content: Content, text: str, qid: str) -> dict[str, Any]:
    r = interpreter.read(text, None if qid == AFTER_EMERGENCY else qid)
    return {
        "text": text,
        "intent": r.intent,
        "slots": r.slots,
        "confidence": r.confidence,
        "why": why_lines(r, content.texts),
        "also": list(r.volunteered),
        "contradiction": r.contradiction,
    }
