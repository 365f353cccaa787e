"""The subcommands: flow, questions, understand, transcribe, model download, doctor, a session."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.core import content as content_mod
from assistant.core.content import Content
from assistant.core.errors import AssistantError, ExitCode, fill
from assistant.core.flowchart import mermaid
from assistant.core.grammar import Grammar

if TYPE_CHECKING:
    from assistant.engines.loading import Loading
    from assistant.io.mic_device import Opened


def load_content(args: argparse.Namespace) -> Content:
    """intents/<lang>/, validated."""
    return content_mod.load(args.intents or content_mod.default_folder(args.lang))


def error_line(args: argparse.Namespace, error: AssistantError) -> str:
    """The one line that explains `error`, from intents/ (the key itself if data is broken)."""
    try:
        texts = load_content(args).texts
    except AssistantError:
        texts = {}
    lines = texts.get(error.key)
    if not lines:
        return f"{error.key}: {error.fields}"
    fields = error.text_fields(texts)
    return " ".join(fill(line, fields) for line in lines)


def dispatch(args: argparse.Namespace, opened: Loading[Opened] | None = None) -> int:
    """Run the chosen command and return its exit code; `opened`: the microphone, opening."""
    if args.command == "flow":
        sys.stdout.write(mermaid(load_content(args)))
        return ExitCode.OK
    if args.command == "questions":
        return _questions(args)
    if args.command == "understand":
        from assistant.understand import understand  # noqa: PLC0415

        return understand(args, load_content(args))
    if args.command == "transcribe":
        from assistant.transcribe import transcribe  # noqa: PLC0415 - loads audio libraries

        return transcribe(args, load_content(args))
    if args.command == "model":
        if args.whisper:
            from assistant.engines.whisper_model import download_whisper_model  # noqa: PLC0415

            path = download_whisper_model(args.whisper)
        else:
            from assistant.engines.models import download_vosk_model  # noqa: PLC0415

            path = download_vosk_model(args.model_lang)
        print(path)
        return ExitCode.OK
    if args.command == "doctor":
        from assistant.doctor import doctor  # noqa: PLC0415 - probes devices

        return doctor(args, os.environ)
    from assistant.run import run_session  # noqa: PLC0415

    return run_session(args, load_content(args), opened)


def _questions(args: argparse.Namespace) -> int:
    content = load_content(args)
    grammar = Grammar(content)
    rows = [
        {
            "id": q.id,
            "text": " ".join(content.text(q.ask)),
            "intents": list(grammar.intents_for(q.id)),
        }
        for q in content.questions
    ]
    if args.as_json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(f"{row['id']}: {row['text']}\n    accepts: {', '.join(row['intents'])}")
    return ExitCode.OK


__all__ = ["Path", "dispatch", "error_line"]
